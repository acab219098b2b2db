package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;

import java.io.IOException;

/**
 * The leader's two append paths of one {@link PartitionLog}: client batches ({@link #appendAsLeader}: validation,
 * idempotence and transaction checks, offsets assigned in place) and transaction markers for the coordinator
 * ({@link #appendMarker}: a COMMIT/ABORT control batch built here, which ends the producer's open transaction;
 * an aborted one gets its entry in the active segment's {@link TransactionIndex}). Both roll when needed, record
 * a new leader epoch, and leave offsets, size and flush policy to {@link PartitionLog#appended}.
 *
 * <p>Threading: the partition's owner thread only.
 */
final class PartitionAppender {
    private final PartitionLog log;
    private final TopicPartition tp;
    private final Time time;
    private final ProducerStateManager producerState;
    private final LeaderEpochFileCache epochs;

    PartitionAppender(PartitionLog log, TopicPartition tp, Time time, ProducerStateManager producerState, LeaderEpochFileCache epochs) {
        this.log = log;
        this.tp = tp;
        this.time = time;
        this.producerState = producerState;
        this.epochs = epochs;
    }

    private static long maxTimestamp(MemoryRecords records) {
        long max = RecordBatch.NO_TIMESTAMP;
        for (MutableRecordBatch b : records.batches()) max = Math.max(max, b.maxTimestamp());
        return max;
    }

    /** Validates, checks idempotence and transactions, assigns offsets in place, appends. */
    LogAppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch) {
        LogConfig cfg = log.config();
        long now = time.milliseconds();
        LogValidator.Validated v = LogValidator.validate(records, cfg, now, tp.toString());
        long firstOffset = log.logEndOffset();
        long lastOffset = firstOffset + v.numRecords() - 1;
        boolean logAppendTime = cfg.timestampType() == TimestampType.LOG_APPEND_TIME;
        LogSegment active = log.rollIfNeeded(lastOffset, v.validBytes(), logAppendTime ? now : maxTimestamp(records), cfg, now);
        LogValidator.Assigned a = LogValidator.assignOffsets(records, firstOffset, leaderEpoch, cfg, now);
        if (a.lastOffset() != lastOffset) throw new IllegalStateException("assigned " + a + " expected last " + lastOffset);

        ProducerStateManager.Staged staged = new ProducerStateManager.Staged();
        for (MutableRecordBatch batch : records.batches()) {
            if (!batch.hasProducerId()) continue;
            ProducerStateManager.Check c = producerState.check(batch, staged);
            if (c.duplicate() != null) {
                if (v.numBatches() != 1) throw new OutOfOrderSequenceException("Duplicate batch inside a multi-batch request");
                ProducerStateEntry.BatchMetadata d = c.duplicate();
                return new LogAppendInfo(d.firstOffset(), d.lastOffset(), d.maxTimestamp(), d.lastOffset(),
                    logAppendTime ? d.maxTimestamp() : -1, log.logStartOffset(), 0, 0, true);
            }
            producerState.stage(batch, now, staged);
        }
        try {
            active.append(records);
            producerState.commit(staged, active);
        } catch (IOException e) {
            throw new KafkaStorageException("Append to " + tp + " failed", e);
        }
        recordEpoch(leaderEpoch, firstOffset);
        log.appended(lastOffset, v.validBytes(), v.numRecords(), cfg);
        return new LogAppendInfo(firstOffset, lastOffset, a.maxTimestamp(), a.offsetOfMaxTimestamp(),
            logAppendTime ? now : -1, log.logStartOffset(), v.numRecords(), v.validBytes(), false);
    }

    /**
     * Kafka's coordinator-origin append of a transaction marker: checked against the producer's epoch and the
     * last coordinator epoch (see {@link ProducerStateManager#stageMarker}), written at the log end as one
     * control batch, timestamped now. Ends the producer's open transaction here, if any; an aborted one is
     * indexed. A marker for a producer with no data here is written all the same, as Kafka does.
     */
    LogAppendInfo appendMarker(TxnMarker m, int leaderEpoch) {
        LogConfig cfg = log.config();
        long now = time.milliseconds();
        long offset = log.logEndOffset();
        MemoryRecords records = ControlBatches.build(offset, now, leaderEpoch, m);
        EndTransactionMarker marker = ControlBatches.marker(records.batches().iterator().next());
        ProducerStateManager.Staged staged = new ProducerStateManager.Staged();
        producerState.stageMarker(m.producerId(), m.producerEpoch(), marker, offset, now, m.transactionVersion(), true, staged);
        LogSegment active = log.rollIfNeeded(offset, records.sizeInBytes(), now, cfg, now);
        try {
            active.append(records);
            producerState.commit(staged, active);
        } catch (IOException e) {
            throw new KafkaStorageException("Marker append to " + tp + " failed", e);
        }
        recordEpoch(leaderEpoch, offset);
        log.appended(offset, records.sizeInBytes(), 1, cfg);
        return new LogAppendInfo(offset, offset, now, offset, cfg.timestampType() == TimestampType.LOG_APPEND_TIME ? now : -1,
            log.logStartOffset(), 1, records.sizeInBytes(), false);
    }

    /** Only when the epoch changes (one int compare otherwise); a negative epoch (no leader epoch) is not recorded. */
    private void recordEpoch(int leaderEpoch, long firstOffset) {
        if (leaderEpoch != epochs.latestEpochOrUndefined() && leaderEpoch >= 0) epochs.assign(leaderEpoch, firstOffset);
    }
}
