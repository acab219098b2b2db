package io.tributary.cluster;

import io.tributary.testing.Poll;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions are cluster-wide (must-show 5), on three node JVMs (kill -9 through {@code bin/cluster kill}):
 * a client whose node dies moves to another node within its timeout and keeps its session and ephemerals,
 * also when the dead node was the leader; a client that does not come back has its ephemeral deleted once,
 * by the leader's expiry, with the watches on the other nodes fired once. tickTime is 500 ms.
 */
@UsesSharedCluster
class EnsembleSessionFailoverTest {
    static LocalCluster cluster;

    @BeforeAll
    static void up() {
        cluster = LocalCluster.ensemble();
    }

    private static int other(int... not) {
        for (int n = 1; n <= 3; n++) {
            final int c = n;
            if (java.util.Arrays.stream(not).noneMatch(x -> x == c)) {
                return n;
            }
        }
        throw new IllegalStateException();
    }

    /** exists(), retried while the client reports CONNECTIONLOSS (it reconnects by itself meanwhile). */
    private static Stat existsRetryingConnectionLoss(ZooKeeper zk, String path) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return zk.exists(path, false);
            } catch (org.apache.zookeeper.KeeperException.ConnectionLossException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // the client's own reconnect is under way; poll again
            }
        }
    }

    private static boolean servedAfterReconnect(ZooKeeper zk) {
        try {
            return existsRetryingConnectionLoss(zk, "/moves") != null;
        } catch (Exception e) {
            throw new AssertionError("exists /moves after the reconnect", e);
        }
    }

    private static void restart(int node) {
        cluster.run("start", Integer.toString(node));
        cluster.awaitLeader(Duration.ofSeconds(120));
    }

    @Test
    void sessionAndEphemeralSurviveTheDeathOfTheLeaderTheClientWasOn() throws Exception {
        int leader = cluster.awaitLeader(Duration.ofSeconds(60));
        int next = other(leader);
        int observerNode = other(leader, next);
        List<Watcher.Event.KeeperState> states = new CopyOnWriteArrayList<>();
        EnsembleClient.Ordered hosts = new EnsembleClient.Ordered(cluster, leader, next);
        ZooKeeper owner = EnsembleClient.connect(cluster, 6000, e -> {
            if (e.getType() == Watcher.Event.EventType.None) {
                states.add(e.getState());
            }
        }, hosts);
        try (ZooKeeper observer = EnsembleClient.connect(cluster, 10_000, observerNode)) {
            assertEquals(leader, hosts.current(), "the client starts on the leader");
            long session = owner.getSessionId();
            owner.create("/moves", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            List<WatchedEvent> seen = new CopyOnWriteArrayList<>();
            EnsembleClient.sync(observer, "/moves");
            assertNotNull(observer.exists("/moves", seen::add));

            cluster.run("kill", Integer.toString(leader));
            // The client notices, tries the next node, and is let back in with the same session. Until the
            // survivors have elected a leader a node may accept the reconnect and then drop it again (its
            // session move cannot commit), as a ZooKeeper follower that lost its leader drops its clients: the
            // client sees CONNECTIONLOSS and retries, which is what ZooKeeper asks of it. The guarantee under
            // test is the session's: same id, never expired, its ephemeral kept.
            cluster.awaitLeader(Duration.ofSeconds(60), next, observerNode);
            Poll.until(Duration.ofSeconds(60), "client reconnected to node " + next + " and served", () ->
                    states.contains(Watcher.Event.KeeperState.Disconnected) && hosts.current() == next
                            && servedAfterReconnect(owner));
            assertEquals(session, owner.getSessionId());
            assertTrue(!states.contains(Watcher.Event.KeeperState.Expired), states.toString());
            // The new leader gave the session a full timeout and hears its pings (relayed if it is on a
            // follower): for two session timeouts the ephemeral stays.
            long until = System.nanoTime() + Duration.ofMillis(2 * 6000).toNanos();
            while (System.nanoTime() < until) {
                Stat s = existsRetryingConnectionLoss(owner, "/moves");
                assertNotNull(s, "the ephemeral is still there after the leader died");
                assertEquals(session, s.getEphemeralOwner());
                Thread.sleep(250); // observation period, not synchronization
            }
            assertTrue(!states.contains(Watcher.Event.KeeperState.Expired), "never expired: " + states);
            assertTrue(seen.isEmpty(), () -> "no watch fired on the observer: " + seen + "\n" + cluster.logs());
            assertNotNull(observer.exists("/moves", false));
            owner.close();
            Poll.until(Duration.ofSeconds(30), "closing the session deleted its ephemeral, seen on another node",
                    () -> seen.stream().anyMatch(e -> e.getType() == Watcher.Event.EventType.NodeDeleted));
        } finally {
            owner.close();
            restart(leader);
        }
    }

    @Test
    void ephemeralIsDeletedExactlyOnceWhenItsClientDoesNotComeBack() throws Exception {
        int leader = cluster.awaitLeader(Duration.ofSeconds(60));
        int doomed = other(leader);
        int third = other(leader, doomed);
        try (ZooKeeper a = EnsembleClient.connect(cluster, 10_000, leader);
             ZooKeeper b = EnsembleClient.connect(cluster, 10_000, third)) {
            a.create("/fate", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            ZooKeeper owner = EnsembleClient.connect(cluster, 3000, doomed);
            long session = owner.getSessionId();
            owner.create("/fate/e", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            List<WatchedEvent> onA = new CopyOnWriteArrayList<>();
            List<WatchedEvent> onB = new CopyOnWriteArrayList<>();
            for (ZooKeeper zk : List.of(a, b)) {
                List<WatchedEvent> sink = zk == a ? onA : onB;
                EnsembleClient.sync(zk, "/fate/e");
                assertEquals(session, zk.exists("/fate/e", sink::add).getEphemeralOwner());
                zk.getChildren("/fate", sink::add);
            }
            cluster.run("kill", Integer.toString(doomed));
            owner.close(); // its only server is gone: the client never comes back
            Poll.until(Duration.ofSeconds(60), "the leader expired the session and both other nodes saw the delete",
                    () -> onA.size() == 2 && onB.size() == 2);
            for (List<WatchedEvent> events : List.of(onA, onB)) {
                assertEquals(1, events.stream().filter(e -> e.getType() == Watcher.Event.EventType.NodeDeleted
                        && e.getPath().equals("/fate/e")).count(), events.toString());
                assertEquals(1, events.stream().filter(e -> e.getType() == Watcher.Event.EventType.NodeChildrenChanged
                        && e.getPath().equals("/fate")).count(), events.toString());
            }
            // Deleted once: one create and one delete under /fate, the same on every live node.
            assertEquals(2, a.exists("/fate", false).getCversion());
            EnsembleClient.sync(b, "/fate");
            assertEquals(a.exists("/fate", false), b.exists("/fate", false));
            assertNull(b.exists("/fate/e", false));
        } finally {
            restart(doomed);
        }
        try (ZooKeeper back = EnsembleClient.connect(cluster, 10_000, doomed);
             ZooKeeper a = EnsembleClient.connect(cluster, 10_000, leader)) {
            assertNull(back.exists("/fate/e", false), "the restarted node caught up");
            EnsembleClient.awaitSameTree(cluster, Duration.ofSeconds(60), leader, doomed);
        }
    }
}
