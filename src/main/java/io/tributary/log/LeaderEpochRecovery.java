package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.Executor;

/**
 * Brings a partition's {@link LeaderEpochFileCache} in line with its recovered log at open.
 *
 * <ol>
 *   <li>Kafka's reconciliation: entries starting at or past the log end are removed ({@code truncateFromEnd}),
 *       entries before the log start folded into one at the log start ({@code truncateFromStart}).</li>
 *   <li>Then a check Kafka does not need (it fsyncs each assignment on the appending thread; we write the file
 *       on the I/O executor, so a crash can leave it behind the log): the latest entry must be the epoch of the
 *       log's last batch, the batch at its start offset must begin there in that epoch, and the batch before
 *       it must be of an older epoch. That costs three batch-header reads.</li>
 *   <li>If the file is missing or unreadable, or the check fails, the cache is rebuilt from the batches'
 *       {@code partitionLeaderEpoch} fields. Epochs only grow along a log, so a segment whose first and last
 *       batches have the same epoch is skipped after two header reads; only segments where the epoch changes
 *       are scanned batch by batch. Kafka instead assigns epochs only from the batches it re-validates past the
 *       recovery point. A rebuilt entry starts at the first surviving batch of its epoch: after compaction
 *       removed an epoch's first batches, that is later than the true start (the gap holds no batches).</li>
 * </ol>
 * The file is rewritten (on the calling worker) only when something changed; a new, empty partition gets none
 * until its first epoch is assigned.
 *
 * <p>Threading: runs once in {@link LogLoader}, before the log is published; blocking I/O allowed.
 */
final class LeaderEpochRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochRecovery.class);

    private LeaderEpochRecovery() {}

    static LeaderEpochFileCache load(TopicPartition tp, Path dir, Executor io, NavigableMap<Long, LogSegment> segments,
                                     long logStart, long logEnd) throws IOException {
        List<LeaderEpochFileCache.EpochEntry> stored = LeaderEpochFileCache.readFile(dir);
        LeaderEpochFileCache cache = new LeaderEpochFileCache(tp, dir, io, stored == null ? List.of() : stored);
        boolean changed = stored == null;
        if (stored != null) {
            changed |= cache.truncateFromEndInMemory(logEnd);
            changed |= cache.truncateFromStartInMemory(logStart);
            String mismatch = mismatch(cache, segments);
            if (mismatch != null) {
                LOG.warn("{}: leader epoch checkpoint {} disagrees with the log ({}); rebuilding it from the batches",
                    tp, cache.entries(), mismatch);
                cache = new LeaderEpochFileCache(tp, dir, io, List.of());
                stored = null;
                changed = true;
            }
        }
        if (stored == null) {
            rebuild(cache, segments);
            cache.truncateFromStartInMemory(logStart);
            // A new partition has neither file nor batches: nothing to say, nothing to write (the first epoch writes it).
            if (cache.entries().isEmpty() && !java.nio.file.Files.exists(dir.resolve(LeaderEpochFileCache.FILE))) return cache;
            LOG.info("{}: leader epoch cache rebuilt from the log: {}", tp, cache.entries());
        }
        if (changed) cache.flushNow();
        return cache;
    }

    /** Null when the latest entry agrees with the batches, else what disagrees. */
    private static String mismatch(LeaderEpochFileCache cache, NavigableMap<Long, LogSegment> segments) {
        FileChannelRecordBatch last = lastBatch(segments);
        List<LeaderEpochFileCache.EpochEntry> entries = cache.entries();
        if (last == null) return null; // empty log: nothing to contradict
        if (last.partitionLeaderEpoch() < 0) return null; // batches without epochs: nothing to rebuild from
        if (entries.isEmpty()) return "no entry, last batch in epoch " + last.partitionLeaderEpoch();
        LeaderEpochFileCache.EpochEntry latest = entries.get(entries.size() - 1);
        if (latest.epoch() != last.partitionLeaderEpoch()) {
            return "latest entry " + latest + ", last batch in epoch " + last.partitionLeaderEpoch();
        }
        FileChannelRecordBatch at = batchAt(segments, latest.startOffset());
        if (at == null || at.baseOffset() != latest.startOffset() || at.partitionLeaderEpoch() != latest.epoch()) {
            return "the batch at " + latest.startOffset() + " is " + (at == null ? "missing"
                : "at " + at.baseOffset() + " in epoch " + at.partitionLeaderEpoch());
        }
        FileChannelRecordBatch before = latest.startOffset() > segments.firstKey() ? batchAt(segments, latest.startOffset() - 1) : null;
        if (before != null && before.lastOffset() < latest.startOffset() && before.partitionLeaderEpoch() >= latest.epoch()) {
            return "the batch before " + latest.startOffset() + " is in epoch " + before.partitionLeaderEpoch();
        }
        return null;
    }

    private static void rebuild(LeaderEpochFileCache cache, NavigableMap<Long, LogSegment> segments) {
        for (LogSegment seg : segments.values()) {
            if (seg.sizeInBytes() == 0) continue;
            FileChannelRecordBatch first = seg.log().batches().iterator().next();
            assign(cache, first);
            FileChannelRecordBatch last = lastBatch(seg);
            if (last != null && last.partitionLeaderEpoch() == first.partitionLeaderEpoch()) continue;
            for (FileChannelRecordBatch b : seg.log().batches()) assign(cache, b);
        }
    }

    private static void assign(LeaderEpochFileCache cache, FileChannelRecordBatch b) {
        int e = b.partitionLeaderEpoch();
        if (e >= 0 && e > cache.latestEpochOrUndefined()) cache.assignInMemory(e, b.baseOffset());
    }

    /** The log's last batch, or null when every segment is empty. */
    static FileChannelRecordBatch lastBatch(NavigableMap<Long, LogSegment> segments) {
        for (LogSegment seg : segments.descendingMap().values()) {
            FileChannelRecordBatch b = lastBatch(seg);
            if (b != null) return b;
        }
        return null;
    }

    /** A segment's last batch: scanned from its last index entry (at most index.interval.bytes and a batch). */
    private static FileChannelRecordBatch lastBatch(LogSegment seg) {
        if (seg.sizeInBytes() == 0) return null;
        FileChannelRecordBatch last = null;
        for (FileChannelRecordBatch b : seg.log().batchesFrom(seg.lastIndexedPosition())) last = b;
        return last;
    }

    /** The batch holding {@code offset} (the first whose last offset is &gt;= it), or null past the end. */
    static FileChannelRecordBatch batchAt(NavigableMap<Long, LogSegment> segments, long offset) {
        Map.Entry<Long, LogSegment> e = segments.floorEntry(offset);
        if (e == null) e = segments.firstEntry();
        for (; e != null; e = segments.higherEntry(e.getKey())) {
            FileRecords.LogOffsetPosition p = e.getValue().translateOffset(offset);
            if (p == null) continue;
            Iterator<FileChannelRecordBatch> it = e.getValue().log().batchesFrom(p.position).iterator();
            if (it.hasNext()) return it.next();
        }
        return null;
    }
}
