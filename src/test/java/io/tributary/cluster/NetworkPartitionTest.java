package io.tributary.cluster;

import io.tributary.testing.Poll;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Network partitions (must-show 4, 6), as root: each node in its own network namespace ({@link Netns}), started
 * by {@code bin/cluster} with {@code CLUSTER_NETNS}; the fault takes the leader's cluster link down (it no longer
 * reaches the other nodes, while clients still reach it) and later brings it back. Skipped without root.
 */
class NetworkPartitionTest {
    @TempDir
    static Path dir;
    static Netns netns;
    static LocalCluster cluster;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Netns.available(), "network namespaces need root and ip(8)");
        netns = Netns.create(3);
        cluster = new LocalCluster(dir.resolve("cluster"), 3, Map.of("TRIBUTARY_TICKTIME", "500"), netns);
        cluster.up();
    }

    @AfterAll
    static void down() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (netns != null) {
                netns.close();
            }
        }
    }

    private static String create(ZooKeeper zk, String path) {
        return Poll.value(Duration.ofSeconds(60), "create " + path + " acknowledged", () -> {
            try {
                return zk.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException e) {
                return path; // an earlier attempt that lost its connection did commit
            } catch (KeeperException.ConnectionLossException e) {
                return null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, java.util.Objects::nonNull);
    }

    /**
     * Fault: the leader is partitioned from the two followers for about 20 s, then healed. Load: a client on
     * the majority creating znodes; a client on the isolated node writing once; new clients trying the
     * isolated node. Checks: the isolated node acknowledges nothing and accepts no new session (the client
     * sees CONNECTIONLOSS), reports it has no quorum, the majority elects a leader and acknowledges writes;
     * once healed the old leader follows, has every acknowledged write and not the refused one, all trees are
     * equal; the Hazelcast split heals too and the znodes/sessions views equal the state machine again.
     */
    @Test
    void isolatedLeaderRefusesWritesMajorityCarriesOnAndEveryoneConvergesWhenHealed() throws Exception {
        int leader = cluster.awaitLeader(Duration.ofSeconds(60));
        int[] others = java.util.Arrays.stream(cluster.all()).filter(n -> n != leader).toArray();
        List<String> acked = new ArrayList<>();
        try (ZooKeeper majority = EnsembleClient.connect(cluster, 10_000, others);
             ZooKeeper minority = EnsembleClient.connect(cluster, 10_000, leader)) {
            acked.add(create(majority, "/part"));
            EnsembleClient.sync(minority, "/part");

            netns.isolate(leader);
            CompletableFuture<Integer> refused = new CompletableFuture<>();
            minority.create("/part/from-the-minority", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                    (AsyncCallback.StringCallback) (rc, path, ctx, name) -> refused.complete(rc), null);

            int newLeader = cluster.awaitLeader(Duration.ofSeconds(60), others);
            assertTrue(newLeader != leader);
            for (int i = 0; i < 20; i++) {
                acked.add(create(majority, "/part/majority-" + i));
            }
            assertEquals(KeeperException.Code.CONNECTIONLOSS.intValue(), refused.get(60, TimeUnit.SECONDS),
                    "the isolated node did not acknowledge the write");
            Poll.until(Duration.ofSeconds(60), "the isolated node says it has no quorum",
                    () -> cluster.mode(leader).equals("looking"));
            assertFalse(connectsWithin(cluster.zkConnect(leader), Duration.ofSeconds(5)),
                    "a new session on the isolated node is refused");

            netns.heal(leader);
            cluster.awaitLeader(Duration.ofSeconds(120));
        }
        try (ZooKeeper back = EnsembleClient.connect(cluster, 10_000, leader)) {
            EnsembleClient.sync(back, "/part");
            for (String p : acked) {
                assertNotNull(back.exists(p, false), "the healed node has " + p);
            }
            assertNull(back.exists("/part/from-the-minority", false), "the refused write is nowhere");
            EnsembleClient.awaitSameTree(cluster, Duration.ofSeconds(60), 1, 2, 3);
            assertViewsMatch(back);
        }
    }

    /** After the Hazelcast split healed: the maps equal the state machine (read through {@code zk}). */
    private static void assertViewsMatch(ZooKeeper zk) throws Exception {
        com.hazelcast.client.config.ClientConfig cc = new com.hazelcast.client.config.ClientConfig();
        cc.setClusterName("tributary");
        cc.setProperty("hazelcast.phone.home.enabled", "false");
        for (int n = 1; n <= 3; n++) {
            cc.getNetworkConfig().addAddress(cluster.hazelcastAddress(n));
        }
        com.hazelcast.core.HazelcastInstance client = com.hazelcast.client.HazelcastClient.newHazelcastClient(cc);
        try {
            Poll.until(Duration.ofSeconds(90), "the Hazelcast split merged (3 members)",
                    () -> client.getCluster().getMembers().size() == 3);
            com.hazelcast.map.IMap<String, Views.Znode> znodes = client.getMap("znodes");
            Poll.until(Duration.ofSeconds(60), "the znodes view equals the tree after the merge", () -> {
                try {
                    return EnsembleClient.viewMatches(zk, znodes);
                } catch (Exception e) {
                    return false;
                }
            });
            com.hazelcast.map.IMap<Long, Views.Session> sessions = client.getMap("sessions");
            Poll.until(Duration.ofSeconds(60), "the sessions view holds this client's session",
                    () -> sessions.containsKey(zk.getSessionId()));
        } finally {
            client.shutdown();
        }
    }

    private static boolean connectsWithin(String connect, Duration d) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        });
        try {
            return up.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            zk.close();
        }
    }
}
