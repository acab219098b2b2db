package io.tributary.cluster;

import io.tributary.testing.Poll;
import io.tributary.testing.Processes;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's cluster quick start and real clients against a 3-node ensemble started by {@code bin/cluster up}
 * (three JVMs, shared by every test here): zkCli, the ZooKeeper Java client, Curator's LeaderLatch and
 * InterProcessMutex with each client on a different node.
 */
@UsesSharedCluster
class EnsembleClientsTest {
    static LocalCluster cluster;

    @BeforeAll
    static void up() {
        cluster = LocalCluster.ensemble();
        String out = LocalCluster.sharedUpOutput();
        assertTrue(out.contains("ZooKeeper connect: " + cluster.zkConnect()), out);
        assertTrue(out.contains("Kafka bootstrap:   " + cluster.bootstrap()), out);
    }

    static ZooKeeper connect(String connect) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        });
        assertTrue(up.await(30, TimeUnit.SECONDS), "connected to " + connect);
        return zk;
    }

    static void sync(ZooKeeper zk, String path) throws Exception {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        zk.sync(path, (rc, p, ctx) -> done.complete(rc), null);
        assertEquals(0, done.get(30, TimeUnit.SECONDS), "sync rc");
    }

    @Test
    void statusAndSrvrShowExactlyOneLeader() {
        int leader = cluster.awaitLeader(Duration.ofSeconds(60));
        String status = cluster.run("status");
        assertEquals(1, status.lines().filter(l -> l.endsWith(" leader")).count(), status);
        assertEquals(2, status.lines().filter(l -> l.endsWith(" follower")).count(), status);
        String mntr = cluster.fourLetter(leader, "mntr");
        assertTrue(mntr.contains("zk_server_state\tleader"), mntr);
        assertTrue(mntr.contains("zk_quorum_size\t3"), mntr);
        assertTrue(mntr.contains("zk_followers\t2"), mntr);
    }

    @Test
    void zkCliWithAllThreeNodesCreatesAndReads() {
        List<String> server = List.of("-server", cluster.zkConnect());
        Processes.Result created = cli(server, "create", "/zk_cluster_test", "my_data");
        assertTrue(created.all().contains("Created /zk_cluster_test"), created.all());
        for (int node = 1; node <= 3; node++) {
            // Each node alone: the write reached all of them (sync first: reads are local to a node).
            Processes.Result got = cli(List.of("-server", cluster.zkConnect(node)), "sync", "/zk_cluster_test");
            assertEquals(0, got.exitCode(), got.all());
            got = cli(List.of("-server", cluster.zkConnect(node)), "get", "/zk_cluster_test");
            assertTrue(got.stdout().contains("my_data"), "node " + node + ": " + got.all());
        }
        Processes.Result ls = cli(server, "ls", "/");
        assertTrue(ls.stdout().contains("zk_cluster_test"), ls.all());
    }

    private static Processes.Result cli(List<String> server, String... command) {
        List<String> args = new ArrayList<>(server);
        args.addAll(List.of(command));
        return Processes.java("org.apache.zookeeper.ZooKeeperMain", args, null, 120);
    }

    @Test
    void writeOnOneNodeIsReadOnEveryOtherAndFiresTheirWatches() throws Exception {
        try (ZooKeeper a = connect(cluster.zkConnect(1)); ZooKeeper b = connect(cluster.zkConnect(2));
             ZooKeeper c = connect(cluster.zkConnect(3))) {
            a.create("/across", "v0".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            sync(b, "/across");
            LinkedBlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
            assertArrayEquals("v0".getBytes(), b.getData("/across", events::add, new Stat()));
            Stat s = a.setData("/across", "v1".getBytes(), 0);
            WatchedEvent e = events.poll(30, TimeUnit.SECONDS);
            assertNotNull(e, "data watch on node 2 fired for a write through node 1");
            assertEquals(Watcher.Event.EventType.NodeDataChanged, e.getType());
            // After the event, node 2 already has the change (watches fire only once it is applied there).
            Stat seen = new Stat();
            assertArrayEquals("v1".getBytes(), b.getData("/across", false, seen));
            assertEquals(s.getMzxid(), seen.getMzxid());
            sync(c, "/across");
            Stat third = c.exists("/across", false);
            assertEquals(s, third, "node 3 has the same stat");
            // zxids: the epoch (high 32 bits) is the Ratis term, at least 1.
            assertTrue(s.getMzxid() >>> 32 >= 1, Long.toHexString(s.getMzxid()));
            // Validation is the same everywhere: a stale version fails on any node.
            assertEquals(org.apache.zookeeper.KeeperException.Code.BADVERSION, assertThrowsKeeper(() ->
                    c.setData("/across", "x".getBytes(), 0)));
        }
    }

    /**
     * The leader's container and TTL sweep in an ensemble: an emptied container and an expired TTL node made
     * through node 1 are deleted through the log, the deletions fire watches set on node 3, and no node has
     * them afterwards.
     */
    @Test
    void containerAndTtlSweepsDeleteOnEveryNodeAndFireWatches() throws Exception {
        try (ZooKeeper a = connect(cluster.zkConnect(1)); ZooKeeper b = connect(cluster.zkConnect(2));
             ZooKeeper c = connect(cluster.zkConnect(3))) {
            a.create("/box", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
            a.create("/box/item", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            a.create("/short-lived", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL,
                    new Stat(), 1000);
            sync(c, "/");
            LinkedBlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
            assertNotNull(c.exists("/box", events::add));
            assertNotNull(c.exists("/short-lived", events::add));
            b.delete("/box/item", -1); // the container is empty now: the next sweep takes it
            List<String> deleted = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (deleted.size() < 2 && System.nanoTime() < deadline) {
                WatchedEvent e = events.poll(1, TimeUnit.SECONDS);
                if (e != null) {
                    assertEquals(Watcher.Event.EventType.NodeDeleted, e.getType(), e.toString());
                    deleted.add(e.getPath());
                }
            }
            assertEquals(List.of("/box", "/short-lived"), deleted.stream().sorted().toList(),
                    "deletions seen by watches on node 3");
            for (int node = 1; node <= 3; node++) {
                try (ZooKeeper z = connect(cluster.zkConnect(node))) {
                    sync(z, "/");
                    assertNull(z.exists("/box", false), "node " + node);
                    assertNull(z.exists("/short-lived", false), "node " + node);
                }
            }
        }
    }

    interface KeeperCall {
        void run() throws Exception;
    }

    static org.apache.zookeeper.KeeperException.Code assertThrowsKeeper(KeeperCall call) throws Exception {
        try {
            call.run();
        } catch (org.apache.zookeeper.KeeperException e) {
            return e.code();
        }
        throw new AssertionError("expected a KeeperException");
    }

    @Test
    void pipelinedCreateThenReadOnTheSameSessionSeesTheCreate() throws Exception {
        try (ZooKeeper zk = connect(cluster.zkConnect(2))) {
            // Asynchronous calls are pipelined: the read must still see the write sent before it.
            CompletableFuture<Integer> created = new CompletableFuture<>();
            CompletableFuture<byte[]> read = new CompletableFuture<>();
            zk.create("/pipelined", "p".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                    (rc, path, ctx, name) -> created.complete(rc), null);
            zk.getData("/pipelined", false, (rc, path, ctx, data, stat) -> read.complete(rc == 0 ? data : null), null);
            assertEquals(0, created.get(30, TimeUnit.SECONDS));
            assertArrayEquals("p".getBytes(), read.get(30, TimeUnit.SECONDS));
        }
    }

    /**
     * Must-show 6: after a workload, the Hazelcast {@code znodes} and {@code sessions} maps (read with a
     * Hazelcast client, as an operator would) equal the state machine as read with ZooKeeper clients, and every
     * Hazelcast member is on loopback.
     */
    @Test
    void hazelcastViewsEqualTheStateMachineAfterAWorkload() throws Exception {
        try (ZooKeeper a = connect(cluster.zkConnect(1)); ZooKeeper b = connect(cluster.zkConnect(3))) {
            a.create("/views", "v".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (int i = 0; i < 20; i++) {
                a.create("/views/p" + i, ("d" + i).getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            b.create("/views/e", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            a.setData("/views/p3", "changed".getBytes(), 0);
            a.delete("/views/p4", 0);
            com.hazelcast.client.config.ClientConfig cc = new com.hazelcast.client.config.ClientConfig();
            cc.setClusterName("tributary");
            cc.setProperty("hazelcast.phone.home.enabled", "false");
            cc.getNetworkConfig().addAddress(cluster.hazelcastAddress(1), cluster.hazelcastAddress(2));
            com.hazelcast.core.HazelcastInstance client = com.hazelcast.client.HazelcastClient.newHazelcastClient(cc);
            try {
                Poll.until(Duration.ofSeconds(60), "three Hazelcast members", () -> client.getCluster().getMembers().size() == 3);
                for (com.hazelcast.cluster.Member m : client.getCluster().getMembers()) {
                    assertTrue(m.getAddress().getInetAddress().isLoopbackAddress(), "member on loopback: " + m);
                }
                com.hazelcast.map.IMap<String, Views.Znode> znodes = client.getMap("znodes");
                com.hazelcast.map.IMap<Long, Views.Session> sessions = client.getMap("sessions");
                sync(a, "/");
                Poll.until(Duration.ofSeconds(30), "the znodes view equals the tree", () -> {
                    try {
                        return EnsembleClient.viewMatches(a, znodes);
                    } catch (Exception e) {
                        return false;
                    }
                });
                Views.Session s = Poll.value(Duration.ofSeconds(30), "b's session in the sessions view",
                        // The owner is known once node 3 has relayed a touch (every half tick) and a view round ran.
                        () -> sessions.get(b.getSessionId()), v -> v != null && v.ephemerals() == 1 && v.ownerNode() == 3);
                assertEquals(b.getSessionTimeout(), s.timeout());
                assertEquals(3, s.ownerNode(), "the session is held by node 3");
                assertTrue(sessions.containsKey(a.getSessionId()));
                Views.Znode p3 = znodes.get("/views/p3");
                assertArrayEquals("changed".getBytes(), p3.data());
                assertTrue(p3.zxid() >= p3.mzxid(), "a value carries the zxid it reflects");
                assertNull(znodes.get("/views/p4"));
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void kazooWorksAgainstTheEnsemble() {
        // kazoo_smoke.py: create, get, set, watches, ephemerals and kazoo's Lock recipe.
        Processes.Result r = Processes.python("kazoo_smoke.py", List.of(cluster.zkConnect(), "/kazoo-ensemble"), 120);
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("kazoo OK"), r.all());
    }

    private static CuratorFramework curator(String connect) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connect).sessionTimeoutMs(10_000)
                .connectionTimeoutMs(10_000).retryPolicy(new RetryNTimes(20, 200)).build();
        c.start();
        assertTrue(c.blockUntilConnected(30, TimeUnit.SECONDS), "Curator connected to " + connect);
        return c;
    }

    @Test
    void curatorLeaderLatchElectsOneLeaderAcrossNodes() throws Exception {
        List<CuratorFramework> clients = new ArrayList<>();
        List<LeaderLatch> latches = new ArrayList<>();
        try {
            for (int node = 1; node <= 3; node++) {
                CuratorFramework c = curator(cluster.zkConnect(node));
                clients.add(c);
                LeaderLatch l = new LeaderLatch(c, "/latch-across", "client-on-node-" + node);
                l.start();
                latches.add(l);
            }
            Poll.until(Duration.ofSeconds(30), "one latch leader", () -> latches.stream().filter(LeaderLatch::hasLeadership).count() == 1);
            LeaderLatch first = latches.stream().filter(LeaderLatch::hasLeadership).findFirst().orElseThrow();
            String firstId = first.getId();
            for (LeaderLatch l : latches) {
                Poll.until(Duration.ofSeconds(30), "every client sees the same leader",
                        () -> {
                            try {
                                return l.getLeader().getId().equals(firstId);
                            } catch (Exception e) {
                                return false;
                            }
                        });
            }
            first.close();
            latches.remove(first);
            Poll.until(Duration.ofSeconds(30), "a new latch leader after the first resigns",
                    () -> latches.stream().filter(LeaderLatch::hasLeadership).count() == 1);
        } finally {
            for (LeaderLatch l : latches) {
                l.close();
            }
            clients.forEach(CuratorFramework::close);
        }
    }

    @Test
    void curatorInterProcessMutexSerializesReadModifyWriteAcrossNodes() throws Exception {
        List<CuratorFramework> clients = new ArrayList<>();
        try {
            for (int node = 1; node <= 3; node++) {
                clients.add(curator(cluster.zkConnect(node)));
            }
            clients.get(0).create().forPath("/counter", "0".getBytes());
            int perClient = 10;
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (CuratorFramework c : clients) {
                Thread t = new Thread(() -> {
                    InterProcessMutex lock = new InterProcessMutex(c, "/mutex-across");
                    try {
                        for (int i = 0; i < perClient; i++) {
                            assertTrue(lock.acquire(60, TimeUnit.SECONDS), "lock acquired");
                            try {
                                // Unconditional write of a value read under the lock: only mutual exclusion
                                // (and reading the latest value after the acquire) keeps the count right.
                                c.sync().forPath("/counter");
                                int v = Integer.parseInt(new String(c.getData().forPath("/counter"), StandardCharsets.UTF_8));
                                c.setData().forPath("/counter", Integer.toString(v + 1).getBytes());
                            } finally {
                                lock.release();
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join(180_000);
            }
            assertTrue(errors.isEmpty(), errors.toString());
            assertEquals(Integer.toString(3 * perClient),
                    new String(clients.get(1).getData().forPath("/counter"), StandardCharsets.UTF_8));
        } finally {
            clients.forEach(CuratorFramework::close);
        }
    }
}
