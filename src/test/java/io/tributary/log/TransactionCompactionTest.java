package io.tributary.log;

import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.tributary.log.CompactionSupport.*;
import static io.tributary.log.LogTestSupport.T0;
import static io.tributary.log.LogTestSupport.config;
import static io.tributary.log.TxnTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** What the cleaner does with transactions: aborted data goes, markers stay until their data and their horizon are gone. */
class TransactionCompactionTest {
    static final short E0 = 0;

    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);
    final LogCleaner cleaner = LogCleaner.manual(CLEANER, time);

    @AfterEach
    void stopCleaner() { cleaner.close(); }

    private static LogConfig compact() {
        return config(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.SEGMENT_BYTES_CONFIG, "1024",
            TopicConfig.DELETE_RETENTION_MS_CONFIG, "1000", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");
    }

    /** (offset, control?) of every batch below the high watermark. */
    private static List<String> batches(PartitionLog log) {
        List<String> out = new ArrayList<>();
        for (RecordBatch b : log.read(log.logStartOffset(), 1 << 20, true, FetchIsolation.HIGH_WATERMARK).records().batches()) {
            out.add(b.baseOffset() + (b.isControlBatch() ? "M" : "") + (b.iterator().hasNext() ? "" : "-empty"));
        }
        return out;
    }

    @Test
    void abortedDataIsRemovedAndMarkersOutliveItByDeleteRetention() throws Exception {
        try (PartitionLog log = open(dir, compact(), time, cleaner, true)) {
            log.appendAsLeader(txn(1, E0, 0, T0, "aborted-", 2), 0);     // 0-1 k0,k1 (aborted)
            log.appendAsLeader(txn(2, E0, 0, T0, "committed-", 2), 0);   // 2-3 k0,k1 (committed)
            log.appendMarker(abort(1, E0), 0);                            // 4
            log.appendMarker(commit(2, E0), 0);                           // 5
            log.appendAsLeader(one(T0, "z", "plain"), 0);                 // 6
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(List.of("committed-0", "committed-1", "plain"), readUncommitted(log), "the aborted records are gone, whatever their keys");
            // producer 1's aborted batch stays emptied: it holds that producer's last sequence (Kafka's rule)
            assertEquals(List.of("0-empty", "2", "4M", "5M", "6"), batches(log), "both markers stay while this round removed their data");
            assertEquals(List.of(new AbortedTxn(1, 0, 4, 2)), log.collectAbortedTransactions(0, 7), "the kept ABORT marker keeps its entry");
            RecordBatch abortMarker = log.read(4, 1 << 20, true).records().batches().iterator().next();
            assertTrue(abortMarker.deleteHorizonMs().isEmpty(), "no horizon while its data was still there");

            // while that emptied batch is producer 1's last, it counts as data of the aborted transaction (as in Kafka):
            // producer 1 writes again, so round 2 can drop it; the marker still saw it in round 2
            log.appendAsLeader(org.apache.kafka.common.record.internal.MemoryRecords.withTransactionalRecords(
                org.apache.kafka.common.compress.Compression.NONE, 1, E0, 2, kv(T0, "w", "again")), 0);   // 7
            log.appendMarker(commit(1, E0), 0);                                                          // 8
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(List.of("2", "4M", "5M", "6", "7", "8M"), batches(log), "the emptied aborted batch is gone");

            // round 3: no data of the aborted transaction left, so its marker gets a delete horizon and loses its entry
            log.appendAsLeader(one(T0, "y", "p2"), 0);
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            RecordBatch marker = log.read(4, 1 << 20, true).records().batches().iterator().next();
            assertEquals(4, marker.baseOffset());
            assertEquals(T0 + 1000, marker.deleteHorizonMs().orElseThrow(), "stamped now + delete.retention.ms");
            assertEquals(List.of(), log.collectAbortedTransactions(0, log.logEndOffset()));

            // after the horizon the ABORT marker goes; COMMIT markers stay as long as their transaction's data does
            time.advance(1000);
            log.appendAsLeader(one(time.milliseconds(), "x", "p3"), 0);
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(List.of("2", "5M", "6", "7", "8M", "9", "10"), batches(log), "the ABORT marker is gone");
            assertEquals(List.of("committed-0", "committed-1", "plain", "again", "p2", "p3"), readCommitted(log));
        }
    }

    @Test
    void theCleanerStopsAtTheLastStableOffset() throws Exception {
        try (PartitionLog log = open(dir, compact(), time, cleaner, true)) {
            log.appendAsLeader(one(T0, "a", "a1"), 0);
            log.appendAsLeader(txn(3, E0, 0, T0, "open-", 1), 0);         // 1 k0, open
            log.roll();
            log.appendAsLeader(one(T0, "a", "a2"), 0);                    // 2
            log.roll();
            assertEquals(1, log.lastStableOffset());
            assertFalse(cleanOnce(log, cleaner), "the first segment reaches past the LSO: nothing is cleanable");
            log.appendMarker(commit(3, E0), 0);
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(List.of("open-0", "a2"), readCommitted(log), "cleaned once the transaction is decided");
        }
    }
}
