package io.tributary.zk;

import io.tributary.testing.Processes;
import io.tributary.testing.Processes.Result;
import io.tributary.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kazoo (Debian's python3-kazoo, installed by bin/install-test-deps), a ZooKeeper client nobody on the
 * team wrote, in another language: create, get, set, watches, ephemerals and its Lock recipe.
 */
class KazooTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void kazooSmoke() {
        Result r = Processes.python("kazoo_smoke.py", List.of(node.zkConnect(), "/kazoo"), 120);
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("kazoo OK"), r.all());
    }
}
