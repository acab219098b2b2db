package io.tributary.client.zk;

import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

import java.util.List;

/** A znode's ACL and stat (its {@code aversion} is what a conditional setACL names). */
public record NodeAcl(List<ACL> acl, Stat stat) {
}
