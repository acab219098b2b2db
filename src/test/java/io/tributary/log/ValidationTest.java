package io.tributary.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class ValidationTest {
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    private void assertRejected(PartitionLog log, Class<? extends Throwable> type, Executable append) {
        long leo = log.logEndOffset();
        long size = log.sizeInBytes();
        Throwable thrown = assertThrows(Throwable.class, append);
        // A refusal because of some records carries Kafka's request-level error inside it.
        Throwable error = thrown instanceof RecordValidationException rve ? rve.invalidException() : thrown;
        assertInstanceOf(type, error, "refused with " + thrown);
        assertEquals(leo, log.logEndOffset(), "a rejected append must not move the log end");
        assertEquals(size, log.sizeInBytes(), "a rejected append must not write bytes");
    }

    @Test
    void badCrcIsCorruptRecord() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            MemoryRecords r = batch(T0, 3);
            int last = r.sizeInBytes() - 1;
            r.buffer().put(last, (byte) (r.buffer().get(last) ^ 0x5a));
            assertRejected(log, CorruptRecordException.class, () -> log.appendAsLeader(r, 0));
        }
    }

    @Test
    void batchLargerThanMaxMessageBytesIsRecordTooLarge() throws Exception {
        try (PartitionLog log = open(dir, config(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "100"), time, true)) {
            assertRejected(log, RecordTooLargeException.class, () -> log.appendAsLeader(batch(T0, 20), 0));
        }
    }

    @Test
    void requestLargerThanSegmentIsRecordBatchTooLarge() throws Exception {
        try (PartitionLog log = open(dir, config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024"), time, true)) {
            assertRejected(log, RecordBatchTooLargeException.class, () -> log.appendAsLeader(batch(T0, 100), 0));
        }
    }

    @Test
    void magicOneIsUnsupported() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            MemoryRecords v1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE, rec(T0, "k", "v"));
            assertRejected(log, UnsupportedForMessageFormatException.class, () -> log.appendAsLeader(v1, 0));
        }
    }

    @Test
    void compactedTopicRequiresKeys() throws Exception {
        try (PartitionLog log = open(dir, config(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"), time, true)) {
            MemoryRecords noKey = MemoryRecords.withRecords(Compression.NONE, rec(T0, "k", "v"), rec(T0, null, "v"),
                    rec(T0, "k2", "v"), rec(T0, null, "v"));
            assertRejected(log, InvalidRecordException.class, () -> log.appendAsLeader(noKey, 0));
            RecordValidationException rve = assertThrows(RecordValidationException.class, () -> log.appendAsLeader(noKey, 0));
            assertEquals(List.of(1, 3), rve.recordErrors().stream().map(RecordValidationException.RecordError::batchIndex).toList(),
                    "each keyless record is named by its index in the batch");
            assertTrue(rve.recordErrors().get(0).message().startsWith("Compacted topic cannot accept message without key"));
            assertEquals(0, log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, rec(T0, "k", "v")), 0).firstOffset());
        }
    }

    @Test
    void createTimeOutsideAllowedWindowIsInvalidTimestamp() throws Exception {
        LogConfig cfg = config(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "1000",
            TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "1000");
        try (PartitionLog log = open(dir, cfg, time, true)) {
            assertRejected(log, InvalidTimestampException.class, () -> log.appendAsLeader(batch(T0 + 5000, 1), 0));
            assertRejected(log, InvalidTimestampException.class, () -> log.appendAsLeader(batch(T0 - 5000, 1), 0));
            RecordValidationException rve = assertThrows(RecordValidationException.class,
                    () -> log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, rec(T0, "a", "v"), rec(T0 + 5000, "b", "v")), 0));
            assertEquals(1, rve.recordErrors().size());
            assertEquals(1, rve.recordErrors().get(0).batchIndex());
            assertEquals(0, log.appendAsLeader(batch(T0 + 999, 1), 0).firstOffset());
        }
    }

    @Test
    void inconsistentRecordCountIsInvalidRecord() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            MemoryRecords r = batch(T0, 3);
            // records count lives at byte 57; claim 5 records, then fix the CRC so only the count is wrong
            r.buffer().putInt(57, 5);
            MemoryRecords.readableRecords(r.buffer()).batches().iterator().next().setMaxTimestamp(TimestampType.CREATE_TIME, T0 + 1); // recomputes the CRC
            assertRejected(log, InvalidRecordException.class, () -> log.appendAsLeader(r, 0));
        }
    }

    @Test
    void logAppendTimeTopicStampsBrokerTime() throws Exception {
        try (PartitionLog log = open(dir, config(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"), time, true)) {
            time.advance(42);
            LogAppendInfo info = log.appendAsLeader(batch(1000, 2), 0);
            assertEquals(T0 + 42, info.logAppendTime());
            RecordBatch b = log.read(0, 1 << 20, true).records().batches().iterator().next();
            assertEquals(TimestampType.LOG_APPEND_TIME, b.timestampType());
            assertEquals(T0 + 42, b.maxTimestamp());
            b.ensureValid();
        }
    }
}
