package io.tributary.zk;

import io.tributary.server.NodeProcess;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 a real node process during ZooKeeper writes: every acknowledged znode, version, the zxid and
 * the sequence counters survive; a session that comes back keeps its ephemeral; one that does not
 * loses it once its timeout passes after the restart.
 */
class ZkCrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurviveKill9AndAbandonedEphemeralsExpire() throws Exception {
        int zkPort = TestNode.freePort();
        // tickTime 500: sessions of 1..10 s, snapshots every 200 transactions so recovery uses both.
        NodeProcess node = new NodeProcess(dir.resolve("data"), TestNode.freePort(), zkPort, dir.resolve("node.log"),
                List.of("-o", "tickTime=500", "-o", "snapCount=200"));
        try (node; FreezableProxy abandonedPath = new FreezableProxy(zkPort)) {
            node.start();
            ZooKeeper writer = ZkSupport.connect(node.zkConnect(), 10_000, null);
            ZooKeeper survivor = ZkSupport.connect(node.zkConnect(), 10_000, null);
            ZooKeeper abandoned = ZkSupport.connect(abandonedPath.connect(), 6_000, null);
            writer.create("/data", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            writer.create("/counter", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            survivor.create("/survivor", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            abandoned.create("/abandoned", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            long survivorSession = survivor.getSessionId();

            Map<String, Integer> acked = new ConcurrentHashMap<>();
            AtomicInteger counterVersion = new AtomicInteger();
            AtomicLong maxZxid = new AtomicLong();
            Thread load = new Thread(() -> {
                for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                    try {
                        Stat stat = new Stat();
                        String path = writer.create("/data/n-", Integer.toString(i).getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                CreateMode.PERSISTENT_SEQUENTIAL, stat);
                        acked.put(path, i);
                        maxZxid.accumulateAndGet(stat.getCzxid(), Math::max);
                        Stat s = writer.setData("/counter", Integer.toString(i).getBytes(), -1);
                        counterVersion.set(s.getVersion());
                    } catch (KeeperException | RuntimeException e) {
                        return; // the node is gone
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            load.start();
            Poll.until(Duration.ofSeconds(60), "500 acknowledged creates", () -> acked.size() >= 500);
            abandonedPath.block(true);
            abandonedPath.cut(); // this session's client can never come back
            node.kill9();
            load.interrupt();
            load.join(30_000);
            Map<String, Integer> ackedAtKill = Map.copyOf(acked);
            int versionAtKill = counterVersion.get();
            abandoned.close(100);

            node.start();
            long restartedAt = System.currentTimeMillis();
            ZooKeeper reader = ZkSupport.connect(node.zkConnect(), 10_000, null);
            Stat abandonedStat = reader.exists("/abandoned", false);
            // Expiry counts from recovery, a little before restartedAt: only assert well inside the 6 s timeout.
            if (System.currentTimeMillis() - restartedAt < 3_000) {
                assertNotNull(abandonedStat, "the abandoned session's ephemeral is recovered until its timeout passes");
            }
            for (Map.Entry<String, Integer> e : ackedAtKill.entrySet()) {
                assertArrayEquals(Integer.toString(e.getValue()).getBytes(), reader.getData(e.getKey(), false, null),
                        "acknowledged " + e.getKey());
            }
            Stat counter = reader.exists("/counter", false);
            assertTrue(counter.getVersion() >= versionAtKill, "counter version " + counter.getVersion() + " >= " + versionAtKill);
            int maxSeq = ackedAtKill.keySet().stream().mapToInt(p -> Integer.parseInt(p.substring("/data/n-".length()))).max().orElseThrow();
            Stat created = new Stat();
            String next = reader.create("/data/n-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL, created);
            assertTrue(Integer.parseInt(next.substring("/data/n-".length())) > maxSeq, next + " continues after " + maxSeq);
            assertTrue(created.getCzxid() > maxZxid.get(), "zxid keeps growing");
            assertTrue((created.getCzxid() >>> 32) > (maxZxid.get() >>> 32), "a restart starts a new epoch");

            Poll.until(Duration.ofSeconds(30), "the survivor reconnects to its session", () -> {
                try {
                    return survivor.getState().isConnected() && survivor.exists("/survivor", false) != null;
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(survivorSession, survivor.getSessionId());
            Poll.until(Duration.ofSeconds(30), "the abandoned ephemeral expires", () -> {
                try {
                    return reader.exists("/abandoned", false) == null;
                } catch (Exception e) {
                    return false;
                }
            });
            assertNotNull(reader.exists("/survivor", false), "the returning session kept its ephemeral");
            assertTrue(node.output().contains("coordination state recovered"), node.output());
            reader.close();
            survivor.close();
            writer.close(100);
            assertEquals(143, node.terminate(), "clean stop");
        }
    }
}
