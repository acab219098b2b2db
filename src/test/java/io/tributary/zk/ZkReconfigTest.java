package io.tributary.zk;

import io.tributary.server.NodeConfig;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** reconfig (op 16) answered as a standalone ZooKeeper 3.9 answers it, through ZooKeeperAdmin. */
class ZkReconfigTest {
    @TempDir
    Path dir;

    private static ZooKeeperAdmin admin(TestNode node) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeperAdmin admin = new ZooKeeperAdmin(node.zkConnect(), 20_000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        });
        assertTrue(up.await(20, TimeUnit.SECONDS), "ZooKeeperAdmin connected");
        return admin;
    }

    private static void reconfigure(ZooKeeperAdmin admin) throws Exception {
        admin.reconfigure(List.of("server.2=127.0.0.1:2888:3888;2182"), null, null, -1, null);
    }

    @Test
    void reconfigIsDisabledByDefault() throws Exception {
        try (TestNode node = TestNode.start(dir)) {
            ZooKeeperAdmin admin = admin(node);
            assertThrows(KeeperException.ReconfigDisabledException.class, () -> reconfigure(admin));
            assertTrue(admin.exists("/", false) != null, "the session goes on after the error");
            admin.close();
        }
    }

    @Test
    void withReconfigEnabledASingleNodeAnswersUnimplemented() throws Exception {
        try (TestNode node = TestNode.start(dir, Map.of(NodeConfig.RECONFIG_ENABLED, "true"))) {
            ZooKeeperAdmin admin = admin(node);
            assertThrows(KeeperException.UnimplementedException.class, () -> reconfigure(admin));
            admin.close();
        }
    }
}
