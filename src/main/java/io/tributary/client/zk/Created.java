package io.tributary.client.zk;

import org.apache.zookeeper.data.Stat;

/** The outcome of a create: the path the server gave the node (with its sequence suffix, if any) and its stat. */
public record Created(String path, Stat stat) {
}
