package io.tributary.coord;

import io.tributary.coord.SessionTracker.Session;
import io.tributary.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Quotas as ZooKeeper keeps them: /zookeeper/quota/P/zookeeper_limits holds the limits, the engine keeps
 * /zookeeper/quota/P/zookeeper_stats at "count=N,bytes=M" for P's subtree through every kind of write,
 * and with enforcement on a write past a hard limit fails with QUOTAEXCEEDED.
 */
class QuotaTest {
    @TempDir
    Path dir;

    /** What zkCli's setquota writes: parents, the limits node, then a stats node of "count=0,bytes=0". */
    static void setQuota(Engine e, Caller c, String path, String limits) {
        String q = Paths.QUOTA;
        for (String part : path.substring(1).split("/")) {
            q = q + "/" + part;
            if (e.c.tree().get(q) == null) {
                e.create(c, q, "", Op.PERSISTENT);
            }
        }
        e.create(c, q + "/zookeeper_limits", limits, Op.PERSISTENT);
        e.create(c, q + "/zookeeper_stats", "count=0,bytes=0", Op.PERSISTENT);
    }

    static String stats(Engine e, String path) {
        return new String(e.c.tree().get(Quotas.statPath(path)).data(), StandardCharsets.UTF_8);
    }

    @Test
    void statsCountTheSubtreeWhenTheStatsNodeIsCreatedAndFollowEveryWrite() {
        Engine e = new Engine();
        Caller c = e.session();
        e.create(c, "/app", "ab", Op.PERSISTENT);
        e.create(c, "/app/x", "xyz", Op.PERSISTENT);
        e.create(c, "/apple", "not under /app", Op.PERSISTENT);
        setQuota(e, c, "/app", "count=10,bytes=-1");
        assertEquals("count=2,bytes=5", stats(e, "/app"), "counted from the tree, not what the client wrote");

        e.create(c, "/app/y", "1234", Op.PERSISTENT);
        e.create(c, "/app/x/deep", "", Op.PERSISTENT_SEQUENTIAL);
        assertEquals("count=4,bytes=9", stats(e, "/app"));
        e.expect(Codes.OK, c, new Op.SetData("/app/x", "x".getBytes(), -1));
        assertEquals("count=4,bytes=7", stats(e, "/app"));
        e.expect(Codes.OK, c, new Op.Delete("/app/y", -1));
        assertEquals("count=3,bytes=3", stats(e, "/app"));
        e.create(c, "/apple/z", "zz", Op.PERSISTENT);
        e.expect(Codes.OK, c, new Op.SetData("/apple", "".getBytes(), -1));
        assertEquals("count=3,bytes=3", stats(e, "/app"), "a sibling that shares the prefix is not in the quota");
        assertEquals(0, e.stat(c, Quotas.statPath("/app")).getVersion(), "stats change in place, as in ZooKeeper");
    }

