package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;

/**
 * The segment lifecycle of one {@link PartitionLog} at its two ends: rolling a new active segment (by size,
 * index room or {@code segment.ms} with jitter, as Kafka's {@code shouldRoll}; a producer snapshot is written
 * for the new base on the I/O executor) and deleting the oldest segments by retention (the log start moves,
 * the epoch cache is truncated from the start).
 *
 * <p>Threading: the partition's owner thread only.
 */
final class SegmentRoller {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentRoller.class);

    private final PartitionLog log;
    private final TopicPartition tp;
    private final Path dir;
    private final Time time;
    private final Executor ioExecutor;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ProducerStateManager producerState;
    private final PartitionOffsets offsets;
    private final PartitionFlusher flusher;
    private final SegmentDeleter deleter;
    private final LeaderEpochFileCache epochs;
    /** segment.jitter.ms drawn for the active segment when it became active (Kafka's randomSegmentJitter). */
    private long activeRollJitterMs;

    SegmentRoller(PartitionLog log, TopicPartition tp, Path dir, Time time, Executor ioExecutor,
                  ConcurrentSkipListMap<Long, LogSegment> segments, ProducerStateManager producerState, PartitionOffsets offsets,
                  PartitionFlusher flusher, SegmentDeleter deleter, LeaderEpochFileCache epochs) {
        this.log = log;
        this.tp = tp;
        this.dir = dir;
        this.time = time;
        this.ioExecutor = ioExecutor;
        this.segments = segments;
        this.producerState = producerState;
        this.offsets = offsets;
        this.flusher = flusher;
        this.deleter = deleter;
        this.epochs = epochs;
        redrawJitter(log.config());
    }

    /** A new active segment (a roll, a truncation): draws its segment.jitter.ms. */
    void redrawJitter(LogConfig cfg) {
        long jitter = Math.min(cfg.segmentJitterMs(), cfg.segmentMs());
        activeRollJitterMs = jitter <= 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(jitter);
    }

    /**
     * Kafka's {@code LogSegment.shouldRoll}, checked only when appending: the segment is full (bytes, index
     * entries, relative offsets), or it holds data and has waited segment.ms minus this segment's jitter.
     */
    LogSegment rollIfNeeded(long lastOffset, int bytes, long maxTimestampInMessages, LogConfig cfg, long now) {
        LogSegment active = segments.lastEntry().getValue();
        boolean reachedRollMs = active.sizeInBytes() > 0
            && active.timeWaitedForRoll(now, maxTimestampInMessages) > cfg.segmentMs() - activeRollJitterMs;
        if (reachedRollMs || !active.canAppend(lastOffset, bytes, cfg.segmentBytes())) {
            roll();
            active = segments.lastEntry().getValue();
        }
        return active;
    }

    /** Closes the active segment (if not empty) and starts a new one at the log end offset. */
    void roll() {
        LogSegment active = segments.lastEntry().getValue();
        if (active.sizeInBytes() == 0) return;
        long newBase = offsets.logEnd();
        if (newBase <= active.baseOffset()) throw new IllegalStateException("roll to " + newBase + " not after " + active.baseOffset());
        LogConfig cfg = log.config();
        try {
            active.onBecomeInactive();
            segments.put(newBase, LogSegment.open(dir, newBase, cfg, time));
            redrawJitter(cfg);
            byte[] snapshot = producerState.serialize();
            long generation = producerState.generation();
            ioExecutor.execute(() -> {
                try {
                    producerState.writeSnapshotIfCurrent(generation, newBase, snapshot);
                } catch (IOException e) {
                    LOG.warn("{}: producer snapshot failed: {}", tp, e.toString());
                }
            });
        } catch (IOException e) {
            throw new KafkaStorageException("Roll of " + tp + " failed", e);
        }
        log.flush(); // Kafka flushes the closed segment asynchronously on roll, bounding recovery to one segment
    }

    /** Retention by time and size over closed segments below the high watermark; how many segments went. */
    int deleteOldSegments(long sizeInBytes) {
        LogConfig cfg = log.config();
        if (!cfg.delete()) return 0;
        List<LogSegment> victims = Retention.expired(segments.values(), cfg, time.milliseconds(), sizeInBytes,
            offsets.highWatermark(), offsets.logStart());
        if (victims.isEmpty()) return 0;
        if (victims.get(victims.size() - 1) == segments.lastEntry().getValue()) {
            // As Kafka: a log always keeps one segment, so deleting the active one rolls a new one first.
            roll();
        }
        LOG.info("{}: deleting {} segment(s) up to offset {} by retention (retention.ms={}, retention.bytes={}, log start offset {})",
            tp, victims.size(), victims.get(victims.size() - 1).nextOffset() - 1, cfg.retentionMs(), cfg.retentionBytes(),
            offsets.logStart());
        for (LogSegment seg : victims) {
            segments.remove(seg.baseOffset());
            offsets.logStartMoved(segments.firstKey());
            flusher.advanceRecoveryPoint(offsets.logStart());
            deleter.schedule(seg, cfg.fileDeleteDelayMs());
        }
        log.refreshSize();
        epochs.truncateFromStart(offsets.logStart());
        deleter.deleteExpired();
        return victims.size();
    }
}
