package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Two-phase segment deletion: rename to {@code *.deleted} now, remove the files after
 * {@code file.delete.delay.ms}, so a fetch already sending from the segment's channel is not cut.
 * Leftover {@code *.deleted} files after a crash are removed by {@link LogLoader}.
 *
 * <p>Threading: owner thread of the partition only. {@link #forceQuietly} is the I/O-executor side
 * of a flush and touches only channels and files by path.
 */
final class SegmentDeleter {
    private static final Logger log = LoggerFactory.getLogger(SegmentDeleter.class);
    /** Bound on segments waiting for physical deletion; beyond it the oldest is deleted at once. */
    static final int MAX_PENDING = 10_000;

    private record Pending(LogSegment segment, long deadlineMs) {}

    private final TopicPartition tp;
    private final Time time;
    private final Deque<Pending> pending = new ArrayDeque<>();

    SegmentDeleter(TopicPartition tp, Time time) {
        this.tp = tp;
        this.time = time;
    }

    void schedule(LogSegment seg, long delayMs) {
        try {
            seg.markDeleted();
        } catch (IOException e) {
            log.warn("{}: cannot rename segment {} for deletion: {}", tp, seg.baseOffset(), e.toString());
        }
        pending.addLast(new Pending(seg, time.milliseconds() + delayMs));
        while (pending.size() > MAX_PENDING) delete(pending.removeFirst().segment());
    }

    int pendingCount() { return pending.size(); }

    /** Physically deletes segments whose delay elapsed. */
    void deleteExpired() {
        long now = time.milliseconds();
        while (!pending.isEmpty() && pending.peekFirst().deadlineMs() <= now) delete(pending.removeFirst().segment());
    }

    void deleteAll() {
        while (!pending.isEmpty()) delete(pending.removeFirst().segment());
    }

    private void delete(LogSegment seg) {
        try {
            seg.deleteFiles();
        } catch (IOException e) {
            log.warn("{}: cannot delete segment {}: {}", tp, seg.baseOffset(), e.toString());
        }
    }

    /** fsync a segment's data channel and its index files (opened by path, not through the owner's mmaps). */
    static void forceQuietly(LogSegment seg) throws IOException {
        try {
            seg.log().channel().force(true);
        } catch (ClosedChannelException deletedMeanwhile) {
            return;
        }
        forcePath(seg.offsetIndex().file());
        forcePath(seg.timeIndex().file());
        forcePath(seg.txnIndex().file()); // absent until the segment's first aborted transaction
    }

    private static void forcePath(java.io.File f) throws IOException {
        try (FileChannel ch = FileChannel.open(f.toPath(), StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (NoSuchFileException renamedOrDeleted) {
            // renamed to *.deleted or removed meanwhile: nothing left to make durable
        }
    }
}
