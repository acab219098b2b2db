package io.tributary.log;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tributary.log.CompactionSupport.*;
import static io.tributary.log.LogTestSupport.T0;
import static io.tributary.log.LogTestSupport.config;
import static org.junit.jupiter.api.Assertions.*;

/** What a cleaning round keeps and drops (cleaner run on the test thread). */
class CompactionTest {
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);
    final LogCleaner cleaner = LogCleaner.manual(CLEANER, time);

    @AfterEach
    void stopCleaner() { cleaner.close(); }

    private static LogConfig compact(String... kv) {
        String[] all = new String[kv.length + 4];
        all[0] = TopicConfig.CLEANUP_POLICY_CONFIG;
        all[1] = TopicConfig.CLEANUP_POLICY_COMPACT;
        all[2] = TopicConfig.SEGMENT_BYTES_CONFIG;
        all[3] = "1024";
        System.arraycopy(kv, 0, all, 4, kv.length);
        return config(all);
    }

    /** keys k0..k(keys-1), each updated `updates` times, one record per batch; value "v<offset>". */
    private static void appendUpdates(PartitionLog log, long ts, int keys, int updates) {
        for (int u = 0; u < updates; u++) {
            for (int k = 0; k < keys; k++) log.appendAsLeader(one(ts, "k" + k, "v" + log.logEndOffset()), 0);
        }
    }

    private static void assertLatestPerKey(List<Read> read, Map<String, Long> latest) {
        assertEquals(latest.size(), read.size(), "exactly one record per key: " + read);
        long prev = -1;
        for (Read r : read) {
            assertTrue(r.offset() > prev, "offsets increase: " + read);
            prev = r.offset();
            assertEquals(latest.get(r.key()), r.offset(), "key " + r.key() + " keeps its latest offset");
            assertEquals("v" + r.offset(), r.value(), "the value written at that offset");
        }
    }

    @Test
    void manyUpdatesPerKeyCompactToTheLatestValueWithOriginalOffsets() throws Exception {
        try (PartitionLog log = open(dir, compact(), time, cleaner, true)) {
            appendUpdates(log, T0, 10, 20);
            log.roll();
            int segmentsBefore = log.numberOfSegments();
            long sizeBefore = log.sizeInBytes();
            assertTrue(segmentsBefore > 4, "rolled into several segments: " + segmentsBefore);

            assertTrue(cleanOnce(log, cleaner), "a fully dirty log is cleaned");

            Map<String, Long> latest = new HashMap<>();
            for (int k = 0; k < 10; k++) latest.put("k" + k, 190L + k);
            assertLatestPerKey(readAll(log), latest);
            assertEquals(200, log.firstDirtyOffset(), "the cleaner checkpoint moved to the end of the cleaned range");
            assertEquals(200, log.logEndOffset(), "the log end offset is untouched");
            assertTrue(log.sizeInBytes() < sizeBefore / 5, "size " + log.sizeInBytes() + " from " + sizeBefore);
            assertEquals(200, CleanerCheckpoint.read(dir.resolve("t-0")), "checkpoint persisted");
            assertEquals(0, countFiles(dir.resolve("t-0"), ".cleaned") + countFiles(dir.resolve("t-0"), ".swap"));
            // appends continue after the swap
            assertEquals(200, log.appendAsLeader(one(T0, "k0", "v200"), 0).firstOffset());
        }
    }

    @Test
    void smallCleanedSegmentsAreMergedByALaterRound() throws Exception {
        LogConfig cfg = compact(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");
        try (PartitionLog log = open(dir, cfg, time, cleaner, true)) {
            appendUpdates(log, T0, 10, 20);
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            int afterFirst = log.numberOfSegments();
            // groups are formed by source sizes (Kafka's rule), so the first round leaves one small segment per source
            log.appendAsLeader(one(T0, "k0", "v200"), 0);
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            assertTrue(log.numberOfSegments() < afterFirst / 2, "segments " + log.numberOfSegments() + " from " + afterFirst);
            Map<String, Long> latest = new HashMap<>();
            for (int k = 1; k < 10; k++) latest.put("k" + k, 190L + k);
            latest.put("k0", 200L);
            assertLatestPerKey(readAll(log), latest);
        }
    }

    @Test
    void tombstoneIsReadableUntilDeleteRetentionAfterCleaningThenGone() throws Exception {
        LogConfig cfg = compact(TopicConfig.DELETE_RETENTION_MS_CONFIG, "1000", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");
        try (PartitionLog log = open(dir, cfg, time, cleaner, true)) {
            log.appendAsLeader(one(T0, "a", "a1"), 0);
            log.appendAsLeader(one(T0, "b", "b1"), 0);
            log.appendAsLeader(one(T0, "a", null), 0); // tombstone at offset 2
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            List<Read> read = readAll(log);
            assertEquals(List.of("b", "a"), read.stream().map(Read::key).toList(), "a1 is gone, the tombstone stays");
            assertNull(read.get(1).value());
            assertEquals(2, read.get(1).offset());
            RecordBatch tombBatch = log.read(2, 1 << 20, true).records().batches().iterator().next();
            assertEquals(T0 + 1000, tombBatch.deleteHorizonMs().orElseThrow(), "the first cleaning stamps the delete horizon");

            // a later round before the horizon keeps it
            time.advance(999);
            log.appendAsLeader(one(time.milliseconds(), "c", "c1"), 0);
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(List.of("b", "a", "c"), readAll(log).stream().map(Read::key).toList());

            // once the horizon passed, the next round drops it
            time.advance(1);
            log.appendAsLeader(one(time.milliseconds(), "d", "d1"), 0);
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(List.of("b", "c", "d"), readAll(log).stream().map(Read::key).toList(), "tombstone removed");
        }
    }

    @Test
    void belowMinCleanableDirtyRatioNothingIsCleaned() throws Exception {
        try (PartitionLog log = open(dir, compact(), time, cleaner, true)) { // default ratio 0.5
            appendUpdates(log, T0, 10, 20);
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            long size = log.sizeInBytes();
            log.appendAsLeader(one(T0, "k0", "v200"), 0);
            log.roll();
            PartitionCompaction.CleanableRange r = log.cleanableRange(time.milliseconds());
            assertTrue(r.dirtyRatio() > 0 && r.dirtyRatio() < 0.5, "ratio " + r.dirtyRatio());
            assertNull(log.maybeStartCleaning(), "dirty ratio below min.cleanable.dirty.ratio");
            assertEquals(11, readAll(log).size(), "the duplicate of k0 is still there");
            assertTrue(log.sizeInBytes() > size);

            appendUpdates(log, T0, 10, 2); // now most bytes are dirty
            log.roll();
            assertTrue(log.cleanableRange(time.milliseconds()).dirtyRatio() > 0.5);
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(10, readAll(log).size());
        }
    }

    @Test
    void minCompactionLagKeepsRecentRecordsUncompacted() throws Exception {
        LogConfig cfg = compact(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "60000", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");
        try (PartitionLog log = open(dir, cfg, time, cleaner, true)) {
            appendUpdates(log, T0, 5, 4); // offsets 0..19, old
            log.roll();
            time.advance(60_001);
            appendUpdates(log, time.milliseconds(), 5, 4); // offsets 20..39, recent
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            List<Read> read = readAll(log);
            assertEquals(5 + 20, read.size(), "the old segments are compacted, the recent ones not: " + read);
            assertEquals(20, log.firstDirtyOffset(), "cleaning stopped at the first segment younger than the lag");
            assertTrue(read.stream().filter(r -> r.offset() >= 20).count() == 20, "every recent record kept");

            time.advance(60_001);
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(5, readAll(log).size(), "once old enough, the rest is compacted");
            assertEquals(List.of(35L, 36L, 37L, 38L, 39L), readAll(log).stream().map(Read::offset).toList());
        }
    }

    @Test
    void maxCompactionLagForcesCleaningBelowTheDirtyRatio() throws Exception {
        LogConfig cfg = compact(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, "60000", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.99");
        try (PartitionLog log = open(dir, cfg, time, cleaner, true)) {
            appendUpdates(log, T0, 10, 20);
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            log.appendAsLeader(one(time.milliseconds(), "k0", "v200"), 0);
            log.roll();
            assertNull(log.maybeStartCleaning(), "ratio far below 0.99 and not yet past max.compaction.lag.ms");
            time.advance(60_001);
            assertTrue(cleanOnce(log, cleaner), "a dirty record older than max.compaction.lag.ms forces a round");
            assertEquals(10, readAll(log).size());
        }
    }

    @Test
    void compressedAndIdempotentBatchesSurviveAndTheProducerContinues() throws Exception {
        long pid = 4242;
        LogConfig cfg = compact();
        try (PartitionLog log = open(dir, cfg, time, cleaner, true)) {
            int seq = 0;
            Compression[] codecs = {Compression.zstd().build(), Compression.NONE, Compression.lz4().build()};
            for (int round = 0; round < 12; round++) {
                SimpleRecord[] recs = new SimpleRecord[4];
                for (int k = 0; k < 4; k++) recs[k] = kv(T0, "k" + k, "r" + round);
                MemoryRecords batch = MemoryRecords.withIdempotentRecords(codecs[round % 3], pid, (short) 0, seq, recs);
                log.appendAsLeader(batch, 0);
                seq += 4;
                // plain compressed batches of other keys, no producer id
                log.appendAsLeader(MemoryRecords.withRecords(codecs[round % 3], kv(T0, "x" + (round % 2), "x" + round)), 0);
            }
            log.roll();
            assertTrue(cleanOnce(log, cleaner));

            List<Read> read = readAll(log);
            assertEquals(6, read.size(), "k0..k3 and x0, x1: " + read);
            for (Read r : read) {
                if (r.key().startsWith("k")) {
                    assertEquals("r11", r.value());
                    assertEquals(pid, r.batchProducerId(), "producer id kept");
                    assertEquals("lz4", r.compression(), "the last round was lz4 and stays lz4");
                } else {
                    assertEquals(r.key().equals("x0") ? "x10" : "x11", r.value());
                    assertEquals(r.key().equals("x0") ? "none" : "lz4", r.compression());
                }
            }
            RecordBatch last = null;
            for (RecordBatch b : log.read(0, 1 << 20, true).records().batches()) if (b.producerId() == pid) last = b;
            assertNotNull(last);
            assertEquals(44, last.baseSequence(), "base sequence preserved");

            // the next sequence from the same producer is accepted, a duplicate of the last batch is detected
            SimpleRecord[] recs = {kv(T0, "k0", "next")};
            LogAppendInfo ok = log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 48, recs), 0);
            assertFalse(ok.duplicate());
            assertEquals(60, ok.firstOffset());
        }
    }

    @Test
    void idempotentProducerStateSurvivesCompactionAndReload() throws Exception {
        long pid = 7;
        LogConfig cfg = compact();
        try (PartitionLog log = open(dir, cfg, time, cleaner, true)) {
            for (int i = 0; i < 30; i++) {
                log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, i, kv(T0, "k", "v" + i)), 0);
                log.appendAsLeader(one(T0, "other", "o" + i), 0); // the producer's last batch is not the log's last
            }
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(List.of("k", "other"), readAll(log).stream().map(Read::key).toList());
        }
        // reload from the compacted files alone (no producer snapshots): the sequence state is rebuilt
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir.resolve("t-0"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".snapshot")).toList()) java.nio.file.Files.delete(p);
        }
        try (PartitionLog log = open(dir, cfg, time, cleaner, false)) {
            assertEquals(29, log.producerStateEntry(pid).lastSeq());
            assertEquals(60, log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, 30, kv(T0, "k", "v30")), 0).firstOffset());
        }
    }

    @Test
    void theActiveSegmentIsNeverCleaned() throws Exception {
        LogConfig cfg = compact(TopicConfig.SEGMENT_BYTES_CONFIG, "1048576", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");
        try (PartitionLog log = open(dir, cfg, time, cleaner, true)) {
            appendUpdates(log, T0, 3, 10);
            assertEquals(1, log.numberOfSegments());
            assertNull(log.maybeStartCleaning(), "only the active segment: nothing cleanable");
            log.roll();
            appendUpdates(log, T0, 3, 10); // the new active segment holds duplicates too
            assertTrue(cleanOnce(log, cleaner));
            List<Read> read = readAll(log);
            assertEquals(3 + 30, read.size(), "closed segment compacted, active untouched");
            assertEquals(30, log.firstDirtyOffset());
        }
    }

    @Test
    void compactDeleteAlsoAppliesRetention() throws Exception {
        LogConfig cfg = compact(TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete", TopicConfig.RETENTION_MS_CONFIG, "10000",
            TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "0");
        // wall-clock start: emptied cleaned segments age by file mtime, as in Kafka
        ManualTime time = new ManualTime(System.currentTimeMillis());
        try (PartitionLog log = open(dir, cfg, time, cleaner, true)) {
            appendUpdates(log, time.milliseconds(), 10, 20);
            log.roll();
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(10, readAll(log).size());
            time.advance(20_000); // well past retention.ms for record timestamps and file mtimes alike
            appendUpdates(log, time.milliseconds(), 2, 1);
            log.roll();
            log.appendAsLeader(one(time.milliseconds(), "k0", "v-active"), 0);
            assertTrue(log.deleteOldSegments() > 0, "old compacted segments are deleted by retention.ms");
            assertEquals(200, log.logStartOffset());
            assertEquals(List.of("k0", "k1", "k0"), readAll(log).stream().map(Read::key).toList());
        }
    }

    @Test
    void keylessRecordsAreDroppedAndOnlyCompactTopicsAreCleaned() throws Exception {
        // a topic switched from delete to compact may hold keyless records; Kafka's cleaner drops them
        LogConfig deleteCfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        try (PartitionLog log = open(dir, deleteCfg, time, cleaner, true)) {
            for (int i = 0; i < 5; i++) log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(T0, null, "n".getBytes())), 0);
            log.appendAsLeader(one(T0, "a", "a1"), 0);
            log.appendAsLeader(one(T0, "a", "a2"), 0);
            log.roll();
            assertNull(log.maybeStartCleaning(), "cleanup.policy=delete: never compacted");
            log.updateConfig(compact());
            assertTrue(cleanOnce(log, cleaner));
            assertEquals(List.of(6L), readAll(log).stream().map(Read::offset).toList());
        }
    }

    @Test
    void aFullOffsetMapCleansUpToWhereItFilledAndTheNextRoundContinues() throws Exception {
        // 12 slots: the map takes 10 keys per round
        LogCleaner small = LogCleaner.manual(new LogCleaner.Config(true, 1, 15_000, 12 * OffsetMap.BYTES_PER_ENTRY, 4096), time);
        LogConfig cfg = compact(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");
        try (PartitionLog log = open(dir, cfg, time, small, true)) {
            appendUpdates(log, T0, 25, 2); // 50 records, 25 distinct keys
            log.roll();
            assertTrue(cleanOnce(log, small));
            long firstDirty = log.firstDirtyOffset();
            assertTrue(firstDirty > 0 && firstDirty < 50, "partial round up to the offset where the map filled: " + firstDirty);
            int rounds = 1;
            while (log.firstDirtyOffset() < 50 && rounds < 20) {
                assertTrue(cleanOnce(log, small));
                rounds++;
            }
            assertEquals(50, log.firstDirtyOffset());
            assertTrue(rounds >= 3, "several rounds: " + rounds);
            assertEquals(25, readAll(log).size());
        } finally {
            small.close();
        }
    }

    @Test
    void realCleanerThreadDoesTheWorkAndTickSwapsItIn() throws Exception {
        LogCleaner threaded = LogCleaner.start(new LogCleaner.Config(true, 1, 0, 1 << 20, 64 * 1024), time);
        try (PartitionLog log = open(dir, compact(), time, threaded, true)) {
            appendUpdates(log, T0, 10, 20);
            log.roll();
            CompletableFuture<Cleaner.Result> f = log.maybeStartCleaning();
            assertNotNull(f);
            assertNull(log.maybeStartCleaning(), "one round in flight per partition");
            Cleaner.Result r = f.get(30, TimeUnit.SECONDS);
            assertTrue(r.groups().size() >= 1);
            assertEquals(200, readAll(log).size(), "nothing visible before the owner swaps");
            log.tick();
            assertFalse(log.cleaningInFlight());
            assertEquals(10, readAll(log).size());
        } finally {
            threaded.close();
        }
    }
}
