package io.tributary.cluster;

import io.tributary.testing.Poll;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults on real node processes (must-show 4): three JVMs started by {@code bin/cluster}, faults injected with
 * {@code bin/cluster kill} (SIGKILL) and {@code pause}/{@code resume} (SIGSTOP/SIGCONT). Each test states the
 * fault, the load, and what it checks. tickTime is 500 ms (sessions of 1-10 s).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@UsesSharedCluster
class ClusterFaultTest {
    static LocalCluster cluster;

    @BeforeAll
    static void up() {
        cluster = LocalCluster.ensemble();
    }

    /** Writers that create unique znodes as fast as they can and remember which creates were acknowledged. */
    static final class Writers implements AutoCloseable {
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();
        final List<ZooKeeper> clients = new ArrayList<>();

        Writers(String parent) throws Exception {
            for (int w = 1; w <= 3; w++) {
                // Writer w starts on node w and moves on in order when that node fails.
                ZooKeeper zk = EnsembleClient.connect(cluster, 10_000, w, w % 3 + 1, (w + 1) % 3 + 1);
                clients.add(zk);
                int id = w;
                Thread t = new Thread(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        String path = parent + "/w" + id + "-" + n;
                        try {
                            zk.create(path, new byte[16], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                            acked.add(path);
                        } catch (KeeperException e) {
                            failures.incrementAndGet(); // connection loss: outcome unknown, not counted as acked
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "writer-" + w);
                threads.add(t);
                t.start();
            }
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
            }
            for (ZooKeeper zk : clients) {
                zk.close();
            }
        }
    }

    private static void restart(int... nodes) {
        for (int n : nodes) {
            cluster.run("start", Integer.toString(n));
        }
        cluster.awaitLeader(Duration.ofSeconds(120));
    }

    /** Every node holds the same tree (digest after sync), and it holds every acknowledged path. */
    private static void assertConverged(Set<String> acked) throws Exception {
        for (int node = 1; node <= 3; node++) {
            try (ZooKeeper zk = EnsembleClient.connect(cluster, 10_000, node)) {
                EnsembleClient.sync(zk, "/");
                for (String path : acked) {
                    assertNotNull(zk.exists(path, false), "acknowledged " + path + " is on node " + node);
                }
            }
        }
        EnsembleClient.awaitSameTree(cluster, Duration.ofSeconds(60), 1, 2, 3);
    }

