package io.tributary.client.zk;

import org.apache.zookeeper.data.Stat;

/** A znode's data and stat as one read returned them. */
public record NodeData(byte[] data, Stat stat) {
}
