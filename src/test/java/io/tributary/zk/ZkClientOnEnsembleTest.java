package io.tributary.zk;

import io.tributary.cluster.LocalCluster;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/**
 * Every {@link ZkClientTest} test, unchanged, against a 3-node ensemble (three JVMs from {@code bin/cluster}):
 * each client gets the connect string of all three and the ZooKeeper client picks a node at random, so the
 * tests' writers, readers and watchers are usually on different nodes.
 */
@io.tributary.cluster.UsesSharedCluster
class ZkClientOnEnsembleTest extends ZkClientTest {
    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.ensemble();
        connectString = cluster.zkConnect();
        serverCount = 3;
    }
}
