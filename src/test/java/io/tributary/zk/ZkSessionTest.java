package io.tributary.zk;

import io.tributary.server.NodeConfig;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions over real sockets: timeout negotiation, expiry, reconnect keeping ephemerals and watches. */
class ZkSessionTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        // A 200 ms tick: sessions between 400 ms and 4 s, so expiry tests take about a second.
        node = TestNode.start(dir, Map.of(NodeConfig.TICK_TIME, "200"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void sessionTimeoutIsNegotiatedWithinMinAndMax() throws Exception {
        ZooKeeper low = ZkSupport.connect(node.zkConnect(), 100, null);
        ZooKeeper high = ZkSupport.connect(node.zkConnect(), 60_000, null);
        try {
            assertEquals(400, low.getSessionTimeout());
            assertEquals(4000, high.getSessionTimeout());
        } finally {
            low.close();
            high.close();
        }
    }

    @Test
    void aSilentSessionExpiresAndItsEphemeralsAreDeleted() throws Exception {
        ZooKeeper observer = ZkSupport.connect(node.zkConnect(), 4000, null);
        ZkSupport.Events events = new ZkSupport.Events();
        ZkSupport.Events victimEvents = new ZkSupport.Events();
        try (FreezableProxy proxy = new FreezableProxy(node.zkPort())) {
            ZooKeeper victim = ZkSupport.connect(proxy.connect(), 1000, victimEvents);
            victim.create("/expiring", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            assertNotNull(observer.exists("/expiring", events));
            proxy.freeze();
            WatchedEvent deleted = events.next();
            assertEquals(EventType.NodeDeleted, deleted.getType(), "the ephemeral goes when the session expires");
            proxy.thaw();
            proxy.cut();
            Poll.until(Duration.ofSeconds(20), "the victim learns its session expired",
                    () -> victimEvents.queue.stream().anyMatch(e -> e.getState() == KeeperState.Expired));
            assertThrows(KeeperException.SessionExpiredException.class, () -> victim.exists("/", false));
            victim.close();
        } finally {
            observer.close();
        }
    }

    @Test
    void aReconnectWithinTheTimeoutKeepsEphemeralsAndRestoresWatchesWithMissedEvents() throws Exception {
        ZooKeeper writer = ZkSupport.connect(node.zkConnect(), 4000, null);
        try (FreezableProxy proxy = new FreezableProxy(node.zkPort())) {
            writer.create("/r", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.create("/r/data", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.create("/r/quiet", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            ZkSupport.Events events = new ZkSupport.Events();
            ZooKeeper client = ZkSupport.connect(proxy.connect(), 4000, events);
            long session = client.getSessionId();
            client.create("/r/mine", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            client.getData("/r/data", true, null);
            assertNull(client.exists("/r/born", true));
            client.getChildren("/r/quiet", true);
            ZkSupport.Events persistent = new ZkSupport.Events();
            client.addWatch("/r", persistent, org.apache.zookeeper.AddWatchMode.PERSISTENT_RECURSIVE);

            proxy.block(true);
            proxy.cut();
            Poll.until(Duration.ofSeconds(10), "client notices the disconnect",
                    () -> events.queue.stream().anyMatch(e -> e.getState() == KeeperState.Disconnected));
            writer.setData("/r/data", "changed".getBytes(), -1);
            writer.create("/r/born", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            proxy.block(false);

            Set<String> seen = new HashSet<>();
            // Both missed events arrive after SetWatches on the new connection.
            Poll.until(Duration.ofSeconds(20), "missed events delivered", () -> {
                events.queue.forEach(e -> {
                    if (e.getType() != EventType.None) {
                        seen.add(e.getType() + " " + e.getPath());
                    }
                });
                return seen.containsAll(List.of("NodeDataChanged /r/data", "NodeCreated /r/born"));
            });
            assertEquals(session, client.getSessionId(), "same session");
            assertNotNull(writer.exists("/r/mine", false), "the ephemeral survived the reconnect");
            writer.create("/r/quiet/kid", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Poll.until(Duration.ofSeconds(10), "the re-armed child watch fires", () -> {
                events.queue.forEach(e -> seen.add(e.getType() + " " + e.getPath()));
                return seen.contains("NodeChildrenChanged /r/quiet");
            });
            // The persistent recursive watch came back through SetWatches2.
            writer.create("/r/after-reconnect", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Poll.until(Duration.ofSeconds(10), "the restored recursive watch fires", () -> persistent.queue.stream()
                    .anyMatch(e -> e.getType() == EventType.NodeCreated && "/r/after-reconnect".equals(e.getPath())));
            client.close();
            Poll.until(Duration.ofSeconds(10), "close deletes the ephemeral at once", () -> {
                try {
                    return writer.exists("/r/mine", false) == null;
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            writer.close();
        }
    }

    @Test
    void aSecondClientWithTheSameSessionTakesItOver() throws Exception {
        ZooKeeper first = ZkSupport.connect(node.zkConnect(), 4000, null);
        ZooKeeper second = null;
        try {
            first.create("/shared-eph", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            ZkSupport.Events ev = new ZkSupport.Events();
            java.util.concurrent.CountDownLatch up = new java.util.concurrent.CountDownLatch(1);
            second = new ZooKeeper(node.zkConnect(), 4000, e -> {
                ev.process(e);
                if (e.getState() == KeeperState.SyncConnected) {
                    up.countDown();
                }
            }, first.getSessionId(), first.getSessionPasswd());
            assertTrue(up.await(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(first.getSessionId(), second.getSessionId());
            assertNotNull(second.exists("/shared-eph", false));
            ZooKeeper wrongPassword = new ZooKeeper(node.zkConnect(), 4000, ev, first.getSessionId(), new byte[16]);
            Poll.until(Duration.ofSeconds(10), "a wrong password is told the session expired",
                    () -> ev.queue.stream().anyMatch(e -> e.getState() == KeeperState.Expired));
            wrongPassword.close();
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }
}
