package io.tributary.log;

import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class RecoveryTest {
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    private Path partDir() { return dir.resolve("t-0"); }
    private Path segFile(long base, String suffix) { return partDir().resolve(LogSegment.filenamePrefix(base) + suffix); }

    /** Appends, then "crashes": handles released without close(), so nothing is trimmed or snapshotted. */
    private void crashAfter(LogConfig cfg, int batches, int perBatch) throws Exception {
        PartitionLog log = open(dir, cfg, time, true);
        for (int i = 0; i < batches; i++) log.appendAsLeader(batch(T0, perBatch), 0);
        for (LogSegment s : log.segmentsSnapshot()) s.closeHandlers();
    }

    private static void append(Path file, byte[] bytes) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length());
            raf.write(bytes);
        }
    }

    @Test
    void garbageAtTailIsTruncatedAndAppendsContinue() throws Exception {
        crashAfter(config(), 5, 2);
        long validSize = Files.size(segFile(0, ".log"));
        append(segFile(0, ".log"), new byte[] {0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 40, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        try (PartitionLog log = open(dir, config(), time, false)) {
            assertEquals(10, log.logEndOffset());
            assertEquals(validSize, log.sizeInBytes());
            assertEquals(10, log.appendAsLeader(batch(T0, 1), 0).firstOffset());
            assertEquals(6, offsets(log.read(0, 1 << 20, true).records()).size());
        }
    }

    @Test
    void flippedByteMidLogTruncatesFromThatBatchAndDropsLaterSegments() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        crashAfter(cfg, 20, 3);
        // corrupt the third batch of the first segment (each batch is the same size)
        long fileSize = Files.size(segFile(0, ".log"));
        int batchSize = batch(T0, 3).sizeInBytes();
        assertTrue(fileSize > 3L * batchSize);
        try (RandomAccessFile raf = new RandomAccessFile(segFile(0, ".log").toFile(), "rw")) {
            long pos = 2L * batchSize + batchSize - 3; // inside the last record of batch 3
            raf.seek(pos);
            int b = raf.read();
            raf.seek(pos);
            raf.write(b ^ 0xff);
        }
        try (PartitionLog log = open(dir, cfg, time, false)) {
            assertEquals(6, log.logEndOffset(), "batches 0-1 survive, the corrupt third and everything after are gone");
            assertEquals(1, log.numberOfSegments());
            assertEquals(2L * batchSize, log.sizeInBytes());
            assertEquals(6, log.appendAsLeader(batch(T0, 3), 0).firstOffset());
        }
    }

    @Test
    void missingIndexIsRebuiltAfterCleanShutdown() throws Exception {
        LogConfig cfg = config(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, "100");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 20; i++) log.appendAsLeader(batch(T0 + i, 2), 0);
        }
        long indexSize = Files.size(segFile(0, ".index"));
        assertTrue(indexSize > 0);
        Files.delete(segFile(0, ".index"));
        Files.delete(segFile(0, ".timeindex"));
        try (PartitionLog log = open(dir, cfg, time, true)) {
            assertEquals(40, log.logEndOffset());
            assertEquals(20, offsets(log.read(20, 1 << 20, true).records()).get(0)[0]);
            assertEquals(30, log.offsetForTimestamp(T0 + 15).orElseThrow().offset);
        }
        assertEquals(indexSize, Files.size(segFile(0, ".index")), "rebuilt index has the same entries");
    }

    @Test
    void damagedIndexIsRebuilt() throws Exception {
        LogConfig cfg = config(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, "100");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 20; i++) log.appendAsLeader(batch(T0, 2), 0);
        }
        byte[] good = Files.readAllBytes(segFile(0, ".index"));
        byte[] bad = good.clone();
        bad[bad.length - 5] = 0x7f; // last entry's relative offset far beyond the log
        Files.write(segFile(0, ".index"), bad);
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (long o = 0; o < 40; o += 2) assertEquals(o, offsets(log.read(o, 1 << 20, true).records()).get(0)[0]);
        }
        assertArrayEquals(good, Files.readAllBytes(segFile(0, ".index")));
        Files.write(segFile(0, ".index"), new byte[] {1, 2, 3}); // not a multiple of the entry size
        try (PartitionLog log = open(dir, cfg, time, true)) {
            assertEquals(40, log.logEndOffset());
        }
        assertArrayEquals(good, Files.readAllBytes(segFile(0, ".index")));
    }

    @Test
    void cleanShutdownStillTruncatesGarbageAfterLastIndexEntry() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            for (int i = 0; i < 3; i++) log.appendAsLeader(batch(T0, 2), 0);
        }
        append(segFile(0, ".log"), new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        try (PartitionLog log = open(dir, config(), time, true)) {
            assertEquals(6, log.logEndOffset());
            assertEquals(6, log.appendAsLeader(batch(T0, 1), 0).firstOffset());
        }
    }

    @Test
    void cleanShutdownSkipsFullRevalidation() throws Exception {
        LogConfig cfg = config(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, "100");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 20; i++) log.appendAsLeader(batch(T0, 2), 0);
        }
        // Corrupt a batch well before the last index entry: a clean load trusts it, an unclean one does not.
        int batchSize = batch(T0, 2).sizeInBytes();
        try (RandomAccessFile raf = new RandomAccessFile(segFile(0, ".log").toFile(), "rw")) {
            raf.seek(batchSize + batchSize - 2);
            raf.write(0x55);
        }
        LogLoader.Result[] r = new LogLoader.Result[1];
        try (PartitionLog log = PartitionLog.open(partDir(), TP, cfg, time, DIRECT, true, r)) {
            assertEquals(40, log.logEndOffset());
            assertEquals(0, r[0].validatedSegments());
            assertFalse(r[0].neededRecovery());
        }
        try (PartitionLog log = PartitionLog.open(partDir(), TP, cfg, time, DIRECT, false, r)) {
            assertEquals(2, log.logEndOffset(), "full validation finds the corrupt second batch");
            assertTrue(r[0].neededRecovery());
        }
    }

    @Test
    void logStartOffsetAndRecoveryPointArePersisted() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024", TopicConfig.RETENTION_BYTES_CONFIG, "1024",
            TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "0");
        long start;
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 30; i++) log.appendAsLeader(batch(T0, 3), 0);
            log.deleteOldSegments();
            start = log.logStartOffset();
            assertTrue(start > 0);
        }
        try (PartitionLog log = open(dir, cfg, time, true)) {
            assertEquals(start, log.logStartOffset());
            assertEquals(90, log.logEndOffset());
            assertEquals(90, log.recoveryPoint());
        }
    }
}
