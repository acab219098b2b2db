package io.tributary.coord;

import io.tributary.testing.ManualTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Transaction log and snapshots: what was flushed comes back, a torn tail is cut, snapshots bound replay. */
class DurabilityTest {
    @TempDir
    Path dir;
    final ManualTime time = new ManualTime(1_000_000);

    private Coordinator fresh(TxnLog log) {
        Coordinator c = new Coordinator(new InMemoryCoordStore(), CoordOptions.defaults(), time,
                log == null ? t -> { } : log::append, Runnable::run);
        return c;
    }

    private Coordinator recover() throws IOException {
        Coordinator c = fresh(null);
        long snap = Snapshots.loadLatest(dir, c);
        TxnLog.recover(dir, snap, c::replay);
        return c;
    }

    private Coordinator writeSome(TxnLog log) {
        Coordinator c = fresh(log);
        c.startEpoch();
        log.roll(c.lastZxid() + 1);
        long session = c.createSession(6000, null).id();
        Caller caller = new Caller(session, List.of(), null);
        c.execute(caller, new Op.Create("/q", "queue".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        for (int i = 0; i < 5; i++) {
            c.execute(caller, new Op.Create("/q/n-", new byte[]{(byte) i}, ZnodeTree.OPEN_ACL, Op.PERSISTENT_SEQUENTIAL, 0));
        }
        c.execute(caller, new Op.SetData("/q", "v1".getBytes(), 0));
        c.execute(caller, new Op.Create("/eph", new byte[0], ZnodeTree.OPEN_ACL, Op.EPHEMERAL, 0));
        return c;
    }

    private static void assertSameTree(Coordinator want, Coordinator got) {
        assertEquals(want.lastZxid(), got.lastZxid(), "zxid");
        assertEquals(want.tree().nodeCount(), got.tree().nodeCount(), "node count");
        for (String path : List.of("/", "/q", "/q/n-0000000004", "/eph", "/zookeeper/config")) {
            DataNode a = want.tree().get(path);
            DataNode b = got.tree().get(path);
            assertEquals(a.stat(), b.stat(), "stat of " + path);
            assertArrayEquals(a.data(), b.data(), "data of " + path);
            assertEquals(a.children(), b.children(), "children of " + path);
        }
        assertEquals(want.sessions().count(), got.sessions().count(), "sessions");
        assertEquals(want.tree().ephemeralCount(), got.tree().ephemeralCount(), "ephemerals");
    }

    @Test
    void replayingTheLogRebuildsTreeZxidCountersAndSessions() throws Exception {
        TxnLog log = new TxnLog(dir);
        Coordinator c = writeSome(log);
        log.flushNow();
        log.close();
        Coordinator r = recover();
        assertSameTree(c, r);
        r.startEpoch();
        assertTrue(r.lastZxid() > c.lastZxid(), "a restart begins a new epoch");
        Caller caller = new Caller(r.sessions().all().iterator().next().id(), List.of(), null);
        Result next = r.execute(caller, new Op.Create("/q/n-", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT_SEQUENTIAL, 0));
        assertEquals("/q/n-0000000005", ((Result.Created) next.value()).path(), "sequence counter survives");
        assertEquals(2, r.lastZxid() >>> 32);
    }

    @Test
    void aLogLeftPreallocatedByACrashReadsUpToItsLastRecord() throws Exception {
        TxnLog log = new TxnLog(dir);
        Coordinator c = writeSome(log);
        log.flushNow(); // and no close: the process "dies" with the file still padded
        Path file = TxnLog.files(dir).get(0);
        assertTrue(Files.size(file) >= TxnLog.PREALLOCATE, "the file was extended ahead of the writes");
        assertSameTree(c, recover());
        // A torn record inside the padding (non-zero length, bad CRC) is cut at recovery.
        long cut = logicalEnd(file);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer torn = java.nio.ByteBuffer.allocate(12).putInt(4).putInt(12345).putInt(7).flip();
            ch.write(torn, cut);
        }
        assertSameTree(c, recover());
        assertEquals(cut, Files.size(file), "truncated at the torn record");
    }

    /** Offset of the first zero record length: where the next record would go. */
    private static long logicalEnd(Path file) throws IOException {
        java.nio.ByteBuffer all = java.nio.ByteBuffer.wrap(Files.readAllBytes(file));
        int pos = 0;
        while (pos + 8 <= all.limit() && all.getInt(pos) > 0 && all.getInt(pos) < 1 << 20) {
            pos += 8 + all.getInt(pos);
        }
        return pos;
    }

    @Test
    void aTornTailIsTruncatedAndEverythingBeforeItSurvives() throws Exception {
        TxnLog log = new TxnLog(dir);
        Coordinator c = writeSome(log);
        log.flushNow();
        log.close();
        Path file = TxnLog.files(dir).get(0);
        long goodSize = Files.size(file);
        Files.write(file, new byte[]{0, 0, 0, 50, 1, 2, 3, 4, 5, 6}, StandardOpenOption.APPEND);
        Coordinator r = recover();
        assertSameTree(c, r);
        assertEquals(goodSize, Files.size(file), "garbage cut off");
    }

    @Test
    void snapshotsPlusTheNewerLogRecoverTheSameStateAndOldFilesArePurged() throws Exception {
        TxnLog log = new TxnLog(dir);
        Coordinator c = writeSome(log);
        List<Long> snaps = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            Caller caller = new Caller(c.sessions().all().iterator().next().id(), List.of(), null);
            c.execute(caller, new Op.SetData("/q", ("round" + round).getBytes(), -1));
            Snapshots.Image snap = Snapshots.capture(c);
            log.roll(c.lastZxid() + 1);
            Snapshots.write(dir, snap);
            snaps.add(c.lastZxid());
            c.execute(caller, new Op.Create("/after" + round, new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
            log.flushNow();
            Snapshots.purge(dir, 3);
        }
        log.close();
        assertEquals(3, Snapshots.files(dir).size(), "three snapshots kept");
        Coordinator r = recover();
        assertSameTree(c, r);
        assertEquals(c.tree().nodeCount(), r.tree().nodeCount());
        assertTrue(r.tree().get("/after3") != null, "transactions after the last snapshot replayed");
    }
}
