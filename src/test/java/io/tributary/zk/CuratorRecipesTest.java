package io.tributary.zk;

import io.tributary.server.NodeConfig;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Apache Curator 5 recipes against the node: locks, leader election, caches, ephemerals, queues. */
class CuratorRecipesTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of(NodeConfig.TICK_TIME, "200"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static CuratorFramework curator(String connect) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connect)
                .sessionTimeoutMs(2000).connectionTimeoutMs(5000).retryPolicy(new RetryNTimes(50, 100)).build();
        c.start();
        assertTrue(c.blockUntilConnected(20, TimeUnit.SECONDS), "Curator connected");
        return c;
    }

    @Test
    void interProcessMutexGivesMutualExclusionAcrossClients() throws Exception {
        int clients = 4;
        int rounds = 10;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                try (CuratorFramework c = curator(node.zkConnect())) {
                    InterProcessMutex lock = new InterProcessMutex(c, "/locks/mutex");
                    for (int r = 0; r < rounds; r++) {
                        assertTrue(lock.acquire(30, TimeUnit.SECONDS), "lock acquired");
                        try {
                            if (inside.incrementAndGet() != 1) {
                                violations.incrementAndGet();
                            }
                            total.incrementAndGet();
                            Thread.onSpinWait();
                            inside.decrementAndGet();
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
            t.join(120_000);
        }
        assertEquals(List.of(), errors);
        assertEquals(0, violations.get(), "two holders at once");
        assertEquals(clients * rounds, total.get());
    }

    @Test
    void leaderLatchElectsExactlyOneAndReElectsWhenTheLeaderCloses() throws Exception {
        List<CuratorFramework> clients = new ArrayList<>();
        List<LeaderLatch> latches = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                CuratorFramework c = curator(node.zkConnect());
                clients.add(c);
                LeaderLatch l = new LeaderLatch(c, "/election", "p" + i);
                latches.add(l);
                l.start();
            }
            LeaderLatch leader = Poll.value(Duration.ofSeconds(20), "a leader",
                    () -> latches.stream().filter(LeaderLatch::hasLeadership).findFirst(), Optional::isPresent).get();
            Poll.until(Duration.ofSeconds(5), "everyone agrees on the leader", () -> latches.stream().allMatch(l -> {
                try {
                    return l.getLeader().getId().equals(leader.getId());
                } catch (Exception e) {
                    return false;
                }
            }));
            assertEquals(1, latches.stream().filter(LeaderLatch::hasLeadership).count(), "exactly one leader");
            leader.close();
            latches.remove(leader);
            LeaderLatch next = Poll.value(Duration.ofSeconds(20), "a new leader",
                    () -> latches.stream().filter(LeaderLatch::hasLeadership).findFirst(), Optional::isPresent).get();
            assertTrue(!next.getId().equals(leader.getId()));
            assertEquals(1, latches.stream().filter(LeaderLatch::hasLeadership).count(), "still exactly one");
        } finally {
            for (LeaderLatch l : latches) {
                l.close();
            }
            clients.forEach(CuratorFramework::close);
        }
    }

    @Test
    void curatorCacheMirrorsASubtreeThroughAPersistentRecursiveWatch() throws Exception {
        try (CuratorFramework c = curator(node.zkConnect()); CuratorFramework writer = curator(node.zkConnect())) {
            writer.create().creatingParentsIfNeeded().forPath("/cache/a", "1".getBytes());
            CuratorCache cache = CuratorCache.build(c, "/cache");
            CountDownLatch initialized = new CountDownLatch(1);
            cache.listenable().addListener(org.apache.curator.framework.recipes.cache.CuratorCacheListener.builder()
                    .forInitialized(initialized::countDown).build());
            cache.start();
            assertTrue(initialized.await(20, TimeUnit.SECONDS));
            writer.create().creatingParentsIfNeeded().forPath("/cache/b/deep", "2".getBytes());
            writer.setData().forPath("/cache/a", "1b".getBytes());
            writer.delete().forPath("/cache/b/deep");
            writer.create().forPath("/cache/c", "3".getBytes());
            Poll.until(Duration.ofSeconds(20), "cache mirrors the subtree", () ->
                    cache.get("/cache/c").isPresent() && cache.get("/cache/b/deep").isEmpty()
                            && new String(cache.get("/cache/a").map(ChildData::getData).orElse(new byte[0]), StandardCharsets.UTF_8).equals("1b"));
            assertEquals(List.of("/cache", "/cache/a", "/cache/b", "/cache/c"),
                    cache.stream().map(ChildData::getPath).sorted().toList());
            cache.close();
        }
    }

    @Test
    void anEphemeralPersistentNodeDisappearsWhenItsSessionExpires() throws Exception {
        try (FreezableProxy proxy = new FreezableProxy(node.zkPort());
             CuratorFramework observer = curator(node.zkConnect())) {
            CuratorFramework owner = curator(proxy.connect());
            PersistentNode pn = new PersistentNode(owner, CreateMode.EPHEMERAL, false, "/members/me", "hi".getBytes());
            pn.start();
            assertTrue(pn.waitForInitialCreate(20, TimeUnit.SECONDS));
            ZooKeeper zk = observer.getZookeeperClient().getZooKeeper();
            ZkSupport.Events events = new ZkSupport.Events();
            assertNotNull(zk.exists("/members/me", events));
            long ownerSession = zk.exists("/members/me", false).getEphemeralOwner();
            proxy.freeze();
            WatchedEvent e = events.next();
            assertEquals(EventType.NodeDeleted, e.getType(), "the node goes with the expired session");
            CountDownLatch lost = new CountDownLatch(1);
            owner.getConnectionStateListenable().addListener((cl, state) -> {
                if (state == ConnectionState.LOST) {
                    lost.countDown();
                }
            });
            proxy.thaw();
            proxy.cut();
            // PersistentNode's promise: it recreates the node under the new session.
            Poll.until(Duration.ofSeconds(30), "recreated under a new session", () -> {
                try {
                    org.apache.zookeeper.data.Stat s = zk.exists("/members/me", false);
                    return s != null && s.getEphemeralOwner() != ownerSession;
                } catch (Exception ex) {
                    return false;
                }
            });
            pn.close();
            owner.close();
        }
    }

    @Test
    void distributedQueueDeliversInOrder() throws Exception {
        QueueSerializer<String> serializer = new QueueSerializer<>() {
            @Override
            public byte[] serialize(String item) {
                return item.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String deserialize(byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        };
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        QueueConsumer<String> consumer = new QueueConsumer<>() {
            @Override
            public void consumeMessage(String message) {
                received.add(message);
            }

            @Override
            public void stateChanged(CuratorFramework client, ConnectionState newState) {
            }
        };
        try (CuratorFramework producerClient = curator(node.zkConnect()); CuratorFramework consumerClient = curator(node.zkConnect())) {
            DistributedQueue<String> producer = QueueBuilder.builder(producerClient, null, serializer, "/queue").buildQueue();
            producer.start();
            for (int i = 0; i < 50; i++) {
                producer.put("item-" + i);
            }
            DistributedQueue<String> queue = QueueBuilder.builder(consumerClient, consumer, serializer, "/queue").buildQueue();
            queue.start();
            Poll.until(Duration.ofSeconds(30), "50 items consumed", () -> received.size() >= 50);
            List<String> want = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                want.add("item-" + i);
            }
            assertEquals(want, received);
            queue.close();
            producer.close();
        }
    }
}
