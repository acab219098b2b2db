package io.tributary.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The replication side of one {@link PartitionLog}: appends of a leader's batches on a follower and the
 * truncations a follower makes before it fetches (by leader epoch, KIP-101/KIP-279, or when it is out of
 * range below the leader's log start). The leader's own path stays in {@link PartitionLog#appendAsLeader}.
 *
 * <p>Threading: the partition's owner thread only, like the log; truncation does its file work (truncating a
 * segment file, renaming removed segments to {@code .deleted}, re-reading producer state) there, and hands
 * the checkpoint writes to the I/O executor.
 */
final class PartitionReplication {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionReplication.class);

    private final PartitionLog log;
    private final TopicPartition tp;
    private final Path dir;
    private final Time time;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ProducerStateManager producerState;
    private final PartitionOffsets offsets;
    private final LeaderEpochFileCache epochs;
    private final PartitionFlusher flusher;
    private final SegmentDeleter deleter;
    private final PartitionCompaction compaction;

    PartitionReplication(PartitionLog log, TopicPartition tp, Path dir, Time time, ConcurrentSkipListMap<Long, LogSegment> segments,
                         ProducerStateManager producerState, PartitionOffsets offsets, LeaderEpochFileCache epochs, PartitionFlusher flusher,
                         SegmentDeleter deleter, PartitionCompaction compaction) {
        this.log = log;
        this.tp = tp;
        this.dir = dir;
        this.time = time;
        this.segments = segments;
        this.producerState = producerState;
        this.offsets = offsets;
        this.epochs = epochs;
        this.flusher = flusher;
        this.deleter = deleter;
        this.compaction = compaction;
    }

    /**
     * Kafka's {@code appendAsFollower}: the leader's batches are written byte for byte, keeping their offsets,
     * leader epochs and timestamps. Checked: magic 2, CRC32C, whole batches, offsets increasing, and the first
     * batch starting at the log end offset ({@link UnexpectedAppendOffsetException} otherwise; a compacted
     * topic may start later, after a gap the leader's cleaner left). Not checked, as Kafka does not on this path:
     * record sizes, keys, timestamps, producer sequences (producer state is taken from the batches, a producer
     * epoch going backwards is only logged); a transaction marker ends its producer's transaction here too, an
     * aborted one indexed in the segment it lands in, as on the leader. Each batch's {@code partitionLeaderEpoch} feeds the epoch cache.
     */
    LogAppendInfo appendAsFollower(MemoryRecords records) {
        LogConfig cfg = log.config();
        long now = time.milliseconds();
        long end = log.logEndOffset();
        long first = -1, last = end - 1, maxTs = RecordBatch.NO_TIMESTAMP, offsetOfMaxTs = -1;
        int bytes = 0, numRecords = 0;
        for (MutableRecordBatch b : records.batches()) {
            if (b.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new UnsupportedForMessageFormatException(tp + ": replicated batch magic " + b.magic() + " is not supported; only v2");
            }
            b.ensureValid();
            if (first < 0) {
                first = b.baseOffset();
                if (first < end || (first > end && !cfg.compact())) {
                    throw new UnexpectedAppendOffsetException(tp + ": follower append starts at offset " + first
                        + " but the log end offset is " + end + " (truncate, or fetch from " + end + ", first)", first, end);
                }
            } else if (b.baseOffset() <= last) {
                throw new InvalidRecordException(tp + ": replicated batch at " + b.baseOffset() + " does not follow offset " + last);
            }
            if (b.lastOffset() < b.baseOffset()) throw new InvalidRecordException(tp + ": batch offsets " + b.baseOffset() + ".." + b.lastOffset());
            last = b.lastOffset();
            if (b.maxTimestamp() > maxTs || offsetOfMaxTs < 0) {
                maxTs = b.maxTimestamp();
                offsetOfMaxTs = last;
            }
            Integer count = b.countOrNull();
            numRecords += count == null ? (int) (last - b.baseOffset() + 1) : count;
            bytes += b.sizeInBytes();
        }
        if (first < 0 || bytes != records.sizeInBytes()) {
            throw new CorruptRecordException(tp + ": replicated records hold " + bytes + " bytes of whole batches out of " + records.sizeInBytes());
        }
        if (bytes > cfg.segmentBytes()) {
            throw new RecordBatchTooLargeException(tp + ": replicated records of " + bytes + " bytes exceed segment.bytes " + cfg.segmentBytes());
        }
        LogSegment active = log.rollIfNeeded(last, bytes, maxTs, cfg, now);
        ProducerStateManager.Staged staged = new ProducerStateManager.Staged();
        for (MutableRecordBatch b : records.batches()) {
            if (!b.hasProducerId()) continue;
            ProducerStateEntry e = staged.entries.containsKey(b.producerId()) ? staged.entries.get(b.producerId())
                : producerState.entry(b.producerId());
            if (e != null && b.producerEpoch() < e.epoch()) {
                LOG.warn("{}: replicated batch at {} has producer {} epoch {}, older than {}", tp, b.baseOffset(), b.producerId(),
                    b.producerEpoch(), e.epoch());
            }
            if (b.isControlBatch()) {
                // the leader checked the marker; ours ends the same transaction and indexes it the same way
                EndTransactionMarker m = ControlBatches.marker(b);
                if (m != null) producerState.stageMarker(b.producerId(), b.producerEpoch(), m, b.baseOffset(), now, (short) 0, false, staged);
            } else {
                producerState.stage(b, now, staged);
            }
        }
        try {
            active.append(records);
            producerState.commit(staged, active);
        } catch (IOException e) {
            throw new KafkaStorageException("Follower append to " + tp + " failed", e);
        }
        for (MutableRecordBatch b : records.batches()) {
            int epoch = b.partitionLeaderEpoch();
            if (epoch >= 0 && epoch != epochs.latestEpochOrUndefined()) epochs.assign(epoch, b.baseOffset());
        }
        log.appended(last, bytes, numRecords, cfg);
        return new LogAppendInfo(first, last, maxTs, offsetOfMaxTs, -1, log.logStartOffset(), numRecords, bytes, false);
    }

    /**
     * Removes every record at or above {@code offset}: segments starting above it are deleted (renamed
     * {@code .deleted} now, removed after {@code file.delete.delay.ms}), the one holding it is cut at a batch
     * boundary — when {@code offset} falls inside a batch, at that batch's start, so the new log end is lower
     * than asked (the INFO line says so). Then the indexes, producer state (rebuilt from the latest snapshot at
     * or below the new end plus the batches after it), epoch cache ({@code truncateFromEnd}), recovery point,
     * cleaner checkpoint and high watermark (clamped) follow. At or above the log end only the epoch cache is
     * truncated (a leader may have assigned an epoch at its end before writing, as Kafka notes). Below the first
     * segment: {@link #truncateFullyAndStartAt}.
     * @return the new log end offset
     */
    long truncateTo(long offset, String reason) {
        if (offset < 0) throw new IllegalArgumentException(tp + ": cannot truncate to negative offset " + offset);
        long oldEnd = log.logEndOffset();
        if (offset >= oldEnd) {
            epochs.truncateFromEnd(oldEnd);
            return oldEnd;
        }
        if (offset < segments.firstKey()) {
            truncateFullyAndStartAt(offset, reason);
            return offset;
        }
        try {
            long floor = segments.floorKey(offset);
            List<LogSegment> removed = new ArrayList<>(segments.tailMap(floor, false).values());
            for (LogSegment seg : removed) {
                segments.remove(seg.baseOffset());
                deleter.schedule(seg, log.config().fileDeleteDelayMs());
            }
            LogSegment kept = segments.get(floor);
            kept.truncateTo(offset);
            long newEnd = kept.nextOffset();
            producerState.truncateAndReload(segments, log.logStartOffset(), newEnd);
            epochs.truncateFromEnd(newEnd);
            flusher.truncated(newEnd, false);
            compaction.truncated(newEnd);
            log.truncated(Math.min(log.logStartOffset(), newEnd), newEnd);
            LOG.info("{}: truncated from log end offset {} to {}{} ({} segment(s) removed): {}", tp, oldEnd, newEnd,
                newEnd < offset ? " (offset " + offset + " is not a batch boundary: cut at the batch boundary below it)" : "",
                removed.size(), reason);
            return newEnd;
        } catch (IOException e) {
            throw new KafkaStorageException("Truncation of " + tp + " to " + offset + " failed", e);
        }
    }

    /**
     * A follower learns the leader's log start from each fetch response (Kafka's {@code maybeIncrementLogStartOffset}
     * with reason LeaderOffsetIncremented): the log start moves up to it, never past the high watermark or back;
     * the epoch cache is truncated from the start; segments wholly below it go at the next retention check (as
     * Kafka's {@code deleteLogStartOffsetBreachedSegments}). Reads below it are out of range from now on.
     * @return whether it moved
     */
    boolean maybeIncrementLogStartOffset(long leaderLogStartOffset) {
        long target = Math.min(leaderLogStartOffset, log.highWatermark());
        if (target <= log.logStartOffset()) return false;
        offsets.logStartMoved(target);
        epochs.truncateFromStart(target);
        flusher.advanceRecoveryPoint(target);
        return true;
    }

    /**
     * Deletes every segment and starts an empty log at {@code offset}, which becomes log start, log end and
     * high watermark; producer state, its snapshots and the epoch cache are cleared (Kafka's
     * {@code truncateFullyAndStartAt}: a follower out of range below the leader's log start).
     */
    void truncateFullyAndStartAt(long offset, String reason) {
        if (offset < 0) throw new IllegalArgumentException(tp + ": cannot start at negative offset " + offset);
        long oldEnd = log.logEndOffset();
        try {
            List<LogSegment> removed = new ArrayList<>(segments.values());
            for (LogSegment seg : removed) {
                segments.remove(seg.baseOffset());
                deleter.schedule(seg, log.config().fileDeleteDelayMs());
            }
            segments.put(offset, LogSegment.open(dir, offset, log.config(), time));
            producerState.truncateFully();
            epochs.clear();
            flusher.truncated(offset, true);
            compaction.truncated(offset);
            log.truncated(offset, offset);
            LOG.info("{}: truncated fully from log end offset {} ({} segment(s) removed) and restarted at {}: {}", tp, oldEnd,
                removed.size(), offset, reason);
        } catch (IOException e) {
            throw new KafkaStorageException("Full truncation of " + tp + " failed", e);
        }
    }
}
