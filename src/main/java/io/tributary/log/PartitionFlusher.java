package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What of one partition is known to be on disk, and keeping it so: the recovery point (everything below
 * it was fsynced), when to fsync ({@code flush.messages}, {@code flush.ms}) and the
 * {@code partition.checkpoint} file (see {@link PartitionCheckpoint}). Owner thread, except the fsync
 * and the periodic checkpoint write, which run on the I/O executor; the recovery point is readable from
 * any thread.
 */
final class PartitionFlusher {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionFlusher.class);

    /** How often the checkpoint file is persisted at most. */
    static final long CHECKPOINT_INTERVAL_MS = 5_000;

    private final Path dir;
    private final TopicPartition tp;
    private final Time time;
    private final Executor io;
    private final NavigableMap<Long, LogSegment> segments;
    private final AtomicLong recoveryPoint;
    private long unflushedMessages;
    private long lastFlushMs;
    private long lastCheckpointMs;
    private PartitionCheckpoint lastCheckpoint;
    /** Bumped by a truncation: a flush started before it must not move the recovery point past the new end. */
    private volatile long truncations;
    /** Versions of the checkpoint handed out (owner) and written (under {@link #writeLock}): an older write never lands last. */
    private long checkpointVersion;
    private long writtenVersion = -1;
    private final Object writeLock = new Object();

    PartitionFlusher(Path dir, TopicPartition tp, Time time, Executor io, NavigableMap<Long, LogSegment> segments,
                     long recoveryPoint) {
        this.dir = dir;
        this.tp = tp;
        this.time = time;
        this.io = io;
        this.segments = segments;
        this.recoveryPoint = new AtomicLong(recoveryPoint);
        this.lastFlushMs = time.milliseconds();
        this.lastCheckpointMs = lastFlushMs;
    }

    long recoveryPoint() {
        return recoveryPoint.get();
    }

    /** Everything below {@code offset} is durable (or gone: retention moved the log start past it). */
    void advanceRecoveryPoint(long offset) {
        recoveryPoint.accumulateAndGet(offset, Math::max);
    }

    /** Counts appended records; true when {@code flush.messages} is reached. */
    boolean appended(long records, LogConfig cfg) {
        unflushedMessages += records;
        return unflushedMessages >= cfg.flushMessages();
    }

    /** Whether {@code flush.ms} has passed with unflushed records. */
    boolean flushDue(long now, LogConfig cfg) {
        return unflushedMessages > 0 && now - lastFlushMs >= cfg.flushMs();
    }

    /** fsync of the segments from the recovery point on, on the I/O executor; completes with the new recovery point. */
    CompletableFuture<Long> flush(long target) {
        List<LogSegment> toFlush = new ArrayList<>(segments.tailMap(floorBase(recoveryPoint.get())).values());
        unflushedMessages = 0;
        lastFlushMs = time.milliseconds();
        CompletableFuture<Long> done = new CompletableFuture<>();
        long startedAt = truncations;
        try {
            io.execute(() -> {
                try {
                    for (LogSegment seg : toFlush) SegmentDeleter.forceQuietly(seg);
                    done.complete(flushed(startedAt, target));
                } catch (Throwable t) {
                    done.completeExceptionally(new KafkaStorageException("Flush of " + tp + " failed", t));
                }
            });
        } catch (RuntimeException rejected) {
            done.completeExceptionally(rejected);
        }
        return done;
    }

    private synchronized long flushed(long startedAt, long target) {
        return startedAt == truncations ? recoveryPoint.accumulateAndGet(target, Math::max) : recoveryPoint.get();
    }

    /** The log was truncated to {@code newEnd} (or emptied and restarted there: {@code reset}). Owner thread. */
    synchronized void truncated(long newEnd, boolean reset) {
        truncations++;
        if (reset || recoveryPoint.get() > newEnd) recoveryPoint.set(newEnd);
    }

    private long floorBase(long offset) {
        Long k = segments.floorKey(offset);
        return k == null ? segments.firstKey() : k;
    }

    /** True at most every {@link #CHECKPOINT_INTERVAL_MS}; the caller then does its periodic work. */
    boolean checkpointDue(long now) {
        if (now - lastCheckpointMs < CHECKPOINT_INTERVAL_MS) {
            return false;
        }
        lastCheckpointMs = now;
        return true;
    }

    /** Writes the checkpoint on the I/O executor if it changed since the last one. */
    void checkpointLater(PartitionCheckpoint c) {
        if (!c.equals(lastCheckpoint)) {
            lastCheckpoint = c;
            long v = ++checkpointVersion;
            io.execute(() -> writeQuietly(v, c));
        }
    }

    /** Writes the checkpoint on this thread (open and close). */
    void checkpointNow(PartitionCheckpoint c) throws IOException {
        lastCheckpoint = c;
        long v = ++checkpointVersion;
        synchronized (writeLock) {
            c.write(dir);
            writtenVersion = Math.max(writtenVersion, v);
        }
    }

    private void writeQuietly(long v, PartitionCheckpoint c) {
        synchronized (writeLock) {
            if (v <= writtenVersion) return; // a newer checkpoint (after a truncation, say) is already on disk
            try {
                if (Files.isDirectory(dir)) c.write(dir);
                writtenVersion = v;
            } catch (IOException e) {
                LOG.warn("{}: checkpoint write failed: {}", tp, e.toString());
            }
        }
    }
}
