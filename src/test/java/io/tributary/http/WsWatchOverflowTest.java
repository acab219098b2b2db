package io.tributary.http;

import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A watch subscriber that stops reading while the node changes 20,000 times with 1 KiB of data each: the
 * coordinator never waits for it, the socket's queue stays at {@code http.ws.max.queued.bytes}, and the
 * subscriber gets an {@code overflow} frame naming the last zxid it was sent — not an out-of-memory, not
 * a silent gap. Another socket watching the same node keeps receiving every event.
 */
class WsWatchOverflowTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static Vertx vertx;
    static ZooKeeper zk;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1", "http.ws.max.queued.bytes", "65536"));
        vertx = Vertx.vertx();
        CountDownLatch up = new CountDownLatch(1);
        zk = new ZooKeeper(node.zkConnect(), 30_000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        });
        assertTrue(up.await(20, TimeUnit.SECONDS));
    }

    @AfterAll
    static void stop() throws Exception {
        zk.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        node.close();
    }

    @Test
    void aSubscriberThatNeverReadsGetsAnOverflowFrameAndOthersKeepEveryEvent() throws Exception {
        zk.create("/hot", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        JsonObject sub = new JsonObject().put("type", "subscribe").put("id", "hot").put("watch", new JsonObject()
                .put("path", "/hot").put("mode", "persistent").put("include", "data"));
        try (WsClient slow = WsClient.connect(vertx, node.httpPort()); WsClient fast = WsClient.connect(vertx, node.httpPort())) {
            slow.send(sub);
            // the fast socket takes the events without data, so no read per event stands between it and the engine
            fast.send(new JsonObject().put("type", "subscribe").put("id", "hot").put("watch", new JsonObject()
                    .put("path", "/hot").put("mode", "persistent")));
            assertEquals("subscribed", slow.nextFor("hot").getString("type"));
            assertEquals("subscribed", fast.nextFor("hot").getString("type"));
            slow.ws.pause();

            int writes = 20_000;
            byte[] data = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
            CountDownLatch done = new CountDownLatch(writes);
            AtomicInteger failed = new AtomicInteger();
            for (int i = 0; i < writes; i++) {
                zk.setData("/hot", data, -1, (rc, path, ctx, stat) -> {
                    if (rc != 0) {
                        failed.incrementAndGet();
                    }
                    done.countDown();
                }, null);
            }
            assertTrue(done.await(120, TimeUnit.SECONDS), "writes answered");
            assertEquals(0, failed.get());

            // the fast socket sees every change, in zxid order
            long last = 0;
            for (int i = 0; i < writes; i++) {
                JsonObject e = fast.nextFor("hot");
                assertEquals("event", e.getString("type"), e.encode());
                assertTrue(e.getLong("zxid") > last, "zxid order");
                last = e.getLong("zxid");
            }

            slow.ws.resume();
            long lastEvent = 0;
            int events = 0;
            JsonObject overflow;
            while (true) {
                JsonObject f = slow.nextFor("hot");
                if ("overflow".equals(f.getString("type"))) {
                    overflow = f;
                    break;
                }
                assertEquals("event", f.getString("type"), f.encode());
                assertTrue(f.getLong("zxid") > lastEvent, "zxid order before the overflow");
                lastEvent = f.getLong("zxid");
                events++;
            }
            assertTrue(events < writes, "the slow socket was cut off before the end (" + events + " events)");
            assertEquals(lastEvent, overflow.getLong("last_zxid"), "overflow names the last zxid delivered");
            zk.setData("/hot", new byte[0], -1);
            slow.send(new JsonObject().put("type", "ping"));
            slow.next(f -> "pong".equals(f.getString("type")) || "hot".equals(f.getString("id")), "pong");
            assertEquals("NodeDataChanged", fast.nextFor("hot").getString("event"));
            // the subscription is over; the client re-subscribes with initial: true to continue
            slow.send(sub.copy().put("watch", sub.getJsonObject("watch").copy().put("initial", true)));
            JsonObject snap = Poll.value(Duration.ofSeconds(20), "a snapshot after re-subscribing",
                    () -> slow.nextFor("hot"), f -> "snapshot".equals(f.getString("type")));
            assertTrue(snap.getJsonObject("stat").getLong("mzxid") > overflow.getLong("last_zxid"));
        }
    }
}
