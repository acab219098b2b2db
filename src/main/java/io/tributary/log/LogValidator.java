package io.tributary.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

/**
 * Validation of a leader append and in-place offset assignment, mirroring Kafka's {@code LogValidator}
 * for magic v2 only (Kafka 4 dropped v0/v1 produce). Validation never mutates the buffer, so a failed
 * request leaves no trace; {@link #assignOffsets} then rewrites base offsets, partition leader epoch
 * and (LogAppendTime topics) the max timestamp — the CRC covers none of the first two and is
 * recomputed by {@code setMaxTimestamp}.
 *
 * <p>Stateless; safe from any thread.
 */
final class LogValidator {
    private LogValidator() {}

    /** Summary of a validated request. */
    record Validated(int numBatches, int numRecords, int validBytes) {}

    static Validated validate(MemoryRecords records, LogConfig config, long nowMs) {
        int size = records.sizeInBytes();
        if (size > config.segmentBytes()) {
            throw new RecordBatchTooLargeException("Request of " + size + " bytes exceeds segment.bytes " + config.segmentBytes());
        }
        int batches = 0, numRecords = 0, bytes = 0;
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new UnsupportedForMessageFormatException("Record batch magic " + batch.magic() + " is not supported; only v2");
            }
            if (batch.sizeInBytes() > config.maxMessageBytes()) {
                throw new RecordTooLargeException("Batch of " + batch.sizeInBytes() + " bytes exceeds max.message.bytes " + config.maxMessageBytes());
            }
            batch.ensureValid(); // CRC32C; throws CorruptRecordException
            if (batch.isControlBatch()) throw new InvalidRecordException("Clients may not write control batches");
            numRecords += validateRecords(batch, config, nowMs);
            bytes += batch.sizeInBytes();
            batches++;
        }
        if (batches == 0 || bytes != size) {
            throw new CorruptRecordException("Request holds " + bytes + " bytes of whole batches out of " + size);
        }
        return new Validated(batches, numRecords, bytes);
    }

    private static int validateRecords(MutableRecordBatch batch, LogConfig config, long nowMs) {
        Integer count = batch.countOrNull();
        if (count == null || count <= 0) throw new InvalidRecordException("Batch has no records");
        if (batch.lastOffset() - batch.baseOffset() != count - 1) {
            throw new InvalidRecordException("lastOffsetDelta " + (batch.lastOffset() - batch.baseOffset()) + " does not match record count " + count);
        }
        boolean checkTimestamps = config.timestampType() == TimestampType.CREATE_TIME;
        int expected = 0;
        try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                Record r = it.next();
                if (expected >= count) throw new InvalidRecordException("Batch holds more records than its count " + count);
                if (r.offset() - batch.baseOffset() != expected) {
                    throw new InvalidRecordException("Record offset delta " + (r.offset() - batch.baseOffset()) + " where " + expected + " expected");
                }
                if (config.compact() && !r.hasKey()) {
                    throw new InvalidRecordException("Compacted topic cannot accept message without key");
                }
                if (checkTimestamps) checkTimestamp(r.timestamp(), config, nowMs);
                expected++;
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            if (e instanceof InvalidRecordException || e instanceof InvalidTimestampException) throw e;
            throw new CorruptRecordException("Cannot read records: " + e.getMessage(), e);
        }
        if (expected != count) throw new InvalidRecordException("Batch count " + count + " but " + expected + " records");
        return count;
    }

    private static void checkTimestamp(long ts, LogConfig config, long nowMs) {
        if (ts < 0 && ts != RecordBatch.NO_TIMESTAMP) throw new InvalidTimestampException("Negative timestamp " + ts);
        if (nowMs - ts > config.timestampBeforeMaxMs()) {
            throw new InvalidTimestampException("Timestamp " + ts + " is more than message.timestamp.before.max.ms before now " + nowMs);
        }
        if (ts - nowMs > config.timestampAfterMaxMs()) {
            throw new InvalidTimestampException("Timestamp " + ts + " is more than message.timestamp.after.max.ms after now " + nowMs);
        }
    }

    /** Result of offset assignment. */
    record Assigned(long firstOffset, long lastOffset, long maxTimestamp, long offsetOfMaxTimestamp) {}

    /** Rewrites base offsets from {@code nextOffset}, the leader epoch, and LogAppendTime when configured. */
    static Assigned assignOffsets(MemoryRecords records, long nextOffset, int leaderEpoch, LogConfig config, long nowMs) {
        long offset = nextOffset;
        long maxTs = RecordBatch.NO_TIMESTAMP, offsetOfMax = -1;
        boolean logAppendTime = config.timestampType() == TimestampType.LOG_APPEND_TIME;
        for (MutableRecordBatch batch : records.batches()) {
            long last = offset + (batch.lastOffset() - batch.baseOffset());
            batch.setLastOffset(last);
            batch.setPartitionLeaderEpoch(leaderEpoch);
            if (logAppendTime) batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, nowMs);
            if (batch.maxTimestamp() > maxTs || offsetOfMax < 0) {
                maxTs = batch.maxTimestamp();
                offsetOfMax = last;
            }
            offset = last + 1;
        }
        return new Assigned(nextOffset, offset - 1, maxTs, offsetOfMax);
    }
}
