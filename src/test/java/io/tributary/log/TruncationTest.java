package io.tributary.log;

import io.tributary.log.LeaderEpochFileCache.EpochEntry;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.tributary.log.FollowerAppendTest.at;
import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class TruncationTest {
    static final long PID = 77L;
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    /** Four batches of three records: offsets 0-2 (epoch 0), 3-5 (epoch 2), 6-8 (epoch 4), 9-11 (epoch 4). */
    private PartitionLog fourBatches(LogConfig cfg) throws Exception {
        PartitionLog log = open(dir, cfg, time, true);
        log.appendAsLeader(batch(T0, 3), 0);
        log.appendAsLeader(batch(T0 + 1, 3), 2);
        log.appendAsLeader(batch(T0 + 2, 3), 4);
        log.appendAsLeader(batch(T0 + 3, 3), 4);
        return log;
    }

    private static List<long[]> all(PartitionLog log) {
        return offsets(log.read(log.logStartOffset(), 1 << 20, true, FetchIsolation.LOG_END).records());
    }

    private List<String> files(String suffix) throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("t-0"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
        }
    }

    @Test
    void truncateAtABatchBoundaryRemovesEverythingFromThereAndAppendsContinue() throws Exception {
        try (PartitionLog log = fourBatches(config(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, "1"))) {
            long batchBytes = log.sizeInBytes() / 4;
            assertEquals(6, log.truncateTo(6, "test: diverged at 6"));
            assertEquals(6, log.logEndOffset());
            assertEquals(2 * batchBytes, log.sizeInBytes());
            assertEquals(2, all(log).size());
            assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(2, 3)), log.epochCache().entries());
            assertEquals(new LeaderEpochFileCache.EpochAndOffset(2, 6), log.endOffsetForEpoch(2));
            assertEquals(6, log.appendAsLeader(batch(T0 + 9, 2), 5).firstOffset());
            assertArrayEquals(new long[] {3, 5}, offsets(log.read(4, 1 << 20, false).records()).get(0),
                "the index finds offset 4 in the batch 3-5");
            assertEquals(6, log.offsetForTimestamp(T0 + 9).orElseThrow().offset, "the time index forgot the removed batches");
        }
        LogLoader.Result[] r = new LogLoader.Result[1];
        try (PartitionLog reopened = PartitionLog.open(dir.resolve("t-0"), TP, config(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, "1"),
                time, DIRECT, true, r)) {
            assertEquals(8, reopened.logEndOffset());
            assertEquals(0, r[0].rebuiltIndexes(), "indexes truncated with the log are sane at reopen");
            assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(2, 3), new EpochEntry(5, 6)), reopened.epochCache().entries());
        }
    }

    @Test
    void truncateInsideABatchCutsAtTheStartOfThatBatch() throws Exception {
        try (PartitionLog log = fourBatches(config())) {
            assertEquals(6, log.truncateTo(7, "test: inside 6-8"));
            assertEquals(6, log.logEndOffset());
            assertArrayEquals(new long[] {3, 5}, all(log).get(1));
            assertEquals(2, all(log).size());
        }
    }

    @Test
    void truncateAcrossSegmentsDeletesTheLaterOnesAndSurvivesAnUncleanRestart() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        PartitionLog log = open(dir, cfg, time, true);
        for (int i = 0; i < 30; i++) log.appendAsLeader(batch(T0, 3), i / 10);
        int segmentsBefore = log.numberOfSegments();
        assertTrue(segmentsBefore >= 3, "the test wants several segments, got " + segmentsBefore);
        long secondBase = log.segmentsSnapshot().get(1).baseOffset();
        long target = secondBase + 3;
        assertEquals(target, log.truncateTo(target, "test"));
        assertEquals(2, log.numberOfSegments());
        assertEquals(List.of(LogSegment.filenamePrefix(0) + ".log", LogSegment.filenamePrefix(secondBase) + ".log"), files(".log"));
        assertEquals(segmentsBefore - 2, files(".log.deleted").size(), "removed segments wait as .deleted");
        // appends go to the truncated segment, now active again
        assertEquals(target, log.appendAsLeader(batch(T0, 3), 5).firstOffset());
        assertEquals(2, log.numberOfSegments());
        for (LogSegment s : log.segmentsSnapshot()) s.closeHandlers(); // crash: no clean close
        try (PartitionLog reopened = open(dir, cfg, time, false)) {
            assertEquals(target + 3, reopened.logEndOffset());
            assertEquals(5, reopened.latestEpoch());
            assertEquals(files(".log.deleted"), List.of(), "leftover .deleted files are removed at load");
        }
    }

    @Test
    void truncateAtOrAboveTheLogEndOnlyDropsEpochEntriesStartingThere() throws Exception {
        try (PartitionLog log = fourBatches(config())) {
            long size = log.sizeInBytes();
            log.epochCache().assign(9, 12); // a leader assigned its epoch at its log end, then lost leadership
            assertEquals(12, log.truncateTo(12, "test"));
            assertEquals(12, log.truncateTo(20, "test"));
            assertEquals(size, log.sizeInBytes());
            assertEquals(4, log.latestEpoch());
        }
    }

    @Test
    void truncateBelowTheFirstSegmentEmptiesTheLogAndStartsThere() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.truncateFullyAndStartAt(50, "test: start at 50");
            log.appendAsFollower(at(batch(T0, 3), 50, 1));
            assertEquals(20, log.truncateTo(20, "test: below the first segment"));
            assertEquals(20, log.logStartOffset());
            assertEquals(20, log.logEndOffset());
            assertEquals(0, log.sizeInBytes());
        }
    }

    @Test
    void truncateFullyStartsAnEmptyLogAtTheOffsetWithNoEpochsOrProducers() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 10; i++) log.appendAsLeader(idempotent(PID, (short) 0, 3 * i, T0, 3), 1);
            log.setHighWatermarkFollowsLogEnd(false);
            log.truncateFullyAndStartAt(1000, "test: out of range below the leader's log start");
            assertEquals(1000, log.logStartOffset());
            assertEquals(1000, log.logEndOffset());
            assertEquals(1000, log.highWatermark());
            assertEquals(1000, log.recoveryPoint());
            assertEquals(1, log.numberOfSegments());
            assertEquals(List.of(), log.epochCache().entries());
            assertNull(log.producerStateEntry(PID));
            assertEquals(List.of(), files(".snapshot"));
            assertEquals(1000, log.appendAsFollower(at(idempotent(PID, (short) 0, 30, T0, 2), 1000, 3)).firstOffset());
        }
        try (PartitionLog reopened = open(dir, cfg, time, false)) {
            assertEquals(1000, reopened.logStartOffset());
            assertEquals(1002, reopened.logEndOffset());
            assertEquals(List.of(new EpochEntry(3, 1000)), reopened.epochCache().entries());
            assertEquals(31, reopened.producerStateEntry(PID).lastSeq());
        }
    }

    @Test
    void aTruncatedBatchIsNoLongerADuplicateButOneBelowStillIs() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 3; i++) log.appendAsLeader(idempotent(PID, (short) 0, 3 * i, T0, 3), 0); // offsets 0..8
            log.roll(); // a snapshot at 9, above the truncation point
            log.appendAsLeader(idempotent(PID, (short) 0, 9, T0, 3), 0);
            assertTrue(files(".snapshot").contains(LogSegment.filenamePrefix(9) + ".snapshot"));

            assertEquals(3, log.truncateTo(3, "test"));
            assertEquals(List.of(), files(".snapshot"), "snapshots above the new end describe removed batches");
            assertEquals(2, log.producerStateEntry(PID).lastSeq());
            LogAppendInfo below = log.appendAsLeader(idempotent(PID, (short) 0, 0, T0, 3), 0);
            assertTrue(below.duplicate(), "the batch at 0-2 is still in the log");
            assertEquals(0, below.firstOffset());
            LogAppendInfo resent = log.appendAsLeader(idempotent(PID, (short) 0, 3, T0, 3), 0);
            assertFalse(resent.duplicate(), "the batch at 3-5 was truncated: its resend is new");
            assertEquals(3, resent.firstOffset());
        }
        try (PartitionLog reopened = open(dir, cfg, time, true)) {
            assertEquals(6, reopened.logEndOffset());
            assertEquals(5, reopened.producerStateEntry(PID).lastSeq());
            assertFalse(reopened.appendAsLeader(idempotent(PID, (short) 0, 6, T0, 3), 0).duplicate());
        }
    }

    @Test
    void producerStateIsRebuiltFromAnOlderSnapshotPlusTheBatchesAfterIt() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            log.appendAsLeader(idempotent(PID, (short) 0, 0, T0, 3), 0);
            log.roll(); // snapshot at 3
            log.appendAsLeader(idempotent(PID, (short) 0, 3, T0, 3), 0);
            log.appendAsLeader(idempotent(PID + 1, (short) 0, 0, T0, 3), 0);
            log.appendAsLeader(idempotent(PID, (short) 0, 6, T0, 3), 0);
            assertEquals(12, log.truncateTo(12, "test: at the log end"));
            assertEquals(9, log.truncateTo(10, "test: inside 9-11"));
            assertEquals(5, log.producerStateEntry(PID).lastSeq());
            assertEquals(2, log.producerStateEntry(PID + 1).lastSeq());
            assertEquals(6, log.truncateTo(7, "test: inside 6-8"));
            assertEquals(5, log.producerStateEntry(PID).lastSeq());
            assertNull(log.producerStateEntry(PID + 1), "a producer whose only batch went is forgotten");
            assertEquals(3, log.truncateTo(5, "test: inside 3-5, back to the snapshot at 3"));
            assertEquals(2, log.producerStateEntry(PID).lastSeq());
        }
    }

    @Test
    void highWatermarkIsClampedToTheNewLogEnd() throws Exception {
        try (PartitionLog log = fourBatches(config())) {
            log.setHighWatermarkFollowsLogEnd(false);
            assertEquals(0, log.highWatermark(), "no restored value: the log start");
            assertTrue(log.updateHighWatermark(9));
            log.truncateTo(6, "test");
            assertEquals(6, log.highWatermark());
            log.appendAsLeader(batch(T0, 3), 5);
            assertEquals(6, log.highWatermark(), "a replicated partition's HW does not follow appends");
        }
        try (PartitionLog single = open(dir.resolve("single"), config(), time, true)) {
            for (int i = 0; i < 4; i++) single.appendAsLeader(batch(T0, 3), 0);
            single.truncateTo(3, "test");
            assertEquals(3, single.highWatermark());
            single.appendAsLeader(batch(T0, 1), 0);
            assertEquals(4, single.highWatermark(), "single-node mode: HW = LEO");
        }
    }

    @Test
    void offsetForTimestampLatestStaysAtTheHighWatermark() throws Exception {
        try (PartitionLog log = fourBatches(config())) {
            log.setHighWatermarkFollowsLogEnd(false);
            log.updateHighWatermark(6);
            assertEquals(6, log.offsetForTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP).orElseThrow().offset);
            assertTrue(log.offsetForTimestamp(T0 + 3).isEmpty(), "a record above the HW is not visible to ListOffsets");
        }
    }

    @Test
    void aFollowerMovesItsLogStartUpToTheLeadersButNotPastItsHighWatermark() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 30; i++) log.appendAsFollower(FollowerAppendTest.at(batch(T0, 3), 3L * i, i / 10));
            log.setHighWatermarkFollowsLogEnd(false);
            log.followerHighWatermark(60);
            int segments = log.numberOfSegments();
            assertTrue(log.maybeIncrementLogStartOffset(33));
            assertEquals(33, log.logStartOffset());
            assertEquals(new EpochEntry(1, 33), log.epochCache().entries().get(0));
            assertThrows(org.apache.kafka.common.errors.OffsetOutOfRangeException.class, () -> log.read(30, 1 << 20, true));
            assertFalse(log.maybeIncrementLogStartOffset(20), "never backwards");
            assertTrue(log.maybeIncrementLogStartOffset(75));
            assertEquals(60, log.logStartOffset(), "not past the follower's high watermark");
            assertTrue(log.deleteOldSegments() > 0, "segments wholly below the new log start go at the retention check");
            assertTrue(log.numberOfSegments() < segments);
        }
        try (PartitionLog reopened = open(dir, cfg, time, true)) {
            assertEquals(60, reopened.logStartOffset());
            assertEquals(new EpochEntry(2, 60), reopened.epochCache().entries().get(0));
        }
    }

    @Test
    void negativeTruncationIsRefused() throws Exception {
        try (PartitionLog log = fourBatches(config())) {
            assertThrows(IllegalArgumentException.class, () -> log.truncateTo(-1, "test"));
            assertThrows(IllegalArgumentException.class, () -> log.truncateFullyAndStartAt(-1, "test"));
            assertEquals(12, log.logEndOffset());
        }
    }
}
