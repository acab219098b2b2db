package io.tributary.zk;

import io.tributary.server.NodeConfig;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A clean restart: the state comes back from the final snapshot, and a client keeps its session. */
class ZkRestartTest {
    @TempDir
    Path dir;

    @Test
    void aCleanRestartKeepsTheTreeAndAReconnectingSessionKeepsItsEphemeral() throws Exception {
        try (TestNode node = TestNode.start(dir, Map.of(NodeConfig.SNAP_COUNT, "50"))) {
            ZooKeeper zk = ZkSupport.connect(node.zkConnect(), 20_000, null);
            long session = zk.getSessionId();
            zk.create("/kept", "v".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (int i = 0; i < 120; i++) {
                zk.setData("/kept", ("v" + i).getBytes(), i);
            }
            zk.create("/mine", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            Stat before = zk.exists("/kept", false);

            node.restart();

            Poll.until(Duration.ofSeconds(30), "the client reconnects to its session", () -> {
                try {
                    return zk.getState().isConnected() && zk.exists("/mine", false) != null;
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(session, zk.getSessionId(), "same session after the restart");
            Stat after = new Stat();
            assertArrayEquals("v119".getBytes(), zk.getData("/kept", false, after));
            assertEquals(before.getVersion(), after.getVersion());
            assertEquals(before.getMzxid(), after.getMzxid());
            assertNotNull(zk.exists("/mine", false));
            try (Stream<Path> files = Files.list(node.dataDir().resolve("coord"))) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("snapshot.")), "snapshots written");
            }
            zk.close();
        }
    }
}
