package io.tributary.zk;

import io.tributary.server.NodeConfig;
import io.tributary.testing.InteractiveProcess;
import io.tributary.testing.Poll;
import io.tributary.testing.Processes;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ZooKeeper's C client against the node: the C shell {@code cli_mt} and the load generator
 * {@code load_gen} from Debian's zookeeper-bin 3.8 (installed by bin/install-test-deps), both on
 * libzookeeper-mt. Each test types commands the way a user would and checks what the shell prints and
 * what the Java client then sees in the tree. What the shell cannot do (versioned writes, multi,
 * getACL) is done by the same library called from Python through ctypes
 * ({@code src/test/python/zk_c_library.py}).
 *
 * <p>The node's {@code maxSessionTimeout} is 6 s, so the shell's 30 s request is negotiated down and
 * it pings every 2 s (a third of the timeout, as the C client does).
 */
class ZkCClientTest {
    static final int SESSION_TIMEOUT = 6000;

    @TempDir
    static Path dir;
    static TestNode node;
    static ZooKeeper zk;

    @BeforeAll
    static void start() throws Exception {
        CCli.requireInstalled();
        node = TestNode.start(dir, Map.of(NodeConfig.TICK_TIME, "1000",
                NodeConfig.MAX_SESSION_TIMEOUT, Integer.toString(SESSION_TIMEOUT)));
        zk = ZkSupport.connect(node.zkConnect(), SESSION_TIMEOUT, null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (zk != null) {
            zk.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private static String data(String path) throws Exception {
        return new String(zk.getData(path, false, null), StandardCharsets.UTF_8);
    }

    private static boolean absent(String path) {
        try {
            return zk.exists(path, false) == null;
        } catch (Exception e) {
            throw new AssertionError("exists " + path + " failed", e);
        }
    }

    private static String createdName(String out) {
        Matcher m = Pattern.compile("\tname = (\\S+)\n").matcher(out);
        assertTrue(m.find(), "no created name in:\n" + out);
        return m.group(1);
    }

    @Test
    void createsEveryNodeModeAndTheJavaClientSeesTheTree() throws Exception {
        List<String> children;
        String seq;
        String eseq;
        long session;
        try (CCli cli = CCli.connect(node.zkConnect())) {
            session = cli.sessionId;
            assertTrue(cli.create("/cc").contains("[/cc]: rc = 0\n\tname = /cc\n"));
            assertTrue(cli.create("+e /cc/eph").contains("[/cc/eph]: rc = 0\n\tname = /cc/eph\n"));
            seq = createdName(cli.create("+s /cc/seq-"));
            eseq = createdName(cli.create("+es /cc/eseq-"));
            assertTrue(seq.matches("/cc/seq-\\d{10}"), seq);
            assertTrue(eseq.matches("/cc/eseq-\\d{10}"), eseq);
            String two = cli.create2("/cc/two");
            assertTrue(two.contains("[/cc/two]: rc = 0\n\tname = /cc/two\n"), two);
            Stat twoStat = zk.exists("/cc/two", false);
            assertTrue(two.contains("\tczxid=" + Long.toHexString(twoStat.getCzxid()) + "\n"),
                    "create2 prints the new node's stat:\n" + two);

            // Errors come back as ZooKeeper's codes: NODEEXISTS, NONODE, NOCHILDRENFOREPHEMERALS.
            assertTrue(cli.create("/cc").contains("[/cc]: rc = -110\n"));
            assertTrue(cli.create("/missing/child").contains("[/missing/child]: rc = -101\n"));
            assertTrue(cli.create("/cc/eph/child").contains("[/cc/eph/child]: rc = -108\n"));

            children = zk.getChildren("/cc", false);
            assertEquals("new", data("/cc"), "the shell creates every node with the data \"new\"");
            assertEquals(session, zk.exists("/cc/eph", false).getEphemeralOwner());
            assertEquals(session, zk.exists(eseq, false).getEphemeralOwner());
            assertEquals(0, zk.exists(seq, false).getEphemeralOwner());
            assertEquals(0, cli.quit(), "quit closes the session and exits");
        }
        assertEquals(List.of("eph", eseq.substring(4), seq.substring(4), "two"), children.stream().sorted().toList());
        // quit sent closeSession (zookeeper_close does not wait for its reply): the ephemerals go.
        Poll.until(Duration.ofSeconds(30), "the shell's ephemerals to go with its session",
                () -> absent("/cc/eph") && absent(eseq));
        assertEquals(List.of(seq.substring(4), "two"), zk.getChildren("/cc", false).stream().sorted().toList());
    }

    @Test
    void getSetLsExistsSyncAndDeletePrintWhatTheTreeHolds() throws Exception {
        zk.create("/rw", "v0".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/rw/a", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/rw/b", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Stat created = zk.exists("/rw", false);
        try (CCli cli = CCli.connect(node.zkConnect())) {
            String got = cli.get("/rw");
            assertTrue(got.contains("/rw: rc = 0\n value_len = 2\nv0\nStat:\n"), got);
            assertTrue(got.contains("\tczxid=" + Long.toHexString(created.getCzxid()) + "\n"), got);
            assertTrue(got.contains("\tversion=0\taversion=0\n"), got);

            String set = cli.set("/rw", "hello");
            assertTrue(set.contains("/rw: rc = 0 Stat:\n"), set);
            assertTrue(set.contains("\tversion=1\taversion=0\n"), "set returns the new data version:\n" + set);
            Stat after = new Stat();
            assertEquals("hello", new String(zk.getData("/rw", false, after), StandardCharsets.UTF_8));
            assertEquals(1, after.getVersion());
            assertTrue(set.contains("\tmzxid=" + Long.toHexString(after.getMzxid()) + "\n"), set);

            String ls = cli.ls("/rw");
            assertTrue(ls.contains("/rw: rc = 0\n\ta\n\tb\n"), ls);
            String ls2 = cli.ls2("/rw");
            assertTrue(ls2.contains("/rw: rc = 0\n\ta\n\tb\n"), ls2);
            assertTrue(ls2.contains("\tversion=1\taversion=0\n"), "ls2 returns the parent's stat:\n" + ls2);

            assertFalse(cli.exists("exists", "/rw").contains("Error"), "exists on a node prints nothing");
            assertTrue(cli.exists("exists", "/rw/none").contains("Error -101 for /rw/none\n"));

            String sync = cli.sync("/rw");
            assertTrue(sync.contains("[/rw]: rc = 0\n\tname = /rw\n"), "sync answers with the path it synced:\n" + sync);

            assertTrue(cli.delete("/rw").contains("/rw: rc = -111\n"), "a node with children is NOTEMPTY");
            assertTrue(cli.delete("/rw/a").contains("/rw/a: rc = 0\n"));
            assertTrue(cli.get("/rw/none").contains("/rw/none: rc = -101\n\nStat:\nnull\n"));
            assertTrue(cli.set("/rw/none", "x").contains("/rw/none: rc = -101 Stat:\nnull\n"));
            assertEquals(0, cli.quit());
        }
        assertEquals(List.of("b"), zk.getChildren("/rw", false));
    }

    @Test
    void watchesSetByTheShellFireWhenTheJavaClientChangesTheTree() throws Exception {
        zk.create("/wt", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        try (CCli cli = CCli.connect(node.zkConnect())) {
            cli.get("/wt"); // a data watch
            cli.ls("/wt"); // a child watch
            assertTrue(cli.exists("wexists", "/wt/new").contains("Error -101 for /wt/new\n"),
                    "an exists watch on a node that is not there yet");

            int mark = cli.process.mark();
            zk.setData("/wt", "changed".getBytes(StandardCharsets.UTF_8), -1);
            cli.await(mark, "the data watch", "Watcher CHANGED_EVENT state = CONNECTED_STATE for path /wt\n");

            mark = cli.process.mark();
            zk.create("/wt/new", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            cli.await(mark, "the exists watch", "Watcher CREATED_EVENT state = CONNECTED_STATE for path /wt/new\n");
            cli.await(mark, "the child watch", "Watcher CHILD_EVENT state = CONNECTED_STATE for path /wt\n");

            cli.get("/wt/new");
            mark = cli.process.mark();
            zk.delete("/wt/new", -1);
            cli.await(mark, "the data watch on a deleted node",
                    "Watcher DELETED_EVENT state = CONNECTED_STATE for path /wt/new\n");
            assertEquals(0, cli.quit());
        }
    }

    @Test
    void aChrootedShellSeesPathsRelativeToItsRoot() throws Exception {
        zk.create("/app", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        try (CCli cli = CCli.connect(node.zkConnect() + "/app")) {
            assertTrue(cli.create("/x").contains("[/x]: rc = 0\n\tname = /x\n"));
            assertTrue(cli.get("/x").contains("/x: rc = 0\n value_len = 3\nnew\n"));
            int mark = cli.process.mark();
            zk.setData("/app/x", "y".getBytes(StandardCharsets.UTF_8), -1);
            cli.await(mark, "the watch event with the chroot taken off",
                    "Watcher CHANGED_EVENT state = CONNECTED_STATE for path /x\n");
            assertEquals(0, cli.quit());
        }
        assertEquals(List.of("x"), zk.getChildren("/app", false));
    }

    @Test
    void handshakeNegotiatesTheTimeoutAndIsNotReadOnly() throws Exception {
        for (List<String> options : List.of(List.of("-d"), List.of("-d", "-r"))) {
            try (CCli cli = CCli.connect(node.zkConnect(), options.toArray(String[]::new))) {
                String out = cli.logSince(0);
                // finalize_session_establishment logs the ConnectResponse it read: our session id, the
                // negotiated timeout and, empty here, "(READ-ONLY mode)" when the server says read-only.
                String established = "session establishment complete on server 127.0.0.1:" + node.zkPort()
                        + ", sessionId=0x" + cli.sessionHex() + ", negotiated timeout=" + SESSION_TIMEOUT + " \n";
                assertTrue(out.contains(established), options + ": expected '" + established + "' in:\n" + out);
                assertTrue(CCli.shellOutput(out).contains("Watcher SESSION_EVENT state = CONNECTED_STATE\n"), out);
                assertFalse(out.contains("READONLY_STATE") || out.contains("READ-ONLY"), out);
                String created = cli.create("+e /hs-" + options.size());
                assertTrue(created.contains("rc = 0\n"), created);
                assertEquals(cli.sessionId, zk.exists("/hs-" + options.size(), false).getEphemeralOwner(),
                        "the session id the client read is the one the node gave it");
                assertEquals(0, cli.quit());
            }
        }
    }

    @Test
    void pingsKeepAnIdleSessionAliveLongerThanItsTimeout() throws Exception {
        try (CCli cli = CCli.connect(node.zkConnect(), "-d")) {
            cli.create("+e /pinger");
            int mark = cli.process.mark();
            // One ping every timeout/3 while idle: four answered pings span more than one whole timeout,
            // so the session lives on because of them.
            String out = cli.process.awaitSince(mark, Duration.ofSeconds(60), "four ping responses",
                    s -> s.split("Got ping response", -1).length > 4 || s.contains("timed out"));
            assertFalse(out.contains("timed out") || out.contains("CONNECTING_STATE") || out.contains("expired"), out);
            assertEquals(cli.sessionId, zk.exists("/pinger", false).getEphemeralOwner());
            assertTrue(cli.get("/pinger").contains("/pinger: rc = 0\n"));
            assertEquals(0, cli.quit());
        }
        Poll.until(Duration.ofSeconds(30), "the ephemeral to go with the closed session", () -> absent("/pinger"));
    }

    @Test
    void afterAConnectionLossTheShellResumesItsSessionAndItsWatches() throws Exception {
        zk.create("/rc", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        try (FreezableProxy proxy = new FreezableProxy(node.zkPort());
             CCli cli = CCli.connect(proxy.connect(), "-d")) {
            cli.create("+e /rc-eph");
            cli.get("/rc");
            int mark = cli.process.mark();
            proxy.block(true);
            proxy.cut();
            cli.await(mark, "the connection loss", "Watcher SESSION_EVENT state = CONNECTING_STATE\n");
            // Changed while the shell is away: its SetWatches (with the last zxid it saw) fires the watch.
            zk.setData("/rc", "while away".getBytes(StandardCharsets.UTF_8), -1);
            proxy.block(false);
            String shell = cli.await(mark, "the watch event after the reconnect",
                    "Watcher CHANGED_EVENT state = CONNECTED_STATE for path /rc\n");
            assertTrue(shell.contains("Watcher SESSION_EVENT state = CONNECTED_STATE\n"), shell);
            String out = cli.logSince(mark);
            // The client sent its session id and password; the node took them and kept the session.
            assertTrue(out.contains("sessionId=0x" + cli.sessionHex() + ", negotiated timeout=" + SESSION_TIMEOUT), out);
            assertTrue(out.contains("Sending set watches request"), out);
            assertFalse(out.contains("Got a new session id") || out.contains("expired"), out);
            assertEquals(cli.sessionId, zk.exists("/rc-eph", false).getEphemeralOwner());
            assertTrue(cli.get("/rc").contains("/rc: rc = 0\n value_len = 10\nwhile away\n"));
            assertEquals(0, cli.quit());
        }
        Poll.until(Duration.ofSeconds(30), "the ephemeral to go with the closed session", () -> absent("/rc-eph"));
    }

    @Test
    void aShellWhoseSessionExpiredWhileCutOffIsToldSo() throws Exception {
        try (FreezableProxy proxy = new FreezableProxy(node.zkPort());
             CCli cli = CCli.connect(proxy.connect())) {
            cli.create("+e /doomed");
            assertNotNull(zk.exists("/doomed", false));
            int mark = cli.process.mark();
            proxy.freeze(); // the node hears nothing more and expires the session
            Poll.until(Duration.ofSeconds(60), "the session to expire and take its ephemeral",
                    () -> absent("/doomed"));
            proxy.thaw();
            proxy.cut();
            // The node answers the reconnect with session 0 and timeout 0, which the C client reads as expiry.
            String out = cli.await(mark, "the expiry", "Session expired. Shutting down...\n");
            assertTrue(out.contains("Watcher SESSION_EVENT state = EXPIRED_SESSION_STATE\n"), out);
            assertEquals(0, cli.quit());
        }
    }

    @Test
    void theCLibraryDoesVersionedWritesMultiAndGetAcl() throws Exception {
        // cli_mt has no versioned set, no multi and no getAcl; the library it runs on has them all.
        Processes.Result r = Processes.python("zk_c_library.py", List.of(node.zkConnect(), "/clib"), 120);
        assertEquals(0, r.exitCode(), r.all());
        String out = r.stdout();
        for (String line : List.of(
                "create /clib: rc=0 name=/clib",
                "set version 0: rc=0 version=1",
                "set version 0 again: rc=-103", // BADVERSION
                "get: rc=0 data=v1 version=1 dataLength=2",
                "delete version 7: rc=-103",
                "get_acl: rc=0 count=1 perms=31 id=world:anyone aversion=0",
                "multi ok: rc=0 create=0(/clib/a) create=0(/clib/seq-0000000001) set=0(version 2) check=0",
                // A failed multi: OK for the ops before the failure, its error, RUNTIMEINCONSISTENCY after.
                "multi failing: rc=-103 create=0 delete=-103 set=-2",
                "multi check missing: rc=-101 check=-101",
                "c library done")) {
            assertTrue(out.contains(line + "\n"), "expected '" + line + "' in:\n" + r.all());
        }
        Stat stat = new Stat();
        assertEquals("m", new String(zk.getData("/clib", false, stat), StandardCharsets.UTF_8));
        assertEquals(2, stat.getVersion());
        assertEquals(List.of("a", "seq-0000000001"), zk.getChildren("/clib", false).stream().sorted().toList(),
                "the failed multi left nothing behind");
    }

    @Test
    void configAndReconfigAnswerAsAStandaloneZooKeeper() throws Exception {
        try (CCli cli = CCli.connect(node.zkConnect())) {
            String config = cli.run("config", "the config completion", s -> s.matches("(?s).*(ephemeralOwner = 0\n|null\n).*"));
            assertTrue(config.contains("/zookeeper/config: rc = 0\n value_len = 0\n"),
                    "a standalone server's /zookeeper/config is empty:\n" + config);
            String reconfig = cli.run("reconfig -remove 3", "the reconfig completion", s -> s.contains("null\n"));
            assertTrue(reconfig.contains("-remove 3: rc = -123\n"), "RECONFIGDISABLED:\n" + reconfig);
            assertEquals(0, cli.quit());
        }
    }

    @Test
    void anUnknownAuthSchemeFailsTheSessionAsZooKeeperDoes() {
        try (CCli cli = CCli.connect(node.zkConnect(), "-d")) {
            int mark = cli.process.mark();
            cli.process.send("addauth digest alice:secret");
            cli.process.awaitSince(mark, CCli.WAIT, "the digest auth's success in the debug log",
                    s -> s.contains("Authentication scheme digest succeeded"));
            mark = cli.process.mark();
            cli.process.send("addauth nosuchscheme whatever");
            String out = cli.await(mark, "the auth failure", "Authentication failure. Shutting down...\n");
            assertTrue(out.contains("Watcher SESSION_EVENT state = AUTH_FAILED_STATE\n"), out);
            assertEquals(0, cli.quit());
        }
    }

    @Test
    void loadGenRunsWholeCyclesAndCleansUp() throws Exception {
        // load_gen creates N children asynchronously (all in flight at once), sets, reads back and checks
        // them, deletes them, and loops; it exits 1 on a wrong read and logs any failed request.
        try (InteractiveProcess gen = InteractiveProcess.start(
                List.of(CCli.LOAD_GEN.toString(), node.zkConnect(), "/lg", "200"))) {
            String out = gen.awaitSince(0, Duration.ofSeconds(60), "a second cycle",
                    s -> s.split("Creating children for path /lg", -1).length > 2);
            for (String phase : List.of("Starting the write cycle", "Starting the read cycle", "Starting the delete cycle")) {
                assertTrue(out.contains(phase + " for path /lg"), out);
            }
            assertFalse(out.contains("Failed to") || out.contains("Invalid read"), out);
        }
        Processes.Result clean = Processes.run(List.of(CCli.LOAD_GEN.toString(), node.zkConnect(), "/lg", "clean"), null, 60);
        assertEquals(0, clean.exitCode(), clean.all());
        assertTrue(clean.stderr().contains("Successfully deleted a subtree starting at /lg"), clean.all());
        assertTrue(absent("/lg"), "load_gen clean deleted its subtree with synchronous deletes");
        assertNotNull(zk.exists("/", false));
    }
}
