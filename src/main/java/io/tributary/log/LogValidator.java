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

import java.util.ArrayList;
import java.util.List;

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

    static Validated validate(MemoryRecords records, LogConfig config, long nowMs, String partition) {
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
            numRecords += validateRecords(batch, config, nowMs, partition);
            bytes += batch.sizeInBytes();
            batches++;
        }
        if (batches == 0 || bytes != size) {
            throw new CorruptRecordException("Request holds " + bytes + " bytes of whole batches out of " + size);
        }
        return new Validated(batches, numRecords, bytes);
    }

    /**
     * Structural faults (counts, offset deltas, unreadable records) refuse the whole batch; faults of a
     * record (no key on a compacted topic, a timestamp out of range) are collected over the whole batch
     * and reported together, each with its index, as Kafka's {@code LogValidator.processRecordErrors} does.
     */
    private static int validateRecords(MutableRecordBatch batch, LogConfig config, long nowMs, String partition) {
        Integer count = batch.countOrNull();
        if (count == null || count <= 0) throw new InvalidRecordException("Batch has no records");
        if (batch.lastOffset() - batch.baseOffset() != count - 1) {
            throw new InvalidRecordException("lastOffsetDelta " + (batch.lastOffset() - batch.baseOffset()) + " does not match record count " + count);
        }
        boolean checkTimestamps = config.timestampType() == TimestampType.CREATE_TIME;
        List<RecordValidationException.RecordError> errors = new ArrayList<>();
        boolean timestampError = false;
        int expected = 0;
        try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                Record r = it.next();
                if (expected >= count) throw new InvalidRecordException("Batch holds more records than its count " + count);
                if (r.offset() - batch.baseOffset() != expected) {
                    throw new InvalidRecordException("Record offset delta " + (r.offset() - batch.baseOffset()) + " where " + expected + " expected");
                }
                if (config.compact() && !r.hasKey()) {
                    errors.add(new RecordValidationException.RecordError(expected,
                            "Compacted topic cannot accept message without key in topic partition " + partition + "."));
                } else if (checkTimestamps) {
                    String problem = timestampProblem(r.timestamp(), r.offset(), config, nowMs);
                    if (problem != null) {
                        errors.add(new RecordValidationException.RecordError(expected, problem));
                        timestampError = true;
                    }
                }
                expected++;
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            if (e instanceof InvalidRecordException || e instanceof InvalidTimestampException) throw e;
            throw new CorruptRecordException("Cannot read records: " + e.getMessage(), e);
        }
        if (expected != count) throw new InvalidRecordException("Batch count " + count + " but " + expected + " records");
        if (!errors.isEmpty()) {
            // Kafka's wording, so a client's log reads the same whichever broker it talks to.
            org.apache.kafka.common.errors.ApiException invalid = timestampError
                    ? new InvalidTimestampException("One or more records have been rejected due to invalid timestamp")
                    : new InvalidRecordException("One or more records have been rejected due to " + errors.size()
                    + " record errors in total, and only showing the first three errors at most: "
                    + errors.subList(0, Math.min(errors.size(), 3)));
            throw new RecordValidationException(invalid, errors);
        }
        return count;
    }

    /** Why a CreateTime timestamp is refused, or null; Kafka's message.timestamp.before/after.max.ms. */
    private static String timestampProblem(long ts, long offset, LogConfig config, long nowMs) {
        if (ts == RecordBatch.NO_TIMESTAMP) return null;
        // Only the window, as Kafka's recordHasInvalidTimestamp: a negative timestamp inside it is accepted.
        long diff = nowMs - ts;
        if (diff > config.timestampBeforeMaxMs() || -diff > config.timestampAfterMaxMs()) {
            return "Timestamp " + ts + " of message with offset " + offset + " is out of range. The timestamp should be within ["
                    + (config.timestampBeforeMaxMs() == Long.MAX_VALUE ? Long.MIN_VALUE : nowMs - config.timestampBeforeMaxMs())
                    + ", " + (config.timestampAfterMaxMs() == Long.MAX_VALUE ? Long.MAX_VALUE : nowMs + config.timestampAfterMaxMs()) + "]";
        }
        return null;
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
