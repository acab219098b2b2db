package io.tributary.http;

import io.tributary.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Znode watches over {@code /ws} with Vert.x's WebSocket client while the real ZooKeeper Java client
 * changes the tree: every mode, the initial snapshot with no gap, zxid order, ACLs.
 */
class WsWatchTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static Vertx vertx;
    static ZooKeeper zk;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1"));
        vertx = Vertx.vertx();
        CountDownLatch up = new CountDownLatch(1);
        zk = new ZooKeeper(node.zkConnect(), 30_000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        });
        assertTrue(up.await(20, TimeUnit.SECONDS), "ZooKeeper client connected");
    }

    @AfterAll
    static void stop() throws Exception {
        zk.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        node.close();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static JsonObject watch(String id, String path, String mode, boolean initial) {
        return new JsonObject().put("type", "subscribe").put("id", id)
                .put("watch", new JsonObject().put("path", path).put("mode", mode).put("initial", initial));
    }

    /** A ping answered with a pong proves every frame the server sent before it has arrived. */
    static List<JsonObject> framesUntilPong(WsClient c, String id) {
        c.send(new JsonObject().put("type", "ping"));
        List<JsonObject> seen = new ArrayList<>();
        c.next(f -> {
            if (id.equals(f.getString("id"))) {
                seen.add(f);
            }
            return "pong".equals(f.getString("type"));
        }, "pong");
        return seen;
    }

    @Test
    void dataModeSendsTheSnapshotThenFiresOnceAndCompletes() throws Exception {
        zk.create("/data-mode", utf8("v0"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(watch("d", "/data-mode", "data", true));
            JsonObject snap = c.nextFor("d");
            assertEquals("snapshot", snap.getString("type"), snap.encode());
            assertEquals("v0", snap.getString("data"));
            assertEquals(0, snap.getJsonObject("stat").getInteger("version"));
            Stat s = zk.setData("/data-mode", utf8("v1"), -1);
            JsonObject ev = c.nextFor("d");
            assertEquals("event", ev.getString("type"), ev.encode());
            assertEquals("NodeDataChanged", ev.getString("event"));
            assertEquals("/data-mode", ev.getString("path"));
            assertEquals(s.getMzxid(), ev.getLong("zxid"));
            JsonObject done = c.nextFor("d");
            assertEquals("complete", done.getString("type"), done.encode());
            zk.setData("/data-mode", utf8("v2"), -1);
            assertEquals(List.of(), framesUntilPong(c, "d"), "a one-shot watch fires once");
        }
    }

    @Test
    void childrenModeFiresOnTheFirstChildChange() throws Exception {
        zk.create("/children-mode", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/children-mode/a", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(watch("c", "/children-mode", "children", true));
            JsonObject snap = c.nextFor("c");
            assertEquals(List.of("a"), snap.getJsonArray("children").getList());
            zk.setData("/children-mode", utf8("x"), -1); // not a child change
            zk.create("/children-mode/b", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            JsonObject ev = c.nextFor("c");
            assertEquals("NodeChildrenChanged", ev.getString("event"), ev.encode());
            assertEquals("complete", c.nextFor("c").getString("type"));
        }
    }

    @Test
    void persistentModeLastsUntilUnsubscribe() throws Exception {
        zk.create("/persistent-mode", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(watch("p", "/persistent-mode", "persistent", false));
            assertEquals("subscribed", c.nextFor("p").getString("type"));
            for (int i = 0; i < 3; i++) {
                zk.setData("/persistent-mode", utf8("v" + i), -1);
                assertEquals("NodeDataChanged", c.nextFor("p").getString("event"));
            }
            zk.create("/persistent-mode/kid", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertEquals("NodeChildrenChanged", c.nextFor("p").getString("event"));
            c.send(new JsonObject().put("type", "unsubscribe").put("id", "p"));
            JsonObject done = c.nextFor("p");
            assertEquals("complete", done.getString("type"));
            assertEquals("unsubscribed", done.getString("reason"));
            zk.setData("/persistent-mode", utf8("after"), -1);
            assertEquals(List.of(), framesUntilPong(c, "p"), "no event after unsubscribe");
        }
    }

    @Test
    void persistentRecursiveSeesTheSubtreeWithDataIncluded() throws Exception {
        zk.create("/recursive", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(new JsonObject().put("type", "subscribe").put("id", "r").put("watch", new JsonObject()
                    .put("path", "/recursive").put("mode", "persistent-recursive").put("include", "data")));
            assertEquals("subscribed", c.nextFor("r").getString("type"));
            zk.create("/recursive/a", utf8("hello"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create("/recursive/a/b", new byte[]{(byte) 0xff, 0, 1}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Stat s = zk.setData("/recursive/a", utf8("world"), -1);
            JsonObject created = c.nextFor("r");
            assertEquals("NodeCreated", created.getString("event"));
            assertEquals("/recursive/a", created.getString("path"));
            JsonObject createdB = c.nextFor("r");
            assertEquals("/recursive/a/b", createdB.getString("path"));
            assertEquals("/wAB", createdB.getString("data_base64"), "bytes that are not UTF-8 come as base64");
            JsonObject changed = c.nextFor("r");
            assertEquals("NodeDataChanged", changed.getString("event"));
            assertEquals("world", changed.getString("data"));
            assertEquals(s.getVersion(), changed.getJsonObject("stat").getInteger("version"));
            // Deleted once its creation was seen (a descendant created and deleted before the socket could check
            // its ACL is withheld both times: docs/websocket.md).
            zk.delete("/recursive/a/b", -1);
            JsonObject deleted = c.nextFor("r");
            assertEquals("NodeDeleted", deleted.getString("event"));
            assertEquals("/recursive/a/b", deleted.getString("path"));
            assertTrue(created.getLong("zxid") < createdB.getLong("zxid") && createdB.getLong("zxid") < changed.getLong("zxid")
                    && changed.getLong("zxid") < deleted.getLong("zxid"), "zxid order");
        }
    }

    /**
     * A writer sets the node as fast as it can while the socket subscribes with a snapshot: every write
     * after the snapshot's mzxid arrives exactly once, in zxid order, and none before it.
     */
    @Test
    void initialSnapshotAndEventsHaveNoGapAndNoDuplicateUnderARacingWriter() throws Exception {
        zk.create("/race", utf8("0"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        ConcurrentLinkedQueue<Long> written = new ConcurrentLinkedQueue<>();
        AtomicBoolean run = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            int i = 1;
            try {
                while (run.get()) {
                    written.add(zk.setData("/race", utf8(Integer.toString(i++)), -1).getMzxid());
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            io.tributary.testing.Poll.until(java.time.Duration.ofSeconds(10), "writes before subscribing", () -> written.size() > 20);
            c.send(watch("race", "/race", "persistent", true));
            JsonObject snap = c.nextFor("race");
            assertEquals("snapshot", snap.getString("type"), snap.encode());
            long snapMzxid = snap.getJsonObject("stat").getLong("mzxid");
            io.tributary.testing.Poll.until(java.time.Duration.ofSeconds(10), "writes after subscribing",
                    () -> written.stream().filter(z -> z > snapMzxid).count() > 20);
            run.set(false);
            writer.join();
            List<Long> expected = written.stream().filter(z -> z > snapMzxid).toList();
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                JsonObject e = c.nextFor("race");
                assertEquals("NodeDataChanged", e.getString("event"), e.encode());
                seen.add(e.getLong("zxid"));
            }
            assertEquals(expected, seen, "every write after the snapshot exactly once, in zxid order");
            assertTrue(written.contains(snapMzxid), "the snapshot is one of the written states");
            assertEquals(List.of(), framesUntilPong(c, "race"), "nothing more");
        } finally {
            run.set(false);
            writer.join();
        }
    }

    @Test
    void aclsApplyWithInitCredentialsOrBasicOnTheUpgrade() throws Exception {
        String digest = DigestAuthenticationProvider.generateDigest("alice:secret");
        zk.create("/private", utf8("hidden"), new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", digest)))),
                CreateMode.PERSISTENT);
        try (WsClient anon = WsClient.connect(vertx, node.httpPort())) {
            anon.send(watch("x", "/private", "persistent", true));
            JsonObject err = anon.nextFor("x");
            assertEquals("error", err.getString("type"), err.encode());
            assertEquals(40301, err.getInteger("error_code"));
            anon.send(new JsonObject().put("type", "init").put("auth", new JsonObject()
                    .put("scheme", "digest").put("credentials", "mallory:guess")));
            anon.nextOfType("ready");
            anon.send(watch("y", "/private", "data", true));
            assertEquals(40301, anon.nextFor("y").getInteger("error_code"), "wrong credentials");
        }
        try (WsClient alice = WsClient.connect(vertx, node.httpPort())) {
            alice.send(new JsonObject().put("type", "init").put("auth", new io.vertx.core.json.JsonArray()
                    .add(new JsonObject().put("scheme", "digest").put("credentials", "alice:secret"))));
            JsonObject ready = alice.nextOfType("ready");
            assertTrue(ready.getJsonArray("ids").contains("digest:alice"), ready.encode());
            alice.send(watch("x", "/private", "data", true));
            assertEquals("hidden", alice.nextFor("x").getString("data"));
        }
        try (WsClient basic = WsClient.connect(vertx, node.httpPort(), "alice:secret")) {
            basic.send(watch("x", "/private", "data", true));
            assertEquals("hidden", basic.nextFor("x").getString("data"));
        }
    }

    /** Adds the socket's events of subscription "m" to {@code saw}, in order, up to and including {@code last}. */
    private static void eventsUntil(WsClient c, List<String> saw, String last) {
        String e;
        do {
            JsonObject f = c.nextFor("m");
            e = f.getString("event") + " " + f.getString("path");
            saw.add(e);
        } while (!e.equals(last));
    }

    /** As ZooKeeper checks READ on each node before a persistent recursive event (CVE-2024-23944). */
    @Test
    void aRecursiveWatchTellsOnlyOfDescendantsItsIdsMayRead() throws Exception {
        List<ACL> aliceOnly = new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL,
                new Id("digest", DigestAuthenticationProvider.generateDigest("alice:secret")))));
        zk.create("/mixed", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/mixed/old-secret", utf8("s0"), aliceOnly, CreateMode.PERSISTENT);
        try (WsClient anon = WsClient.connect(vertx, node.httpPort()); WsClient alice = WsClient.connect(vertx, node.httpPort(), "alice:secret")) {
            for (WsClient c : new WsClient[]{anon, alice}) {
                c.send(new JsonObject().put("type", "subscribe").put("id", "m").put("watch", new JsonObject()
                        .put("path", "/mixed").put("mode", "persistent-recursive")));
                assertEquals("subscribed", c.nextFor("m").getString("type"));
            }
            zk.create("/mixed/open", utf8("o"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.create("/mixed/secret", utf8("s"), aliceOnly, CreateMode.PERSISTENT);
            zk.addAuthInfo("digest", utf8("alice:secret"));
            zk.create("/mixed/secret/deeper", utf8("d"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.setData("/mixed/secret", utf8("s2"), -1);
            zk.setData("/mixed/open", utf8("o2"), -1);
            // Both sockets have checked every node created so far once the open node's change reached them
            // (frames keep their order); a node deleted before its check would be withheld for everyone.
            List<String> anonSaw = new ArrayList<>();
            List<String> aliceSaw = new ArrayList<>();
            for (WsClient c : new WsClient[]{anon, alice}) {
                eventsUntil(c, c == anon ? anonSaw : aliceSaw, "NodeDataChanged /mixed/open");
            }
            zk.delete("/mixed/secret/deeper", -1);
            zk.delete("/mixed/secret", -1);
            zk.delete("/mixed/old-secret", -1);
            zk.create("/mixed/last", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            eventsUntil(anon, anonSaw, "NodeCreated /mixed/last");
            assertEquals(List.of("NodeCreated /mixed/open", "NodeCreated /mixed/secret/deeper", "NodeDataChanged /mixed/open",
                    "NodeDeleted /mixed/secret/deeper", "NodeCreated /mixed/last"), anonSaw,
                    "no event of a node the socket may not read, the readable child of an unreadable one included; order kept");
            eventsUntil(alice, aliceSaw, "NodeCreated /mixed/last");
            assertEquals(List.of("NodeCreated /mixed/open", "NodeCreated /mixed/secret", "NodeCreated /mixed/secret/deeper",
                    "NodeDataChanged /mixed/secret", "NodeDataChanged /mixed/open", "NodeDeleted /mixed/secret/deeper",
                    "NodeDeleted /mixed/secret", "NodeCreated /mixed/last"), aliceSaw,
                    "alice may read everything; the deletion of a node created before the watch (old-secret) is not told");
        }
    }

    @Test
    void badFramesGetErrorFramesAndTheSocketCarriesOn() throws Exception {
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.sendText("this is not json");
            assertEquals(42206, c.nextOfType("error").getInteger("error_code"));
            c.sendText("[1,2,3]");
            assertEquals(42206, c.nextOfType("error").getInteger("error_code"));
            c.send(new JsonObject().put("type", "teleport").put("id", "t"));
            assertEquals(42206, c.nextFor("t").getInteger("error_code"));
            c.send(watch("rel", "/a/../b", "data", false));
            assertEquals(42207, c.nextFor("rel").getInteger("error_code"));
            c.send(watch("noslash", "a/b", "data", false));
            assertEquals(42207, c.nextFor("noslash").getInteger("error_code"));
            c.send(watch("missing", "/does/not/exist", "persistent", false));
            assertEquals(40404, c.nextFor("missing").getInteger("error_code"));
            c.send(watch("mode", "/", "sometimes", false));
            assertEquals(42206, c.nextFor("mode").getInteger("error_code"));
            c.send(watch("dup", "/", "persistent", false));
            assertEquals("subscribed", c.nextFor("dup").getString("type"));
            c.send(watch("dup", "/", "persistent", false));
            assertEquals(40901, c.nextFor("dup").getInteger("error_code"));
            c.send(new JsonObject().put("type", "unsubscribe").put("id", "nothing"));
            assertEquals(40406, c.nextFor("nothing").getInteger("error_code"));
            c.send(new JsonObject().put("type", "ping"));
            assertEquals("pong", c.nextOfType("pong").getString("type"));
        }
    }

    @Test
    void tenThousandSubscriptionsAreRefusedPastTheLimitAndTheNodeKeepsServing() throws Exception {
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            for (int i = 0; i < 10_000; i++) {
                c.send(watch("s" + i, "/", "persistent", false));
            }
            int ok = 0;
            int refused = 0;
            while (ok + refused < 10_000) {
                JsonObject f = c.next(x -> x.getString("id") != null, "subscription answers");
                if ("subscribed".equals(f.getString("type"))) {
                    ok++;
                } else {
                    assertEquals(42901, f.getInteger("error_code"), f.encode());
                    refused++;
                }
            }
            assertEquals(100, ok, "http.ws.max.subscriptions");
            assertEquals(9_900, refused);
        }
        assertNotNull(zk.exists("/", false), "the node keeps serving ZooKeeper clients");
        assertEquals(200, Http.get(node.httpBase() + "/health").status());
    }

    @Test
    void anOversizedFrameClosesThatSocketBeforeBufferingItAndOthersCarryOn() throws Exception {
        try (WsClient big = WsClient.connect(vertx, node.httpPort()); WsClient other = WsClient.connect(vertx, node.httpPort())) {
            big.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(100_000) + "\"}");
            io.tributary.testing.Poll.until(java.time.Duration.ofSeconds(10), "the big socket closed", () -> big.closeCode != null);
            // Netty rejects the frame from its header, before buffering it, and drops the connection.
            other.send(new JsonObject().put("type", "ping"));
            other.nextOfType("pong");
        }
    }
}
