#!/usr/bin/env bash
# Install the OS tools the benchmark needs (Debian): kcat for the
# group-less consume test, plus unzip used by fetch-kafka.sh's sanity check.
set -euo pipefail

missing=()
command -v kcat  >/dev/null || missing+=(kcat)
command -v unzip >/dev/null || missing+=(unzip)

if (( ${#missing[@]} == 0 )); then
  exit 0
fi

SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO="sudo"; fi
echo "install-tools: installing ${missing[*]} with apt-get ..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
