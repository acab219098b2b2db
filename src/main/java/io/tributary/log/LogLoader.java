package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * Opens a partition directory and brings it to a consistent state: the crash-recovery procedure.
 *
 * <ul>
 *   <li>Removes leftovers: {@code *.tmp}, {@code *.deleted}, index files without a {@code .log}.</li>
 *   <li>Clean shutdown (marker present): trusts the data, sanity-checks every index (rebuilding a
 *       damaged or missing one) and re-validates each segment's tail after its last index entry, so
 *       garbage appended after the clean shutdown is still cut off.</li>
 *   <li>Unclean: the same up to the segment holding the recovery point; from that segment on every
 *       batch is re-validated (magic, CRC32C, increasing offsets, sane size), indexes are rebuilt, the
 *       invalid tail is truncated and every later segment dropped, with a WARN line each.</li>
 *   <li>Restores log start offset and high watermark from {@link PartitionCheckpoint}, and producer
 *       state from the latest snapshot at or below the log end plus a replay of later batches.</li>
 * </ul>
 *
 * <p>Threading: runs once, before the {@link PartitionLog} is published; blocking I/O allowed (the
 * caller is a worker thread).
 */
final class LogLoader {
    private static final Logger log = LoggerFactory.getLogger(LogLoader.class);

    /** What loading found; {@link #neededRecovery()} drives LogManager's one-line summary. */
    record Result(ConcurrentSkipListMap<Long, LogSegment> segments, long logStartOffset, long recoveryPoint,
                  long highWatermark, ProducerStateManager producerState, long truncatedBytes,
                  int rebuiltIndexes, int droppedSegments, int validatedSegments) {
        boolean neededRecovery() { return truncatedBytes > 0 || rebuiltIndexes > 0 || droppedSegments > 0; }
        long logEndOffset() { return segments.lastEntry().getValue().nextOffset(); }
    }

    private LogLoader() {}

    static Result load(Path dir, TopicPartition tp, LogConfig config, Time time, boolean hadCleanShutdown) throws IOException {
        Files.createDirectories(dir);
        List<Long> bases = cleanDirectory(dir);
        PartitionCheckpoint ckpt = PartitionCheckpoint.read(dir);
        long ckptStart = ckpt == null ? 0 : ckpt.logStartOffset();
        long ckptRecovery = ckpt == null ? 0 : ckpt.recoveryPoint();

        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        for (long base : bases) segments.put(base, LogSegment.open(dir, base, config, time));
        if (segments.isEmpty()) {
            segments.put(ckptStart, LogSegment.open(dir, ckptStart, config, time));
        }

        // Segments from this base on are fully re-validated.
        long fullRecoveryFrom = hadCleanShutdown ? Long.MAX_VALUE
            : (segments.floorKey(ckptRecovery) == null ? segments.firstKey() : segments.floorKey(ckptRecovery));
        long truncated = 0;
        int rebuilt = 0, dropped = 0, validated = 0;
        List<LogSegment> ordered = new ArrayList<>(segments.values());
        for (int i = 0; i < ordered.size(); i++) {
            LogSegment seg = ordered.get(i);
            int cut;
            if (seg.baseOffset() >= fullRecoveryFrom) {
                cut = seg.recover(0, b -> { });
                validated++;
            } else {
                String bad = seg.indexesMissing() ? "index file missing" : seg.loadIndexes();
                if (bad != null) {
                    log.warn("{}: rebuilding index of segment {} ({})", tp, seg.baseOffset(), bad);
                    rebuilt++;
                    cut = seg.recover(0, b -> { });
                } else {
                    cut = seg.recover(seg.lastIndexedPosition(), b -> { });
                }
            }
            if (cut > 0) {
                truncated += cut;
                log.warn("{}: truncated {} invalid bytes at position {} of segment {}", tp, cut, seg.sizeInBytes(),
                    LogSegment.logFile(dir, seg.baseOffset()).getName());
                for (int j = i + 1; j < ordered.size(); j++) {
                    LogSegment later = ordered.get(j);
                    log.warn("{}: dropping segment {} ({} bytes) after the truncated tail", tp, later.baseOffset(), later.sizeInBytes());
                    segments.remove(later.baseOffset());
                    later.deleteFiles();
                    dropped++;
                }
                break;
            }
        }
        // A segment whose batches were all invalid may now be empty; keep it only if it is the last.
        LogSegment active = segments.lastEntry().getValue();
        for (LogSegment seg : segments.values()) {
            if (seg != active) seg.onBecomeInactive();
        }
        active.resizeIndexesToMax();

        long leo = active.nextOffset();
        long logStart = Math.max(segments.firstKey(), Math.min(ckptStart, leo));
        long hw = ckpt == null ? leo : Math.max(logStart, Math.min(ckpt.highWatermark(), leo));
        // Everything recovered was just validated; fsync it so the recovery point may move to the end.
        for (LogSegment seg : segments.values()) seg.flush();
        long recoveryPoint = leo;

        ProducerStateManager psm = new ProducerStateManager(dir);
        OptionalLong snap = psm.loadLatestSnapshot(leo);
        long replayFrom = snap.isPresent() ? snap.getAsLong() : logStart;
        replayProducerState(segments, psm, replayFrom);

        return new Result(segments, logStart, recoveryPoint, hw, psm, truncated, rebuilt, dropped, validated);
    }

    private static void replayProducerState(Map<Long, LogSegment> segments, ProducerStateManager psm, long from) {
        for (LogSegment seg : segments.values()) {
            if (seg.nextOffset() <= from) continue;
            int pos = 0;
            if (from > seg.baseOffset()) {
                FileRecords.LogOffsetPosition p = seg.translateOffset(from);
                if (p == null) continue;
                pos = p.position;
            }
            for (FileChannelRecordBatch batch : seg.log().batchesFrom(pos)) {
                if (batch.baseOffset() >= from) psm.replay(batch);
            }
        }
    }

    /** Deletes leftovers and returns the base offsets of the segments present, ascending. */
    static List<Long> cleanDirectory(Path dir) throws IOException {
        List<Long> bases = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.toList();
        }
        for (Path p : files) {
            String n = p.getFileName().toString();
            if (n.endsWith(".tmp") || n.endsWith(LogSegment.DELETED_SUFFIX)) {
                Files.deleteIfExists(p);
            } else if (n.endsWith(LogSegment.LOG_SUFFIX) && n.length() == 20 + LogSegment.LOG_SUFFIX.length()) {
                try {
                    bases.add(Long.parseLong(n.substring(0, 20)));
                } catch (NumberFormatException ignored) {
                    // not ours
                }
            }
        }
        for (Path p : files) {
            String n = p.getFileName().toString();
            boolean index = n.endsWith(LogSegment.INDEX_SUFFIX) || n.endsWith(LogSegment.TIME_INDEX_SUFFIX);
            if (index && n.length() >= 20 && !Files.exists(dir.resolve(n.substring(0, 20) + LogSegment.LOG_SUFFIX))) {
                Files.deleteIfExists(p);
            }
        }
        bases.sort(Long::compare);
        return bases;
    }
}
