package io.tributary.log;

import io.tributary.log.LeaderEpochFileCache.EpochEntry;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** The leader epoch cache after a crash: reconciled with, or rebuilt from, the recovered log. */
class EpochRecoveryTest {
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);
    static final List<EpochEntry> THREE_EPOCHS = List.of(new EpochEntry(0, 0), new EpochEntry(2, 3), new EpochEntry(4, 6));

    private Path checkpoint() { return dir.resolve("t-0").resolve(LeaderEpochFileCache.FILE); }

    /** Batches 0-2 (epoch 0), 3-5 (epoch 2), 6-8 and 9-11 (epoch 4), then a crash (no clean close). */
    private long crashAfterFourBatches(LogConfig cfg) throws Exception {
        PartitionLog log = open(dir, cfg, time, true);
        log.appendAsLeader(batch(T0, 3), 0);
        log.appendAsLeader(batch(T0, 3), 2);
        long twoBatches = log.sizeInBytes();
        log.appendAsLeader(batch(T0, 3), 4);
        log.appendAsLeader(batch(T0, 3), 4);
        assertEquals(THREE_EPOCHS, log.epochCache().entries());
        for (LogSegment s : log.segmentsSnapshot()) s.closeHandlers();
        return twoBatches;
    }

    @Test
    void entriesBeyondTheRecoveredLogEndAreRemoved() throws Exception {
        long twoBatches = crashAfterFourBatches(config());
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("t-0").resolve(LogSegment.filenamePrefix(0) + ".log").toFile(), "rw")) {
            raf.setLength(twoBatches + 10); // the epoch-4 batches never reached the disk; a torn write follows
        }
        assertEquals("0\n3\n0 0\n2 3\n4 6\n", Files.readString(checkpoint()), "the file still names epoch 4");
        try (PartitionLog log = open(dir, config(), time, false)) {
            assertEquals(6, log.logEndOffset());
            assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(2, 3)), log.epochCache().entries());
            assertEquals("0\n2\n0 0\n2 3\n", Files.readString(checkpoint()), "the reconciled cache is written back");
            assertEquals(new LeaderEpochFileCache.EpochAndOffset(2, 6), log.endOffsetForEpoch(2));
        }
    }

    @Test
    void aMissingCheckpointIsRebuiltFromTheBatches() throws Exception {
        crashAfterFourBatches(config());
        Files.delete(checkpoint());
        try (PartitionLog log = open(dir, config(), time, false)) {
            assertEquals(THREE_EPOCHS, log.epochCache().entries());
            assertEquals("0\n3\n0 0\n2 3\n4 6\n", Files.readString(checkpoint()));
        }
    }

    @Test
    void aCheckpointBehindTheLogIsRebuilt() throws Exception {
        crashAfterFourBatches(config());
        Files.writeString(checkpoint(), "0\n1\n0 0\n"); // the async writes of epochs 2 and 4 were lost
        try (PartitionLog log = open(dir, config(), time, false)) {
            assertEquals(THREE_EPOCHS, log.epochCache().entries());
        }
    }

    @Test
    void aCheckpointWithAWrongStartOffsetIsRebuilt() throws Exception {
        crashAfterFourBatches(config());
        // as left by a truncation whose write was lost: epoch 4 recorded at 7, the log has it from 6
        Files.writeString(checkpoint(), "0\n3\n0 0\n2 3\n4 7\n");
        try (PartitionLog log = open(dir, config(), time, true)) {
            assertEquals(THREE_EPOCHS, log.epochCache().entries());
        }
    }

    @Test
    void aCheckpointNamingAnEpochTheLogNeverReachedIsRebuilt() throws Exception {
        crashAfterFourBatches(config());
        Files.writeString(checkpoint(), "0\n3\n0 0\n2 3\n5 9\n"); // stale entry inside the log, newer than its batches
        try (PartitionLog log = open(dir, config(), time, false)) {
            assertEquals(THREE_EPOCHS, log.epochCache().entries());
        }
    }

    @Test
    void anUnreadableCheckpointIsRebuilt() throws Exception {
        crashAfterFourBatches(config());
        Files.writeString(checkpoint(), "0\n3\n0 0\n");
        try (PartitionLog log = open(dir, config(), time, false)) {
            assertEquals(THREE_EPOCHS, log.epochCache().entries());
        }
    }

    @Test
    void rebuildFindsEpochChangesInsideAndAcrossSegments() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        PartitionLog log = open(dir, cfg, time, true);
        int[] epochs = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 8, 9, 9, 9};
        for (int e : epochs) log.appendAsLeader(batch(T0, 3), e);
        List<EpochEntry> expected = log.epochCache().entries();
        assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(1, 36), new EpochEntry(3, 42), new EpochEntry(8, 78),
            new EpochEntry(9, 81)), expected);
        assertTrue(log.numberOfSegments() >= 3);
        log.close();
        Files.delete(checkpoint());
        try (PartitionLog reopened = open(dir, cfg, time, true)) {
            assertEquals(expected, reopened.epochCache().entries());
        }
    }

    @Test
    void retentionMovesTheFirstEntryToTheNewLogStart() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024", TopicConfig.RETENTION_MS_CONFIG, "1000");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 30; i++) log.appendAsLeader(batch(T0, 3), i < 5 ? 0 : 6);
            time.advance(10_000);
            log.appendAsLeader(batch(time.milliseconds(), 3), 7);
            assertTrue(log.deleteOldSegments() > 0);
            long start = log.logStartOffset();
            assertTrue(start > 15, "retention removed the epoch-0 batches, start " + start);
            assertEquals(new EpochEntry(start < 90 ? 6 : 7, start), log.epochCache().entries().get(0));
            assertEquals(7, log.latestEpoch());
        }
    }

    @Test
    void aNewEmptyPartitionWritesNoCheckpointUntilItsFirstEpoch() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            assertFalse(Files.exists(checkpoint()));
            log.appendAsLeader(batch(T0, 1), 0);
            assertEquals("0\n1\n0 0\n", Files.readString(checkpoint()));
        }
    }
}
