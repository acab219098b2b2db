package io.tributary.client.zk;

import org.apache.zookeeper.data.Stat;

import java.util.List;

/** A znode's child names (not full paths) and, from getChildren2, the parent's stat (null from getChildren). */
public record Children(List<String> names, Stat stat) {
}
