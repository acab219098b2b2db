#!/usr/bin/env bash
# Assemble an Apache Kafka 4.3.1 distribution (broker, storage tool, CLI tools,
# log4j2 binding) from Maven Central jars into bench/.cache/kafka-libs.
# Idempotent: does nothing if the jars for this version are already there.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIBS="$BENCH_DIR/.cache/kafka-libs"
KAFKA_VERSION=4.3.1
STAMP="$LIBS/.complete-$KAFKA_VERSION"

if [[ -f "$STAMP" ]]; then
  echo "fetch-kafka: Apache Kafka $KAFKA_VERSION jars already in $LIBS"
  exit 0
fi

command -v mvn >/dev/null || { echo "fetch-kafka: mvn not found" >&2; exit 1; }

echo "fetch-kafka: downloading Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS ..."
rm -rf "$LIBS"
mkdir -p "$LIBS"
mvn -B -q -f "$BENCH_DIR/kafka-dist/pom.xml" \
  -Dkafka.version="$KAFKA_VERSION" -Dstyle.color=never \
  dependency:copy-dependencies -DoutputDirectory="$LIBS"

# Sanity check: the classes the benchmark runs must be on this classpath.
for cls in kafka/Kafka kafka/tools/StorageTool \
           org/apache/kafka/tools/ProducerPerformance \
           org/apache/kafka/tools/ConsumerPerformance \
           org/apache/kafka/tools/TopicCommand; do
  found=0
  for jar in "$LIBS"/*.jar; do
    if unzip -l "$jar" "$cls.class" >/dev/null 2>&1; then found=1; break; fi
  done
  [[ $found == 1 ]] || { echo "fetch-kafka: class $cls not found in $LIBS" >&2; exit 1; }
done

touch "$STAMP"
echo "fetch-kafka: $(find "$LIBS" -name "*.jar" | wc -l) jars in $LIBS"
