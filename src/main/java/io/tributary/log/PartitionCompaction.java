package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;

/**
 * The compaction side of one {@link PartitionLog}: decides when a cleaning round is due, hands an
 * immutable snapshot of closed segments to the {@link LogCleaner}, and swaps the cleaned segments in
 * when the round is done. The expensive work happens on the cleaner's thread; everything here runs on
 * the partition's owner thread and never waits for the cleaner (a done round is picked up by a later
 * {@code tick()}).
 *
 * <p>On disk: {@code cleaner-offset-checkpoint} (see {@link CleanerCheckpoint}) holds the first dirty
 * offset; a swap goes {@code .cleaned} -> {@code .swap} (the point of no return, completed by
 * {@link LogLoader} after a crash) -> final names, the replaced segments renamed {@code .deleted}.
 */
final class PartitionCompaction {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionCompaction.class);

    private final PartitionLog log;
    private final TopicPartition tp;
    private final Path dir;
    private final Time time;
    private final Executor ioExecutor;
    private final LogCleaner cleaner;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final SegmentDeleter deleter;
    private final ProducerStateManager producerState;
    /** Offsets below it have been compacted (the cleaner checkpoint). */
    private volatile long firstDirtyOffset;
    /** The round in flight, or null; set and cleared on the owner thread. */
    private volatile CompletableFuture<Cleaner.Result> cleaning;
    private long nextCleanCheckMs;

    PartitionCompaction(PartitionLog log, TopicPartition tp, Path dir, Time time, Executor ioExecutor, LogCleaner cleaner,
                        ConcurrentSkipListMap<Long, LogSegment> segments, SegmentDeleter deleter,
                        ProducerStateManager producerState) {
        this.log = log;
        this.tp = tp;
        this.dir = dir;
        this.time = time;
        this.ioExecutor = ioExecutor;
        this.cleaner = cleaner;
        this.segments = segments;
        this.deleter = deleter;
        this.producerState = producerState;
        this.firstDirtyOffset = CleanerCheckpoint.read(dir);
        this.nextCleanCheckMs = time.milliseconds();
    }

    /** From tick(): start a round for a compacted topic, at most every log.cleaner.backoff.ms while nothing is cleanable. */
    void maybeStartOnTick(long now) {
        if (cleaner != null && log.config().compact() && cleaning == null && now >= nextCleanCheckMs) {
            if (maybeStart() == null) nextCleanCheckMs = now + cleaner.backoffMs();
        }
    }

    /**
     * The cleanable part of the log, after Kafka's {@code LogCleanerManager.cleanableOffsets} and
     * {@code LogToClean}: closed segments from the log start up to the first uncleanable one (the
     * active segment, the first segment reaching past the last stable offset (as Kafka: the fate of an open
     * transaction is not known yet), or the first dirty segment holding a record younger than
     * min.compaction.lag.ms). Segments wholly below the first dirty offset are clean; the rest are dirty.
     */
    record CleanableRange(long firstDirtyOffset, long firstUncleanableOffset, List<LogSegment> segments,
                          long cleanBytes, long dirtyBytes, boolean needCompactionNow) {
        double dirtyRatio() {
            long total = cleanBytes + dirtyBytes;
            return total == 0 ? 0 : (double) dirtyBytes / total;
        }
    }

    /** Owner thread. Reads only segment sizes and timestamps (and each dirty segment's first batch header once). */
    CleanableRange cleanableRange(long now) {
        LogConfig cfg = log.config();
        // Kafka never cleans past the last stable offset: an open transaction's fate is not known yet
        long logStartOffset = log.logStartOffset(), highWatermark = log.lastStableOffset();
        long firstDirty = firstDirtyOffset;
        if (firstDirty < logStartOffset || firstDirty > log.logEndOffset()) firstDirty = logStartOffset; // stale or absent checkpoint
        List<LogSegment> all = new ArrayList<>(segments.values());
        long uncleanable = all.get(all.size() - 1).baseOffset();
        List<LogSegment> cleanable = new ArrayList<>();
        for (int i = 0; i < all.size() - 1; i++) {
            LogSegment s = all.get(i);
            boolean dirty = all.get(i + 1).baseOffset() > firstDirty;
            if (s.nextOffset() > highWatermark
                    || (dirty && cfg.minCompactionLagMs() > 0 && s.largestTimestamp() > now - cfg.minCompactionLagMs())) {
                uncleanable = s.baseOffset();
                break;
            }
            cleanable.add(s);
        }
        long clean = 0, dirty = 0, earliestDirtyTimestamp = Long.MAX_VALUE;
        for (int i = 0; i < cleanable.size(); i++) {
            LogSegment s = cleanable.get(i);
            long nextBase = i + 1 < cleanable.size() ? cleanable.get(i + 1).baseOffset() : uncleanable;
            if (nextBase > firstDirty) {
                dirty += s.sizeInBytes();
                long ts = s.firstBatchTimestamp();
                if (ts > 0) earliestDirtyTimestamp = Math.min(earliestDirtyTimestamp, ts);
            } else {
                clean += s.sizeInBytes();
            }
        }
        // max.compaction.lag.ms: a dirty segment whose first record is older must be cleaned whatever the ratio
        long maxLag = cfg.maxCompactionLagMs();
        boolean needNow = dirty > 0 && maxLag < now && earliestDirtyTimestamp < now - maxLag;
        return new CleanableRange(firstDirty, Math.max(firstDirty, uncleanable), cleanable, clean, dirty, needNow);
    }

    /**
     * Owner thread. Starts a cleaning round if the topic is compacted, none is in flight, and the dirty
     * ratio exceeds min.cleanable.dirty.ratio (or max.compaction.lag.ms forces one). Returns the
     * round's future (completed on a cleaner thread), or null when nothing was started.
     */
    CompletableFuture<Cleaner.Result> maybeStart() {
        LogConfig cfg = log.config();
        if (cleaner == null || !cfg.compact() || cleaning != null) return null;
        long now = time.milliseconds();
        CleanableRange r = cleanableRange(now);
        firstDirtyOffset = r.firstDirtyOffset();
        if (r.dirtyBytes() == 0) return null;
        if (!(r.dirtyRatio() > cfg.minCleanableDirtyRatio() || r.needCompactionNow())) return null;
        // the aborted transactions of the whole range, read here: their entries may sit in later segments' indexes
        List<AbortedTxn> aborted = log.collectAbortedTransactions(r.segments().get(0).baseOffset(), r.firstUncleanableOffset());
        Cleaner.Request req = new Cleaner.Request(tp, dir, cfg, List.copyOf(r.segments()), r.firstDirtyOffset(),
            r.firstUncleanableOffset(), producerState.lastRecords(), aborted, now, log::isClosed);
        cleaning = cleaner.submit(req);
        return cleaning;
    }

    /** Whether a cleaning round is in flight (submitted, not yet swapped in or discarded). */
    boolean inFlight() { return cleaning != null; }

    /** The cleaner checkpoint: offsets below it have been compacted. Owner thread. */
    long firstDirtyOffset() { return firstDirtyOffset; }

    /**
     * Owner thread. If the in-flight round finished, swaps its cleaned segments in (or discards them when
     * a source segment is gone meanwhile, e.g. deleted by retention). Returns true when a swap happened.
     */
    boolean complete() {
        CompletableFuture<Cleaner.Result> f = cleaning;
        if (f == null || !f.isDone()) return false;
        cleaning = null;
        long now = time.milliseconds();
        Cleaner.Result r;
        try {
            r = f.join();
        } catch (CompletionException | CancellationException e) {
            // the failure was logged by the cleaner; retry after the backoff
            nextCleanCheckMs = now + (cleaner == null ? 0 : cleaner.backoffMs());
            return false;
        }
        if (log.isClosed()) {
            r.discard();
            return false;
        }
        String blocker = swapBlocker(r);
        if (blocker != null) {
            LOG.info("{}: cleaning round discarded: {}", tp, blocker);
            r.discard();
            return false;
        }
        try {
            swapIn(r);
        } catch (IOException e) {
            throw new KafkaStorageException("Swapping cleaned segments into " + tp + " failed", e);
        }
        nextCleanCheckMs = now; // the map may have filled: look again at the next tick
        return true;
    }

    private String swapBlocker(Cleaner.Result r) {
        if (!log.config().compact()) return "cleanup.policy no longer includes compact";
        for (Cleaner.Group g : r.groups()) {
            for (LogSegment s : g.sources()) {
                if (segments.get(s.baseOffset()) != s) return "segment " + s.baseOffset() + " was removed meanwhile";
            }
        }
        return null;
    }

    private void swapIn(Cleaner.Result r) throws IOException {
        long delay = log.config().fileDeleteDelayMs();
        for (Cleaner.Group g : r.groups()) {
            LogSegment cleaned = g.cleaned();
            // .swap marks the point of no return: recovery completes a swap, discards a .cleaned
            cleaned.changeFileSuffixes(LogSegment.CLEANED_SUFFIX, LogSegment.SWAP_SUFFIX);
            segments.put(cleaned.baseOffset(), cleaned);
            for (int i = 1; i < g.sources().size(); i++) segments.remove(g.sources().get(i).baseOffset());
            for (LogSegment old : g.sources()) deleter.schedule(old, delay); // renamed to .deleted, channel open
            cleaned.changeFileSuffixes(LogSegment.SWAP_SUFFIX, "");
        }
        firstDirtyOffset = r.endOffset();
        log.refreshSize();
        long ckpt = firstDirtyOffset;
        ioExecutor.execute(() -> {
            try {
                if (!Files.isDirectory(dir)) return;
                CleanerCheckpoint.write(dir, ckpt);
                Utils.flushDir(dir); // make the renames durable too
            } catch (IOException e) {
                LOG.warn("{}: cleaner checkpoint write failed: {}", tp, e.toString());
            }
        });
        deleter.deleteExpired();
        Cleaner.Request q = r.request();
        LOG.info(
            "{}: cleaned offsets [{}, {}) (dirty from {}): {} segments into {}, {} -> {} bytes, {} of {} records kept, {} ms",
            tp, q.segments().get(0).baseOffset(), r.endOffset(), q.firstDirtyOffset(), r.segmentsBefore(), r.groups().size(),
            r.bytesBefore(), r.bytesAfter(), r.recordsRetained(), r.recordsRead(), r.durationMs());
    }

    /**
     * The log was truncated to {@code offset} (replication): a round in flight is discarded (its sources may
     * have lost batches) and the first dirty offset comes down to the new end, so the batches appended there
     * next are treated as dirty (Kafka's {@code LogCleanerManager.maybeTruncateCheckpoint}). Owner thread.
     */
    void truncated(long offset) {
        discard();
        if (firstDirtyOffset <= offset) return;
        firstDirtyOffset = offset;
        ioExecutor.execute(() -> {
            try {
                if (Files.isDirectory(dir)) CleanerCheckpoint.write(dir, offset);
            } catch (IOException e) {
                LOG.warn("{}: cleaner checkpoint write failed: {}", tp, e.toString());
            }
        });
    }

    void discard() {
        CompletableFuture<Cleaner.Result> f = cleaning;
        cleaning = null;
        if (f != null) f.thenAccept(Cleaner.Result::discard); // runs now if done, else on the cleaner thread
    }
}
