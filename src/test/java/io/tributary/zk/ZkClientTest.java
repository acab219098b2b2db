package io.tributary.zk;

import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real ZooKeeper 3.9 Java client against an in-process node: every op code it sends. */
class ZkClientTest {
    @TempDir
    static Path dir;
    static TestNode node;
    /** Where the clients connect: the node, or (in {@code ZkClientOnEnsembleTest}) a 3-node ensemble. */
    static String connectString;
    static int serverCount = 1;
    ZooKeeper zk;
    final ZkSupport.Events events = new ZkSupport.Events();

    @BeforeAll
    static void start() {
        node = TestNode.start(dir);
        connectString = node.zkConnect();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @BeforeEach
    void connect() throws Exception {
        zk = ZkSupport.connect(connectString, 10_000, events);
    }

    @AfterEach
    void close() throws Exception {
        zk.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void createGetSetDeleteWithStatBookkeeping() throws Exception {
        assertEquals("/crud", zk.create("/crud", b("v0"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        Stat stat = new Stat();
        assertArrayEquals(b("v0"), zk.getData("/crud", false, stat));
        assertEquals(0, stat.getVersion());
        assertEquals(stat.getCzxid(), stat.getMzxid());
        assertEquals(2, stat.getDataLength());
        Stat set = zk.setData("/crud", b("v1"), 0);
        assertEquals(1, set.getVersion());
        assertTrue(set.getMzxid() > stat.getMzxid());
        assertThrows(KeeperException.BadVersionException.class, () -> zk.setData("/crud", b("x"), 0));
        assertThrows(KeeperException.NodeExistsException.class,
                () -> zk.create("/crud", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        Stat created = new Stat();
        zk.create("/crud/child", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, created);
        assertTrue(created.getCzxid() > 0, "create2 returns the stat");
        Stat parent = zk.exists("/crud", false);
        assertEquals(1, parent.getNumChildren());
        assertEquals(1, parent.getCversion());
        assertEquals(created.getCzxid(), parent.getPzxid());
        assertThrows(KeeperException.NotEmptyException.class, () -> zk.delete("/crud", -1));
        assertThrows(KeeperException.NoNodeException.class, () -> zk.getData("/crud/none", false, null));
        zk.delete("/crud/child", 0);
        assertThrows(KeeperException.BadVersionException.class, () -> zk.delete("/crud", 0));
        zk.delete("/crud", 1);
        assertNull(zk.exists("/crud", false));
        // The server id of the node that created the session (node.id 1 alone; 1..3 in an ensemble).
        long server = zk.getSessionId() >>> 56;
        assertTrue(server >= 1 && server <= serverCount, "session ids carry the server id in the top byte: " + server);
    }

    @Test
    void sequentialEphemeralContainerAndTtlNodes() throws Exception {
        zk.create("/seq", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertEquals("/seq/n-0000000000", zk.create("/seq/n-", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL));
        assertEquals("/seq/n-0000000001", zk.create("/seq/n-", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL));
        String eph = zk.create("/seq/e", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        assertEquals(zk.getSessionId(), zk.exists(eph, false).getEphemeralOwner());
        assertThrows(KeeperException.NoChildrenForEphemeralsException.class,
                () -> zk.create("/seq/e/x", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        assertEquals(List.of("/seq/e", "/seq/n-0000000001"), sorted(zk.getEphemerals("/seq")));
        assertEquals(3, zk.getAllChildrenNumber("/seq"));

        zk.create("/container", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
        assertEquals(Long.MIN_VALUE, zk.exists("/container", false).getEphemeralOwner());
        Stat ttlStat = new Stat();
        zk.create("/ttl", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, ttlStat, 60_000);
        assertNotNull(zk.exists("/ttl", false));
    }

    private static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        c.sort(null);
        return c;
    }

    @Test
    void dataUpToTheLimitIsStoredAndAPacketOverJuteMaxbufferCostsTheConnection() throws Exception {
        byte[] big = new byte[1_000_000];
        big[999_999] = 7;
        zk.create("/big", big, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertArrayEquals(big, zk.getData("/big", false, null));
        byte[] tooBig = new byte[1024 * 1024];
        assertThrows(KeeperException.ConnectionLossException.class, () -> zk.setData("/big", tooBig, -1));
        // The client reconnects on its own; a request racing with its reconnect fails with ConnectionLoss
        // (and is retried here, as Curator's retry policies do).
        byte[] after = null;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (after == null) {
            try {
                after = zk.getData("/big", false, null);
            } catch (KeeperException.ConnectionLossException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Poll.until(java.time.Duration.ofSeconds(20), "the client reconnected", () -> zk.getState().isConnected());
            }
        }
        assertArrayEquals(big, after, "client reconnects; the node is unchanged");
    }

    @Test
    void multiIsAtomicAndReportsPerOpResults() throws Exception {
        zk.create("/multi", b("0"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        KeeperException e = assertThrows(KeeperException.class, () -> zk.multi(List.of(
                Op.create("/multi/a", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData("/multi", b("1"), 0),
                Op.check("/multi", 5))));
        assertEquals(KeeperException.Code.BADVERSION, e.code());
        List<OpResult> results = e.getResults();
        assertEquals(3, results.size());
        assertEquals(0, ((OpResult.ErrorResult) results.get(0)).getErr());
        assertEquals(KeeperException.Code.BADVERSION.intValue(), ((OpResult.ErrorResult) results.get(2)).getErr());
        assertNull(zk.exists("/multi/a", false), "rolled back");
        assertEquals(0, zk.exists("/multi", false).getVersion());

        List<OpResult> ok = zk.multi(List.of(
                Op.create("/multi/a", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create("/multi/s-", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL),
                Op.setData("/multi", b("1"), 0),
                Op.check("/multi", 1),
                Op.delete("/multi/a", 0)));
        assertEquals("/multi/s-0000000001", ((OpResult.CreateResult) ok.get(1)).getPath());
        assertEquals(1, ((OpResult.SetDataResult) ok.get(2)).getStat().getVersion());
        assertInstanceOf(OpResult.CheckResult.class, ok.get(3));
        assertInstanceOf(OpResult.DeleteResult.class, ok.get(4));

        List<OpResult> reads = zk.multi(List.of(Op.getData("/multi"), Op.getChildren("/multi"), Op.getData("/none")));
        assertArrayEquals(b("1"), ((OpResult.GetDataResult) reads.get(0)).getData());
        assertEquals(List.of("s-0000000001"), ((OpResult.GetChildrenResult) reads.get(1)).getChildren());
        assertEquals(KeeperException.Code.NONODE.intValue(), ((OpResult.ErrorResult) reads.get(2)).getErr());
    }

    @Test
    void digestAuthAndAclDenial() throws Exception {
        ZooKeeper other = ZkSupport.connect(connectString, 10_000, null);
        try {
            zk.addAuthInfo("digest", b("alice:secret"));
            Id alice = new Id("digest", DigestAuthenticationProvider.generateDigest("alice:secret"));
            zk.create("/private", b("s"), new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, alice))), CreateMode.PERSISTENT);
            other.sync("/private", (rc, path, ctx) -> { }, null); // another client's write (another server, in an ensemble)
            assertThrows(KeeperException.NoAuthException.class, () -> other.getData("/private", false, null));
            assertThrows(KeeperException.NoAuthException.class, () -> other.setData("/private", b("x"), -1));
            assertNotNull(other.exists("/private", false));
            assertArrayEquals(b("s"), zk.getData("/private", false, null));
            zk.create("/mine", b(""), ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
            assertEquals(List.of(new ACL(ZooDefs.Perms.ALL, alice)), zk.getACL("/mine", new Stat()));
            assertThrows(KeeperException.InvalidACLException.class,
                    () -> other.create("/x", b(""), ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT));
            Stat acl = zk.setACL("/mine", ZooDefs.Ids.READ_ACL_UNSAFE, 0);
            assertEquals(1, acl.getAversion());
            assertThrows(KeeperException.NoAuthException.class, () -> other.setData("/mine", b("x"), -1));
            other.addAuthInfo("digest", b("alice:secret"));
            assertArrayEquals(b("s"), other.getData("/private", false, null));
            List<ClientInfo> who = other.whoAmI();
            assertTrue(who.stream().anyMatch(c -> c.getAuthScheme().equals("digest") && c.getUser().equals("alice")), who.toString());
        } finally {
            other.close();
        }
    }

    @Test
    void oneShotWatchesFollowZooKeepersTriggerRules() throws Exception {
        ZooKeeper writer = ZkSupport.connect(connectString, 10_000, null);
        try {
            zk.create("/w", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertNull(zk.exists("/w/c", true));
            zk.getChildren("/w", true);
            writer.create("/w/c", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertEvent(events.next(), EventType.NodeCreated, "/w/c");
            assertEvent(events.next(), EventType.NodeChildrenChanged, "/w");

            zk.getData("/w/c", true, null);
            writer.setData("/w/c", b("1"), -1);
            assertEvent(events.next(), EventType.NodeDataChanged, "/w/c");
            writer.setData("/w/c", b("2"), -1);
            assertNull(events.poll(300), "one-shot");

            zk.getData("/w/c", true, null);
            zk.getChildren("/w/c", true);
            zk.getChildren("/w", true);
            writer.delete("/w/c", -1);
            List<String> seen = List.of(describe(events.next()), describe(events.next()));
            assertTrue(seen.contains("NodeDeleted /w/c") && seen.contains("NodeChildrenChanged /w"), seen.toString());
            assertNull(events.poll(300), "the node's data and child watches give one NodeDeleted");
        } finally {
            writer.close();
        }
    }

    @Test
    void watchEventArrivesBeforeTheNewDataCanBeRead() throws Exception {
        zk.create("/order", b("0"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        CountDownLatch fired = new CountDownLatch(1);
        AtomicInteger badOrder = new AtomicInteger();
        ZooKeeper writer = ZkSupport.connect(connectString, 10_000, null);
        try {
            zk.getData("/order", e -> fired.countDown(), null);
            writer.setData("/order", b("1"), -1);
            // Poll until the new value is visible: by then the event must already have been delivered. Read
            // asynchronously: the client runs callbacks and watch events on one thread, in the order the server
            // sent them (a synchronous read's reply wakes the caller before that thread may have run the event).
            for (Boolean inOrder = null; inOrder == null; ) {
                CompletableFuture<Boolean> seen = new CompletableFuture<>();
                zk.getData("/order", false, (rc, path, ctx, data, stat) -> seen.complete(
                        data != null && new String(data, StandardCharsets.UTF_8).equals("1") ? fired.getCount() == 0 : null), null);
                inOrder = seen.get(30, TimeUnit.SECONDS);
                if (Boolean.FALSE.equals(inOrder)) {
                    badOrder.incrementAndGet();
                }
            }
            assertEquals(0, badOrder.get(), "the watch event precedes the read that shows the change");
        } finally {
            writer.close();
        }
    }

    @Test
    void persistentRecursiveWatchAndRemoveWatches() throws Exception {
        ZooKeeper writer = ZkSupport.connect(connectString, 10_000, null);
        try {
            zk.create("/tree", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            ZkSupport.Events rec = new ZkSupport.Events();
            zk.addWatch("/tree", rec, AddWatchMode.PERSISTENT_RECURSIVE);
            writer.create("/tree/a", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.create("/tree/a/b", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.setData("/tree/a/b", b("x"), -1);
            writer.setData("/tree/a/b", b("y"), -1);
            assertEvent(rec.next(), EventType.NodeCreated, "/tree/a");
            assertEvent(rec.next(), EventType.NodeCreated, "/tree/a/b");
            assertEvent(rec.next(), EventType.NodeDataChanged, "/tree/a/b");
            assertEvent(rec.next(), EventType.NodeDataChanged, "/tree/a/b");
            zk.removeWatches("/tree", rec, Watcher.WatcherType.Any, false);
            writer.setData("/tree/a", b("z"), -1);
            WatchedEvent after = rec.poll(300);
            assertTrue(after == null || after.getType() == EventType.PersistentWatchRemoved, "removed: " + after);
            assertThrows(KeeperException.NoWatcherException.class,
                    () -> zk.removeWatches("/tree", rec, Watcher.WatcherType.Data, false));
            zk.sync("/tree");
        } finally {
            writer.close();
        }
    }

    /**
     * CVE-2024-23944, as ZooKeeper 3.9.2 fixed it: a persistent recursive watch does not tell a client about
     * descendants it may not READ (created, changed or deleted), and still tells it about those it may.
     */
    @Test
    void persistentRecursiveWatchSkipsDescendantsTheWatcherMayNotRead() throws Exception {
        ZooKeeper alice = ZkSupport.connect(connectString, 10_000, null);
        try {
            alice.addAuthInfo("digest", b("alice:secret"));
            List<ACL> aliceOnly = new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL,
                    new Id("digest", DigestAuthenticationProvider.generateDigest("alice:secret")))));
            zk.create("/guarded", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            ZkSupport.Events rec = new ZkSupport.Events();
            zk.addWatch("/guarded", rec, AddWatchMode.PERSISTENT_RECURSIVE);
            ZkSupport.Events aliceRec = new ZkSupport.Events();
            alice.addWatch("/guarded", aliceRec, AddWatchMode.PERSISTENT_RECURSIVE);
            alice.create("/guarded/secret", b("s"), aliceOnly, CreateMode.PERSISTENT);
            alice.setData("/guarded/secret", b("t"), -1);
            alice.create("/guarded/open", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            alice.delete("/guarded/secret", -1);
            alice.setData("/guarded/open", b("x"), -1);
            // Events come in zxid order: anything about /guarded/secret would arrive before these.
            assertEvent(rec.next(), EventType.NodeCreated, "/guarded/open");
            assertEvent(rec.next(), EventType.NodeDataChanged, "/guarded/open");
            // Alice may read it: she hears of everything.
            assertEvent(aliceRec.next(), EventType.NodeCreated, "/guarded/secret");
            assertEvent(aliceRec.next(), EventType.NodeDataChanged, "/guarded/secret");
            assertEvent(aliceRec.next(), EventType.NodeCreated, "/guarded/open");
            assertEvent(aliceRec.next(), EventType.NodeDeleted, "/guarded/secret");
            assertEvent(aliceRec.next(), EventType.NodeDataChanged, "/guarded/open");
        } finally {
            alice.close();
        }
    }

    private static String describe(WatchedEvent e) {
        return e.getType() + " " + e.getPath();
    }

    private static void assertEvent(WatchedEvent e, EventType type, String path) {
        assertEquals(type + " " + path, describe(e));
    }

    @Test
    void asyncRequestsAreAnsweredInOrder() throws Exception {
        zk.create("/async", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        int n = 500;
        CountDownLatch done = new CountDownLatch(n);
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            final int idx = i;
            if (i % 2 == 0) {
                zk.create("/async/n-", b(""), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL,
                        (rc, path, ctx, name) -> {
                            order.add(idx + ":" + rc);
                            done.countDown();
                        }, null);
            } else {
                zk.exists("/async", false, (rc, path, ctx, stat) -> {
                    order.add(idx + ":" + rc);
                    done.countDown();
                }, null);
            }
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        for (int i = 0; i < n; i++) {
            assertEquals(i + ":0", order.get(i));
        }
        assertEquals(n / 2, zk.getChildren("/async", false).size());
    }
}