    @Test
    void aFailedMultiLeavesTheStatsAsTheyWereAndASuccessfulOneCounts() {
        Engine e = new Engine();
        Caller c = e.session();
        e.create(c, "/app", "ab", Op.PERSISTENT);
        setQuota(e, c, "/app", "count=10,bytes=-1");
        Result r = e.run(c, new Op.Multi(List.of(
                new Op.Create("/app/a", "aaa".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.SetData("/app", "longer data".getBytes(), -1),
                new Op.Delete("/app/a", -1),
                new Op.Check("/app", 42))));
        assertEquals(Codes.BADVERSION, ((Result.Multi) r.value()).results().get(3).err());
        assertEquals("count=1,bytes=2", stats(e, "/app"), "rolled back with the multi");
        assertNull(e.c.tree().get("/app/a"));

        e.expect(Codes.OK, c, new Op.Multi(List.of(
                new Op.Create("/app/a", "aaa".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.Create("/app/b", "b".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.SetData("/app", "".getBytes(), -1))));
        assertEquals("count=3,bytes=4", stats(e, "/app"));
    }

    @Test
    void aMultiThatCreatesTheQuotaAndThenFailsLeavesNoQuota() {
        Engine e = new Engine(CoordOptions.defaults().withEnforceQuota(true));
        Caller c = e.session();
        e.create(c, "/app", "", Op.PERSISTENT);
        e.create(c, "/zookeeper/quota/app", "", Op.PERSISTENT);
        e.run(c, new Op.Multi(List.of(
                new Op.Create("/zookeeper/quota/app/zookeeper_limits", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=1".getBytes(),
                        ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.Create("/zookeeper/quota/app/zookeeper_stats", "count=0,bytes=0".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.Check("/app", 42))));
        assertNull(e.c.tree().get("/zookeeper/quota/app/zookeeper_limits"));
        e.expect(Codes.OK, c, new Op.Create("/app/x", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.expect(Codes.OK, c, new Op.Create("/app/y", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
    }

    @Test
    void ephemeralsOfAnExpiredSessionLeaveTheCount() {
        Engine e = new Engine();
        Caller c = e.session();
        e.create(c, "/app", "", Op.PERSISTENT);
        setQuota(e, c, "/app", "count=10,bytes=-1");
        Session s = e.c.createSession(6000, new Engine.Sink());
        Caller owner = new Caller(s.id(), List.of(), null);
        e.create(owner, "/app/lock-", "me", Op.EPHEMERAL_SEQUENTIAL);
        e.create(owner, "/app/member", "me too", Op.EPHEMERAL);
        assertEquals("count=3,bytes=8", stats(e, "/app"));
        e.time.advance(20_000);
        e.c.tick();
        assertNull(e.c.sessions().get(s.id()), "expired");
        assertEquals("count=1,bytes=0", stats(e, "/app"));
    }

    @Test
    void deletingTheQuotaRootCountsItOutAndDeletingTheLimitsEndsTheQuota() {
        Engine e = new Engine(CoordOptions.defaults().withEnforceQuota(true));
        Caller c = e.session();
        e.create(c, "/app", "abc", Op.PERSISTENT);
        setQuota(e, c, "/app", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=1");
        e.expect(Codes.OK, c, new Op.Delete("/app", -1));
        assertEquals("count=0,bytes=0", stats(e, "/app"));
        e.create(c, "/app", "", Op.PERSISTENT);
        e.expect(Codes.QUOTAEXCEEDED, c, new Op.Create("/app/x", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.expect(Codes.OK, c, new Op.Delete("/zookeeper/quota/app/zookeeper_limits", -1));
        e.expect(Codes.OK, c, new Op.Create("/app/x", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        assertEquals("count=1,bytes=0", stats(e, "/app"), "no longer tracked");
    }

    @Test
    void softLimitsOnlyWarn() {
        Engine e = new Engine(CoordOptions.defaults().withEnforceQuota(true));
        Caller c = e.session();
        e.create(c, "/app", "", Op.PERSISTENT);
        // What zkCli's "setquota -n 2 /app" writes.
        setQuota(e, c, "/app", "count=2,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
        e.create(c, "/app/a", "", Op.PERSISTENT);
        try (LogCapture log = new LogCapture(Quotas.class)) {
            e.create(c, "/app/b", "", Op.PERSISTENT);
            log.await("WARN Quota exceeded: /app [current count=3, softCountLimit=2]");
        }
        assertEquals("count=3,bytes=0", stats(e, "/app"));
    }

    @Test
    void hardLimitsFailCreateAndSetDataWhenEnforcedBeforeTheVersionIsChecked() {
        Engine e = new Engine(CoordOptions.defaults().withEnforceQuota(true));
        Caller c = e.session();
        e.create(c, "/app", "12345", Op.PERSISTENT);
        setQuota(e, c, "/app", "count=-1,bytes=-1=;byteHardLimit=8;countHardLimit=2");
        e.create(c, "/app/a", "123", Op.PERSISTENT);
        e.expect(Codes.QUOTAEXCEEDED, c, new Op.Create("/app/b", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.expect(Codes.QUOTAEXCEEDED, c, new Op.SetData("/app/a", "1234".getBytes(), 99));
        e.expect(Codes.BADVERSION, c, new Op.SetData("/app/a", "1".getBytes(), 99));
        e.expect(Codes.OK, c, new Op.SetData("/app/a", "".getBytes(), -1));
        e.expect(Codes.OK, c, new Op.SetData("/app", "12345678".getBytes(), -1));
        Result r = e.run(c, new Op.Multi(List.of(
                new Op.Delete("/app/a", -1),
                new Op.Create("/app/b", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.Create("/app/c", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0))));
        List<Result> results = ((Result.Multi) r.value()).results();
        assertEquals(List.of(Codes.OK, Codes.OK, Codes.QUOTAEXCEEDED),
                results.stream().map(Result::err).toList(), "each op is checked against the multi's earlier ones");
        assertEquals("count=2,bytes=8", stats(e, "/app"));
    }

    @Test
    void hardLimitsOnlyWarnWithoutEnforcement() {
        Engine e = new Engine();
        Caller c = e.session();
        e.create(c, "/app", "", Op.PERSISTENT);
        setQuota(e, c, "/app", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=1");
        try (LogCapture log = new LogCapture(Quotas.class)) {
            e.expect(Codes.OK, c, new Op.Create("/app/b", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
            log.await("WARN Quota exceeded: /app [current count=2, hardCountLimit=1]");
        }
        assertEquals("count=2,bytes=0", stats(e, "/app"));
    }

    @Test
    void recoveryCountsTheStatsAgainFromTheSnapshotThenReplaysTheLog() throws Exception {
        TxnLog log = new TxnLog(dir);
        Coordinator c = new Coordinator(new InMemoryCoordStore(), CoordOptions.defaults(), new io.tributary.testing.ManualTime(1_000_000),
                log::append, Runnable::run);
        c.startEpoch();
        log.roll(c.lastZxid() + 1);
        Caller caller = new Caller(c.createSession(6000, null).id(), List.of(), null);
        runAll(c, caller,
                new Op.Create("/app", "ab".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.Create("/zookeeper/quota/app", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.Create("/zookeeper/quota/app/zookeeper_limits", "count=100,bytes=-1".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.Create("/zookeeper/quota/app/zookeeper_stats", "count=0,bytes=0".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.Create("/app/a", "aaa".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                // A client may overwrite the stats node; ZooKeeper counts again when it loads a snapshot.
                new Op.SetData("/zookeeper/quota/app/zookeeper_stats", "count=99,bytes=99".getBytes(), -1));
        Snapshots.Image snap = Snapshots.capture(c);
        log.roll(c.lastZxid() + 1);
        Snapshots.write(dir, snap);
        runAll(c, caller,
                new Op.Create("/app/b", "b".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.Create("/app/e", "eph".getBytes(), ZnodeTree.OPEN_ACL, Op.EPHEMERAL, 0),
                new Op.Multi(List.of(new Op.Delete("/app/a", -1), new Op.SetData("/app", "abcd".getBytes(), -1))));
        log.flushNow();
        log.close();

        Coordinator r = new Coordinator(new InMemoryCoordStore(), CoordOptions.defaults(), new io.tributary.testing.ManualTime(1_000_000),
                t -> { }, Runnable::run);
        TxnLog.recover(dir, Snapshots.loadLatest(dir, r), r::replay);
        // /app "abcd", /app/b "b", /app/e "eph": counted at load (count=2,bytes=5), then the log's changes.
        assertEquals("count=3,bytes=8", new String(r.tree().get(Quotas.statPath("/app")).data(), StandardCharsets.UTF_8));
        assertEquals(r.tree().approximateDataSize(), sizeOf(r), "the data-size figure follows the stats rewrites");
    }

    private static void runAll(Coordinator c, Caller caller, Op... ops) {
        for (Op op : ops) {
            Result r = c.execute(caller, op);
            assertEquals(Codes.OK, r.err(), () -> op + " -> " + r);
        }
    }

    private static long sizeOf(Coordinator c) {
        long[] total = {0};
        c.tree().store().forEach((path, n) -> total[0] += path.length() + n.data().length);
        return total[0];
    }
}