    /**
     * Fault: kill -9 of the leader while three clients (one per node) create znodes in a loop. Checks: writes
     * resume after the election (every writer gets more acknowledged), no acknowledged create is lost, and once
     * the killed node is back all three hold the same tree.
     */
    @Test
    @org.junit.jupiter.api.Order(1)
    void killingTheLeaderUnderWriteLoadLosesNoAcknowledgedWrite() throws Exception {
        try (ZooKeeper admin = EnsembleClient.connect(cluster, 10_000, 1, 2, 3)) {
            admin.create("/load", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        int leader = cluster.awaitLeader(Duration.ofSeconds(60));
        Set<String> acked;
        try (Writers writers = new Writers("/load")) {
            Poll.until(Duration.ofSeconds(60), "300 acknowledged creates before the fault", () -> writers.acked.size() >= 300);
            cluster.run("kill", Integer.toString(leader));
            int atKill = writers.acked.size();
            Poll.until(Duration.ofSeconds(90), "300 more acknowledged creates after the leader died",
                    () -> writers.acked.size() >= atKill + 300);
            writers.close();
            acked = Set.copyOf(writers.acked);
        }
        restart(leader);
        assertConverged(acked);
    }

    /**
     * Fault: kill -9 of all three nodes at once after a client's creates and setData calls were acknowledged,
     * then all three started again. Checks: every acknowledged create is there, the register holds the last
     * acknowledged value, and the nodes agree.
     */
    @Test
    @org.junit.jupiter.api.Order(2)
    void allThreeKilledAndRestartedLoseNothingAcknowledged() throws Exception {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        byte[] last;
        try (ZooKeeper zk = EnsembleClient.connect(cluster, 10_000, 2, 3, 1)) {
            zk.create("/all", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create("/all/register", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (int i = 0; i < 200; i++) {
                String p = zk.create("/all/n-", new byte[8], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
                acked.add(p);
                zk.setData("/all/register", ("v" + i).getBytes(), i);
            }
            last = zk.getData("/all/register", false, null);
        }
        for (int n = 1; n <= 3; n++) {
            cluster.run("kill", Integer.toString(n));
        }
        restart(1, 2, 3);
        try (ZooKeeper zk = EnsembleClient.connect(cluster, 10_000, 1, 2, 3)) {
            EnsembleClient.sync(zk, "/all/register");
            Stat s = new Stat();
            assertArrayEquals(last, zk.getData("/all/register", false, s));
            assertEquals(200, s.getVersion());
        }
        assertConverged(acked);
    }

    /**
     * Fault: a clean stop (SIGTERM) of a follower after a load of writes, then a start on its data. Checks: Ratis
     * snapshotted the coordination state at stop (in the engine's Snapshots format), the restarted node
     * restores it, replays the log after it, and holds the same tree as the others.
     */
    @Test
    @org.junit.jupiter.api.Order(4)
    void aStoppedNodeRestartsFromItsRatisSnapshot() throws Exception {
        int leader = cluster.awaitLeader(Duration.ofSeconds(60));
        int follower = java.util.Arrays.stream(cluster.all()).filter(n -> n != leader).findFirst().orElseThrow();
        try (ZooKeeper zk = EnsembleClient.connect(cluster, 10_000, leader)) {
            zk.create("/snap", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (int i = 0; i < 50; i++) {
                zk.create("/snap/n" + i, new byte[32], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            cluster.run("stop", Integer.toString(follower));
            assertTrue(cluster.nodeLog(follower).contains("coordination snapshot at term"), "a snapshot at stop");
            zk.create("/snap/after-stop", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        restart(follower);
        assertTrue(cluster.nodeLog(follower).contains("coordination state restored from Ratis snapshot"),
                "the restart loaded the snapshot");
        assertConverged(Set.of("/snap/n49", "/snap/after-stop"));
    }

    /**
     * Fault: kill -9 of a follower, then 5,000 creates through the leader (several snapshots, the log they
     * cover purged). Checks: the restarted follower is sent the leader's snapshot (its log says it replaced
     * its state with one), and converges to the same tree with every acknowledged create.
     */
    @Test
    @org.junit.jupiter.api.Order(5)
    void aFollowerBehindThePurgedLogCatchesUpFromTheLeadersSnapshot() throws Exception {
        int leader = cluster.awaitLeader(Duration.ofSeconds(60));
        int follower = java.util.Arrays.stream(cluster.all()).filter(n -> n != leader).findFirst().orElseThrow();
        cluster.run("kill", Integer.toString(follower));
        Set<String> acked = ConcurrentHashMap.newKeySet();
        try (ZooKeeper zk = EnsembleClient.connect(cluster, 10_000, leader)) {
            zk.create("/behind", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(200);
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(5000);
            for (int i = 0; i < 5000; i++) {
                window.acquire();
                String path = "/behind/n" + i;
                zk.create(path, new byte[64], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, (rc, p, ctx, name) -> {
                    if (rc == 0) {
                        acked.add(p);
                    }
                    window.release();
                    done.countDown();
                }, null);
            }
            assertTrue(done.await(120, TimeUnit.SECONDS), "every create answered");
        }
        assertEquals(5000, acked.size(), "every create acknowledged with a majority up");
        restart(follower);
        Poll.until(Duration.ofSeconds(120), "node " + follower + " installs the leader's snapshot", () -> cluster.nodeLog(follower)
                .contains("replacing the coordination state with a snapshot installed from the leader"));
        assertConverged(acked);
    }

    /**
     * Fault: SIGSTOP of the leader for longer than the election timeout and its client's session timeout, then
     * SIGCONT. Load: one client pinned to the paused leader (3 s session, an ephemeral, a setData sent while
     * paused) and one client on the others writing the same znode. Checks: the others elect a leader and
     * acknowledge writes, the new leader expires the pinned session (its ephemeral goes), the resumed node
     * steps down to follower, the write sent to it is never acknowledged, and all nodes converge.
     */
    @Test
    @org.junit.jupiter.api.Order(3)
    void pausedLeaderStepsDownAndAcknowledgesNoSplitBrainWrite() throws Exception {
        int leader = cluster.awaitLeader(Duration.ofSeconds(60));
        int[] others = java.util.Arrays.stream(cluster.all()).filter(n -> n != leader).toArray();
        try (ZooKeeper y = EnsembleClient.connect(cluster, 10_000, others)) {
            y.create("/split", "before".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            ZooKeeper x = EnsembleClient.connect(cluster, 3000, leader);
            try {
                x.create("/split-eph", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                EnsembleClient.sync(x, "/split");
                cluster.run("pause", Integer.toString(leader));
                CompletableFuture<Integer> xWrite = new CompletableFuture<>();
                x.setData("/split", "from-the-paused-leader".getBytes(), -1,
                        (AsyncCallback.StatCallback) (rc, path, ctx, stat) -> xWrite.complete(rc), null);

                int newLeader = cluster.awaitLeader(Duration.ofSeconds(60), others);
                // A client may see CONNECTIONLOSS while its node's log client finds the new leader; it retries,
                // as ZooKeeper clients do (an unconditional setData is safe to repeat).
                Stat after = Poll.value(Duration.ofSeconds(60), "a write acknowledged by the majority", () -> {
                    try {
                        return y.setData("/split", "from-the-new-leader".getBytes(), -1);
                    } catch (KeeperException.ConnectionLossException e) {
                        return null;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }, java.util.Objects::nonNull);
                assertTrue(after.getMzxid() >>> 32 > 1, "a new epoch: 0x" + Long.toHexString(after.getMzxid()));
                Poll.until(Duration.ofSeconds(60), "the new leader (node " + newLeader + ") expired the paused node's client",
                        () -> {
                            try {
                                return y.exists("/split-eph", false) == null;
                            } catch (Exception e) {
                                return false;
                            }
                        });
                cluster.run("resume", Integer.toString(leader));
                Poll.until(Duration.ofSeconds(60), "the resumed node follows", () -> cluster.mode(leader).equals("follower"));
                int rc = xWrite.get(60, TimeUnit.SECONDS);
                assertTrue(rc == KeeperException.Code.CONNECTIONLOSS.intValue()
                                || rc == KeeperException.Code.SESSIONEXPIRED.intValue(),
                        "the write sent to the paused leader was not acknowledged, rc=" + rc);
            } finally {
                x.close();
            }
            try (ZooKeeper old = EnsembleClient.connect(cluster, 10_000, leader)) {
                EnsembleClient.sync(old, "/split");
                assertArrayEquals("from-the-new-leader".getBytes(), old.getData("/split", false, null));
                assertNull(old.exists("/split-eph", false));
            }
        }
        assertConverged(Set.of("/split"));
    }

    /**
     * Fault: SIGSTOP of each node in turn (the Ratis leader or a follower). Checks: on each of the other two a new
     * session opens and a create commits within a few election timeouts, as on a ZooKeeper ensemble with one
     * server stopped (a new Ratis client once aimed its first request at node 1 whatever the leader, and with
     * node 1 paused the others could not open a session for as long as the pause lasted).
     */
    @Test
    @org.junit.jupiter.api.Order(6)
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
