package io.tributary.zk;

import io.tributary.server.NodeConfig;
import io.tributary.testing.LogCapture;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.cli.CliCommand;
import org.apache.zookeeper.cli.DelQuotaCommand;
import org.apache.zookeeper.cli.ListQuotaCommand;
import org.apache.zookeeper.cli.SetQuotaCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quotas through ZooKeeper's own zkCli commands (SetQuotaCommand and ListQuotaCommand, what zkCli's
 * setquota and listquota run, here on an in-process client) and the real client: stats that follow the
 * subtree, soft limits that only warn, hard limits that fail writes with QuotaExceededException when
 * {@code zookeeper.enforceQuota=true}, and stats counted again after a restart.
 */
class ZkQuotaTest {
    @TempDir
    Path dir;

    /** Runs one zkCli command on {@code zk}; returns what it printed. */
    private static String cli(ZooKeeper zk, CliCommand command, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.setZk(zk);
        command.setOut(print);
        command.setErr(print);
        command.parse(args).exec();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String statPath(String path) {
        return "/zookeeper/quota" + path + "/zookeeper_stats";
    }

    private static String stats(ZooKeeper zk, String path) throws Exception {
        return new String(zk.getData(statPath(path), false, null), StandardCharsets.UTF_8);
    }

    private static void create(ZooKeeper zk, String path, String data) throws Exception {
        zk.create(path, data.getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    @Test
    void setquotaCountsTheSubtreeAndListquotaShowsLimitsAndStats() throws Exception {
        try (TestNode node = TestNode.start(dir)) {
            ZooKeeper zk = ZkSupport.connect(node.zkConnect(), 20_000, null);
            create(zk, "/app", "hello");
            create(zk, "/app/a", "12");
            cli(zk, new SetQuotaCommand(), "setquota", "-n", "2", "/app");
            String listed = cli(zk, new ListQuotaCommand(), "listquota", "/app");
            assertTrue(listed.contains("Output quota for /app count=2,bytes=-1"), listed);
            assertTrue(listed.contains("Output stat for /app count=2,bytes=7"), listed);

            create(zk, "/app/b", "345");
            zk.setData("/app/a", new byte[0], -1);
            zk.create("/app/e", "eph".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            zk.multi(List.of(Op.create("/app/m", "m".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.delete("/app/b", -1)));
            assertEquals("count=4,bytes=9", stats(zk, "/app"), "/app, /app/a, /app/e, /app/m");
            listed = cli(zk, new ListQuotaCommand(), "listquota", "/app");
            assertTrue(listed.contains("Output stat for /app count=4,bytes=9"), listed);

            zk.close(); // the ephemeral goes with the session
            ZooKeeper again = ZkSupport.connect(node.zkConnect(), 20_000, null);
            assertEquals("count=3,bytes=6", stats(again, "/app"));

            cli(again, new DelQuotaCommand(), "delquota", "/app");
            assertEquals(null, again.exists(statPath("/app"), false), "delquota removed the quota nodes");
            create(again, "/app/after", "x");
            listed = cli(again, new ListQuotaCommand(), "listquota", "/app");
            assertTrue(listed.contains("quota for /app does not exist."), listed);
            again.close();
        }
    }

    @Test
    void softLimitsOnlyWarnAndHardLimitsFailWritesWhenEnforced() throws Exception {
        try (TestNode node = TestNode.start(dir, Map.of(NodeConfig.ENFORCE_QUOTA, "true"));
             LogCapture log = new LogCapture("io.tributary.coord.Quotas")) {
            ZooKeeper zk = ZkSupport.connect(node.zkConnect(), 20_000, null);
            create(zk, "/soft", "");
            cli(zk, new SetQuotaCommand(), "setquota", "-n", "1", "/soft");
            create(zk, "/soft/over", "");
            log.await("Quota exceeded: /soft [current count=2, softCountLimit=1]");
            assertEquals("count=2,bytes=0", stats(zk, "/soft"));

            create(zk, "/hard", "");
            create(zk, "/hard/a", "");
            cli(zk, new SetQuotaCommand(), "setquota", "-N", "2", "/hard");
            KeeperException.QuotaExceededException e = assertThrows(KeeperException.QuotaExceededException.class,
                    () -> create(zk, "/hard/b", ""));
            assertEquals(KeeperException.Code.QUOTAEXCEEDED, e.code());
            assertThrows(KeeperException.QuotaExceededException.class, () -> zk.multi(List.of(
                    Op.delete("/hard/a", -1),
                    Op.create("/hard/b", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.create("/hard/c", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))));
            assertTrue(zk.exists("/hard/a", false) != null, "the failed multi changed nothing");

            // setquota on a path that has a quota updates its limits node: now a byte hard limit too.
            cli(zk, new SetQuotaCommand(), "setquota", "-B", "4", "/hard");
            zk.setData("/hard/a", "1234".getBytes(), -1);
            assertThrows(KeeperException.QuotaExceededException.class, () -> zk.setData("/hard", "5".getBytes(), -1));
            assertEquals("count=2,bytes=4", stats(zk, "/hard"));
            zk.close();
        }
    }

    @Test
    void statsAreCountedAgainWhenTheNodeRestarts() throws Exception {
        try (TestNode node = TestNode.start(dir)) {
            ZooKeeper zk = ZkSupport.connect(node.zkConnect(), 20_000, null);
            create(zk, "/app", "abc");
            cli(zk, new SetQuotaCommand(), "setquota", "-b", "100", "/app");
            create(zk, "/app/a", "de");
            // A client may write the stats node; ZooKeeper counts every quota again when it loads its state.
            zk.setData(statPath("/app"), "count=42,bytes=42".getBytes(), -1);
            zk.close();

            node.restart();

            ZooKeeper after = ZkSupport.connect(node.zkConnect(), 20_000, null);
            assertEquals("count=2,bytes=5", stats(after, "/app"));
            create(after, "/app/b", "f");
            assertEquals("count=3,bytes=6", stats(after, "/app"));
            after.close();
        }
    }
}
