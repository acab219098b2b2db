package io.tributary.zk;

import io.tributary.server.NodeConfig;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same guarantees whichever listener event loop a connection lands on: the engine's own (where
 * requests run without a hand-off) or one of its own (zk.network.threads > 1). Several clients pipeline
 * writes at once; each gets its replies in request order, and a persistent watch sees every change in
 * zxid order.
 */
class ZkListenerThreadsTest {
    private static final int CLIENTS = 6;
    private static final int WRITES = 300;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "zk.network.threads={0}")
    @ValueSource(ints = {1, 3})
    void repliesInRequestOrderAndEventsInZxidOrderOnEveryEventLoop(int threads) throws Exception {
        try (TestNode node = TestNode.start(dir, Map.of(NodeConfig.ZK_NETWORK_THREADS, Integer.toString(threads)))) {
            List<ZooKeeper> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(ZkSupport.connect(node.zkConnect(), 20_000, null));
            }
            ZooKeeper watcher = clients.get(0);
            watcher.create("/shared", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            List<Long> eventZxids = new ArrayList<>();
            CountDownLatch allEvents = new CountDownLatch(CLIENTS * WRITES);
            watcher.addWatch("/shared", (WatchedEvent e) -> {
                if (e.getType() == Watcher.Event.EventType.NodeDataChanged) {
                    synchronized (eventZxids) {
                        eventZxids.add(e.getZxid());
                    }
                    allEvents.countDown();
                }
            }, AddWatchMode.PERSISTENT);

            // Every client pipelines its writes without waiting; callbacks record the order replies came in.
            List<List<long[]>> replies = new ArrayList<>();
            CountDownLatch allReplies = new CountDownLatch(CLIENTS * WRITES);
            for (ZooKeeper zk : clients) {
                List<long[]> mine = new ArrayList<>();
                replies.add(mine);
                for (int w = 0; w < WRITES; w++) {
                    zk.setData("/shared", new byte[]{(byte) w}, -1, (rc, path, ctx, stat) -> {
                        synchronized (mine) {
                            mine.add(new long[]{(Integer) ctx, rc, stat == null ? -1 : stat.getMzxid()});
                        }
                        allReplies.countDown();
                    }, w);
                }
            }
            assertTrue(allReplies.await(60, TimeUnit.SECONDS), "every write answered");
            for (List<long[]> mine : replies) {
                synchronized (mine) {
                    assertEquals(WRITES, mine.size());
                    for (int w = 0; w < WRITES; w++) {
                        assertEquals(w, mine.get(w)[0], "replies in request order");
                        assertEquals(0, mine.get(w)[1], "write " + w + " succeeded");
                        if (w > 0) {
                            assertTrue(mine.get(w)[2] > mine.get(w - 1)[2], "a session's writes applied in order");
                        }
                    }
                }
            }
            assertTrue(allEvents.await(60, TimeUnit.SECONDS), "every change reached the persistent watch");
            synchronized (eventZxids) {
                assertEquals(CLIENTS * WRITES, eventZxids.size());
                for (int i = 1; i < eventZxids.size(); i++) {
                    assertTrue(eventZxids.get(i) > eventZxids.get(i - 1), "events in zxid order");
                }
            }
            assertEquals(CLIENTS * WRITES, watcher.exists("/shared", false).getVersion());
            for (ZooKeeper zk : clients) {
                zk.close();
            }
        }
    }
}
