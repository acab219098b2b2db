package io.tributary.zk;

import io.tributary.testing.Processes;
import io.tributary.testing.Processes.Result;
import io.tributary.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * node-zookeeper-client 1.1.3 (pure JavaScript, from npm via bin/install-test-deps): creates, watches,
 * sequential and ephemeral nodes, a transaction, versioned set and delete against the node.
 */
class JavaScriptZkClientTest {
    @TempDir
    Path dir;

    @Test
    void nodeZookeeperClientCreatesWatchesAndDeletes() {
        try (TestNode node = TestNode.start(dir)) {
            Result r = Processes.node("zk_smoke.js", List.of(node.zkConnect(), "from-js"), 90);
            assertEquals(0, r.exitCode(), r.all());
            assertTrue(r.stdout().contains("watch events: NODE_DATA_CHANGED, NODE_CHILDREN_CHANGED"), r.all());
            assertTrue(r.stdout().contains("node-zookeeper-client OK"), r.all());
        }
    }
}
