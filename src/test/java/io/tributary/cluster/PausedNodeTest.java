package io.tributary.cluster;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SIGSTOPped node, whichever it is (the Ratis leader or a follower), leaves the other two serving: a new
 * session opens on each of them and a write through each commits within a few election timeouts, as on a
 * ZooKeeper ensemble with one server stopped. Each node is paused in turn.
 */
class PausedNodeTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void up() {
        cluster = new LocalCluster(dir.resolve("cluster"), 3, Map.of("TRIBUTARY_TICKTIME", "500"));
        cluster.up();
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theOtherTwoServeNewSessionsAndWritesWhileAnyOneNodeIsPaused() throws Exception {
        List<String> timings = new ArrayList<>();
        long worst = 0;
        for (int paused = 1; paused <= 3; paused++) {
            int leader = cluster.awaitLeader(java.time.Duration.ofSeconds(60), cluster.all());
            cluster.run("pause", Integer.toString(paused));
            try {
                for (int other = 1; other <= 3; other++) {
                    if (other == paused) {
                        continue;
                    }
                    long t0 = System.nanoTime();
                    ZooKeeper opened;
                    try {
                        opened = EnsembleClient.connect(cluster, 10_000, other);
                    } catch (AssertionError e) {
                        throw new AssertionError("paused " + paused + " (leader was " + leader + "): no session on "
                                + other + " within 30 s\n" + String.join("\n", timings) + "\n" + cluster.logs(), e);
                    }
                    try (ZooKeeper zk = opened) {
                        long connected = System.nanoTime();
                        zk.create("/p" + paused + "-" + other, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                CreateMode.PERSISTENT);
                        long written = System.nanoTime();
                        long sessionMs = (connected - t0) / 1_000_000;
                        long writeMs = (written - connected) / 1_000_000;
                        worst = Math.max(worst, sessionMs + writeMs);
                        timings.add("paused " + paused + " (leader was " + leader + "), on " + other + ": session "
                                + sessionMs + " ms, create " + writeMs + " ms");
                    }
                }
            } finally {
                cluster.run("resume", Integer.toString(paused));
            }
        }
        System.out.println(String.join("\n", timings));
        assertTrue(worst < 15_000, String.join("\n", timings) + "\n" + cluster.logs());
    }
}
