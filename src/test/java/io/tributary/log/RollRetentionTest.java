package io.tributary.log;

import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class RollRetentionTest {
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    private long countFiles(String suffix) throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("t-0"))) {
            return s.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }

    @Test
    void rollsWhenSegmentBytesWouldBeExceeded() throws Exception {
        try (PartitionLog log = open(dir, config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024"), time, true)) {
            for (int i = 0; i < 40; i++) log.appendAsLeader(batch(T0, 3), 0);
            assertTrue(log.numberOfSegments() > 3, "expected several segments, got " + log.numberOfSegments());
            for (LogSegment s : log.segmentsSnapshot()) assertTrue(s.sizeInBytes() <= 1024, s + " exceeds segment.bytes");
            assertEquals(log.numberOfSegments(), countFiles(".log"));
            assertTrue(Files.exists(dir.resolve("t-0").resolve("00000000000000000000.log")));
            // every offset is still readable across segment boundaries
            for (long o = 0; o < 120; o += 3) assertEquals(o, offsets(log.read(o, 1 << 20, true).records()).get(0)[0]);
        }
    }

    @Test
    void segmentMsRollsOnlyAtAnAppendAndNeverAnEmptySegment() throws Exception {
        try (PartitionLog log = open(dir, config(TopicConfig.SEGMENT_MS_CONFIG, "1000"), time, true)) {
            time.advance(5000);
            log.appendAsLeader(batch(time.milliseconds(), 1), 0);
            assertEquals(1, log.numberOfSegments(), "an empty segment is never rolled");
            time.advance(1001);
            log.tick();
            assertEquals(1, log.numberOfSegments(), "maintenance never rolls by time: Kafka rolls on append");
            log.appendAsLeader(batch(time.milliseconds(), 1), 0);
            assertEquals(2, log.numberOfSegments());
            assertEquals(1, log.segmentsSnapshot().get(1).baseOffset());
        }
    }

    @Test
    void segmentMsCountsFromTheFirstRecordsTimestampToTheNewOnes() throws Exception {
        try (PartitionLog log = open(dir, config(TopicConfig.SEGMENT_MS_CONFIG, "1000"), time, true)) {
            // Records stamped 1970: the broker's clock is far ahead, but the records' own times are close.
            log.appendAsLeader(batch(0, 1), 0);
            time.advance(5000);
            log.appendAsLeader(batch(500, 1), 0);
            assertEquals(1, log.numberOfSegments(), "500 ms between the records' timestamps: no roll");
            log.appendAsLeader(batch(1001, 1), 0);
            assertEquals(2, log.numberOfSegments(), "1001 ms after the first record's timestamp: rolled");
        }
    }

    @Test
    void retentionByTimeDeletesClosedSegmentsAndAdvancesLogStart() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024", TopicConfig.RETENTION_MS_CONFIG, "10000",
            TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "500");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 10; i++) log.appendAsLeader(batch(T0, 3), 0);
            log.roll();
            int oldSegments = log.numberOfSegments() - 1;
            time.advance(10_000);
            log.appendAsLeader(batch(time.milliseconds(), 3), 0); // a young closed segment is kept
            log.roll();
            log.appendAsLeader(batch(time.milliseconds(), 3), 0);
            time.advance(1);
            log.tick();
            assertEquals(oldSegments + 2, log.numberOfSegments(), "maintenance alone applies no retention");
            int deleted = log.deleteOldSegments();
            assertEquals(oldSegments, deleted, "all segments holding only old records are deleted");
            assertEquals(30, log.logStartOffset());
            assertThrows(org.apache.kafka.common.errors.OffsetOutOfRangeException.class, () -> log.read(0, 100, true));
            assertEquals(oldSegments, countFiles(".log.deleted"), "files wait for file.delete.delay.ms");
            time.advance(500);
            log.tick();
            assertEquals(0, countFiles(".deleted"));
        }
    }

    @Test
    void retentionByBytesKeepsNewestSegments() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024", TopicConfig.RETENTION_BYTES_CONFIG, "2048",
            TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "0");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 30; i++) log.appendAsLeader(batch(T0, 3), 0);
            long before = log.sizeInBytes();
            int deleted = log.deleteOldSegments();
            assertTrue(deleted > 0);
            assertTrue(log.sizeInBytes() <= 2048 + 1024, "size " + log.sizeInBytes() + " of " + before);
            assertTrue(log.sizeInBytes() > 2048 - 1024);
            assertEquals(log.segmentsSnapshot().get(0).baseOffset(), log.logStartOffset());
            assertEquals(0, countFiles(".deleted"), "zero delay deletes at once");
            assertEquals(90, log.logEndOffset());
        }
    }

    @Test
    void offsetForTimestampFindsFirstRecordAtOrAfterTarget() throws Exception {
        try (PartitionLog log = open(dir, config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024", TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, "100"), time, true)) {
            for (int i = 0; i < 30; i++) log.appendAsLeader(batch(T0 + i * 10, 2), 0); // batch i: offsets 2i,2i+1 at T0+10i
            assertTrue(log.numberOfSegments() > 1);
            Optional<FileRecords.TimestampAndOffset> r = log.offsetForTimestamp(T0 + 105);
            assertEquals(22, r.orElseThrow().offset);
            assertEquals(T0 + 110, r.get().timestamp);
            assertEquals(0, log.offsetForTimestamp(T0 - 1).orElseThrow().offset);
            assertTrue(log.offsetForTimestamp(T0 + 10_000).isEmpty());
            FileRecords.TimestampAndOffset max = log.offsetForTimestamp(ListOffsetsRequest.MAX_TIMESTAMP).orElseThrow();
            assertEquals(T0 + 290, max.timestamp);
            assertEquals(58, max.offset);
            assertEquals(60, log.offsetForTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP).orElseThrow().offset);
        }
    }

    @Test
    void flushByMessagesAdvancesRecoveryPoint() throws Exception {
        try (PartitionLog log = open(dir, config(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, "5"), time, true)) {
            log.appendAsLeader(batch(T0, 3), 0);
            assertEquals(0, log.recoveryPoint());
            log.appendAsLeader(batch(T0, 3), 0);
            assertEquals(6, log.recoveryPoint(), "flush runs when unflushed messages reach flush.messages");
            assertEquals(6L, log.flush().get());
        }
    }

    @Test
    void flushByMsOnTick() throws Exception {
        try (PartitionLog log = open(dir, config(TopicConfig.FLUSH_MS_CONFIG, "1000"), time, true)) {
            log.appendAsLeader(batch(T0, 3), 0);
            log.tick();
            assertEquals(0, log.recoveryPoint());
            time.advance(1000);
            log.tick();
            assertEquals(3, log.recoveryPoint());
        }
    }

    @Test
    void fsyncRunsOnTheIoExecutorNotTheCaller() throws Exception {
        java.util.ArrayDeque<Runnable> io = new java.util.ArrayDeque<>();
        try (PartitionLog log = PartitionLog.open(dir.resolve("t-0"), TP, config(), time, io::add, true)) {
            log.appendAsLeader(batch(T0, 3), 0);
            java.util.concurrent.CompletableFuture<Long> f = log.flush();
            assertFalse(f.isDone(), "flush must be queued, not run inline");
            assertEquals(0, log.recoveryPoint());
            while (!io.isEmpty()) io.poll().run();
            assertEquals(3L, f.get());
            assertEquals(3, log.recoveryPoint());
        }
    }

    @Test
    void fetchChannelStaysOpenUntilDelayedPhysicalDelete() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024", TopicConfig.RETENTION_MS_CONFIG, "1000",
            TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "60000");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            for (int i = 0; i < 10; i++) log.appendAsLeader(batch(T0, 3), 0);
            FetchDataInfo inFlight = log.read(0, 1 << 20, true);
            time.advance(2000);
            log.appendAsLeader(batch(time.milliseconds(), 1), 0);
            assertTrue(log.deleteOldSegments() > 0);
            assertTrue(inFlight.channel().isOpen(), "renamed to .deleted but still readable");
            assertEquals(inFlight.sizeInBytes(), bytesOf(inFlight.records()).remaining());
            time.advance(60_000);
            log.tick();
            assertFalse(inFlight.channel().isOpen());
        }
    }

    @Test
    void checkpointIsWrittenOnTickAtMostEveryFewSeconds() throws Exception {
        LogConfig cfg = config(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, "1");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            log.appendAsLeader(batch(T0, 3), 0);
            log.tick();
            assertEquals(0, PartitionCheckpoint.read(dir.resolve("t-0")).recoveryPoint(), "too soon after open");
            time.advance(PartitionLog.CHECKPOINT_INTERVAL_MS);
            log.tick();
            assertEquals(new PartitionCheckpoint(0, 3, 3), PartitionCheckpoint.read(dir.resolve("t-0")));
        }
    }
}
