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

/** The README's quick start: ZooKeeper's own CLI (ZooKeeperMain, what zkCli.sh runs) in its own JVM. */
class ZkCliTest {
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

    private static Result cli(String... command) {
        List<String> args = new java.util.ArrayList<>(List.of("-server", node.zkConnect()));
        args.addAll(List.of(command));
        return Processes.java("org.apache.zookeeper.ZooKeeperMain", args, null, 120);
    }

    @Test
    void createGetLsWithZooKeeperMain() {
        Result created = cli("create", "/zk_test", "my_data");
        assertEquals(0, created.exitCode(), created.all());
        assertTrue(created.all().contains("Created /zk_test"), created.all());
        Result got = cli("get", "/zk_test");
        assertEquals(0, got.exitCode(), got.all());
        assertTrue(got.stdout().contains("my_data"), got.all());
        Result ls = cli("ls", "/");
        assertEquals(0, ls.exitCode(), ls.all());
        assertTrue(ls.stdout().contains("[zk_test, zookeeper]"), ls.all());
    }

    @Test
    void setquotaAndListquotaWithZooKeeperMain() {
        assertEquals(0, cli("create", "/zk_quota", "abc").exitCode());
        Result set = cli("setquota", "-n", "5", "/zk_quota");
        assertEquals(0, set.exitCode(), set.all());
        Result listed = cli("listquota", "/zk_quota");
        assertEquals(0, listed.exitCode(), listed.all());
        assertTrue(listed.stdout().contains("Output quota for /zk_quota count=5,bytes=-1"), listed.all());
        assertTrue(listed.stdout().contains("Output stat for /zk_quota count=1,bytes=3"), listed.all());
    }
}
