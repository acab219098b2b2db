package io.tributary.log;

import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.tributary.log.LogTestSupport.*;
import static io.tributary.log.TxnTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Transactions across a crash, a torn tail, a missing index and a replication truncation. */
class TransactionRecoveryTest {
    static final short E0 = 0;

    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    private Path partDir() { return dir.resolve("t-0"); }

    /** Releases every handle without close(): what kill -9 leaves (no snapshot at the end, no clean-shutdown marker). */
    private static void crash(PartitionLog log) throws Exception {
        for (LogSegment s : log.segmentsSnapshot()) s.closeHandlers();
    }

    /** Every .txnindex file of the partition, by name, with its bytes. */
    private Map<String, byte[]> txnIndexes() throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(partDir())) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".txnindex")).toList()) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /**
     * Ten producers over several small segments: even ones abort, odd ones commit, producer 9 stays open; a
     * transaction often spans a roll, so its ABORT entry sits in a later segment than its data.
     */
    private static void writeMixed(PartitionLog log) {
        for (long pid = 0; pid < 10; pid++) {
            log.appendAsLeader(txn(pid, E0, 0, T0, "p" + pid + "-", 3), 0);
            log.appendAsLeader(batch(T0, 1), 0);
            if (pid > 0 && pid < 9) {
                long prev = pid - 1;
                log.appendMarker(prev % 2 == 0 ? abort(prev, E0) : commit(prev, E0), 0);
            }
        }
        log.appendMarker(commit(8, E0), 0);
    }

    @Test
    void crashRecoveryRebuildsAbortedIndexesOpenTransactionsAndTheLastStableOffset() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        Map<String, byte[]> indexes;
        List<String> committed;
        long lso, end;
        int segments;
        PartitionLog log = open(dir, cfg, time, true);
        writeMixed(log);
        log.flush().join();
        indexes = txnIndexes();
        committed = readCommitted(log);
        lso = log.lastStableOffset();
        end = log.logEndOffset();
        segments = log.numberOfSegments();
        crash(log);
        assertTrue(segments >= 3, "the test spans rolls: " + segments);
        assertEquals(4, indexes.values().stream().mapToInt(b -> b.length / 34).sum(), "producers 0, 2, 4, 6 aborted");
        assertTrue(indexes.size() >= 2, "entries in several segments: " + indexes.keySet());
        Files.delete(partDir().resolve("partition.checkpoint")); // recovery point 0: every segment is re-validated

        try (PartitionLog recovered = open(dir, cfg, time, false)) {
            assertEquals(end, recovered.logEndOffset());
            Map<String, byte[]> rebuilt = txnIndexes();
            assertEquals(indexes.keySet(), rebuilt.keySet());
            for (String f : indexes.keySet()) assertArrayEquals(indexes.get(f), rebuilt.get(f), f + " is rebuilt byte for byte");
            assertEquals(lso, recovered.lastStableOffset(), "producer 9 still holds the LSO");
            assertEquals(1, recovered.ongoingTransactions().size());
            assertEquals(9, recovered.ongoingTransactions().get(0)[0]);
            assertEquals(committed, readCommitted(recovered));
            recovered.appendMarker(abort(9, E0), 0);
            assertEquals(recovered.logEndOffset(), recovered.lastStableOffset());
            assertFalse(readCommitted(recovered).stream().anyMatch(v -> v.startsWith("p9-")), "producer 9 aborted");
        }
    }

    @Test
    void aTornMarkerAtTheTailReopensItsTransaction() throws Exception {
        PartitionLog log = open(dir, config(), time, true);
        log.appendAsLeader(txn(7, E0, 0, T0, "a", 2), 0);                // 0-1
        log.appendMarker(abort(7, E0), 0);                                // 2
        log.flush().join();
        assertEquals(34, Files.size(partDir().resolve(LogSegment.filenamePrefix(0) + ".txnindex")));
        crash(log);
        Path seg = partDir().resolve(LogSegment.filenamePrefix(0) + ".log");
        try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
            raf.setLength(raf.length() - 5); // the marker batch is cut mid-way, as a crash during its write leaves it
        }
        try (PartitionLog recovered = open(dir, config(), time, false)) {
            assertEquals(2, recovered.logEndOffset(), "the torn marker is gone");
            assertEquals(0, recovered.lastStableOffset(), "its transaction is open again");
            assertEquals(List.of(), recovered.collectAbortedTransactions(0, 2), "and its index entry gone");
            assertEquals(0, Files.size(partDir().resolve(LogSegment.filenamePrefix(0) + ".txnindex")));
            recovered.appendMarker(commit(7, E0), 0);
            assertEquals(List.of("a0", "a1"), readCommitted(recovered), "the coordinator's retried marker decides it");
        }
    }

    @Test
    void aMissingTxnIndexIsRebuiltWithTheOffsetIndexAfterACleanShutdown() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        Map<String, byte[]> indexes;
        try (PartitionLog log = open(dir, cfg, time, true)) {
            writeMixed(log);
        }
        indexes = txnIndexes();
        assertTrue(indexes.size() >= 2, "entries in several segments: " + indexes.keySet());
        String first = indexes.keySet().iterator().next();
        String base = first.substring(0, 20);
        Files.delete(partDir().resolve(first));
        Files.delete(partDir().resolve(base + ".index")); // a lost .index makes the segment rebuild all its indexes
        try (PartitionLog log = open(dir, cfg, time, true)) {
            Map<String, byte[]> rebuilt = txnIndexes();
            assertEquals(indexes.keySet(), rebuilt.keySet());
            for (String f : indexes.keySet()) {
                assertArrayEquals(indexes.get(f), rebuilt.get(f), f + ": the lost one rebuilt from the markers, the others untouched");
            }
        }
    }

    @Test
    void aTornOrCorruptTxnIndexIsRebuiltAfterACleanShutdown() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            writeMixed(log);
        }
        Map<String, byte[]> indexes = txnIndexes();
        java.util.Iterator<String> names = indexes.keySet().iterator();
        String torn = names.next(), corrupt = names.next();
        Files.write(partDir().resolve(torn), new byte[] {0, 0, 0, 1, 2}, java.nio.file.StandardOpenOption.APPEND);
        byte[] bad = indexes.get(corrupt).clone();
        bad[1] = 9; // version 9
        Files.write(partDir().resolve(corrupt), bad);
        try (PartitionLog log = open(dir, cfg, time, true)) {
            Map<String, byte[]> rebuilt = txnIndexes();
            for (String f : indexes.keySet()) assertArrayEquals(indexes.get(f), rebuilt.get(f), f + " rebuilt from the markers");
            assertEquals(9, log.ongoingTransactions().get(0)[0]);
            assertEquals(log.logEndOffset() - 5, log.lastStableOffset(), "producer 9's transaction (3 records, a plain one, a marker ago) is open");
        }
    }

    @Test
    void truncationBelowAnAbortMarkerDropsItsEntryAndReopensTheTransaction() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(txn(1, E0, 0, T0, "a", 2), 0);            // 0-1
            log.appendAsLeader(txn(2, E0, 0, T0, "b", 2), 0);            // 2-3
            log.appendMarker(abort(1, E0), 0);                            // 4
            log.appendMarker(commit(2, E0), 0);                           // 5
            assertEquals(6, log.lastStableOffset());
            log.truncateTo(5, "test: diverged at the commit");
            assertEquals(2, log.lastStableOffset(), "producer 2 is open again");
            assertEquals(List.of(new AbortedTxn(1, 0, 4, 2)), log.collectAbortedTransactions(0, 5));
            log.truncateTo(4, "test: diverged at the abort");
            assertEquals(0, log.lastStableOffset(), "both open again");
            assertEquals(List.of(), log.collectAbortedTransactions(0, 4));
            assertEquals(2, log.ongoingTransactions().size());
            log.appendMarker(commit(1, E0), 0);
            log.appendMarker(abort(2, E0), 0);
            assertEquals(List.of("a0", "a1"), readCommitted(log));
        }
    }
}
