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
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

/**
 * Opens a partition directory and brings it to a consistent state: the crash-recovery procedure.
 *
 * <ul>
 *   <li>Removes leftovers: {@code *.tmp}, {@code *.deleted}, {@code *.cleaned} (a cleaning round that
 *       never reached its swap), index files without a {@code .log}.</li>
 *   <li>Completes interrupted swaps of cleaned segments: a {@code B.log.swap} replaces every segment
 *       whose base offset lies in [B, the swap segment's next offset) (the sources it was cleaned from),
 *       then takes the name {@code B.log}; its indexes are rebuilt.</li>
 *   <li>Clean shutdown (marker present): trusts the data, sanity-checks every index (rebuilding a
 *       damaged or missing one) and re-validates each segment's tail after its last index entry, so
 *       garbage appended after the clean shutdown is still cut off.</li>
 *   <li>Unclean: the same up to the segment holding the recovery point; from that segment on every
 *       batch is re-validated (magic, CRC32C, increasing offsets, sane size), indexes are rebuilt, the
 *       invalid tail is truncated and every later segment dropped, with a WARN line each.</li>
 *   <li>Restores log start offset and high watermark from {@link PartitionCheckpoint}, and producer
 *       state (open transactions included) from the latest snapshot at or below the log end plus a replay of
 *       later batches. Segments re-validated from their start also had their aborted-transaction index
 *       ({@code .txnindex}) emptied: the replay then starts at or below the first of them and writes each
 *       aborted transaction whose marker it meets there into the marker's segment index.</li>
 *   <li>Loads the leader epoch cache and reconciles it with the recovered log ({@link LeaderEpochRecovery}):
 *       entries past the log end removed, a missing or disagreeing file rebuilt from the batches' epochs.</li>
 * </ul>
 *
 * <p>Threading: runs once, before the {@link PartitionLog} is published; blocking I/O allowed (the
 * caller is a worker thread).
 */
final class LogLoader {
    private static final Logger log = LoggerFactory.getLogger(LogLoader.class);

    /** What loading found; {@link #neededRecovery()} drives LogManager's one-line summary. */
    record Result(ConcurrentSkipListMap<Long, LogSegment> segments, long logStartOffset, long recoveryPoint,
                  long highWatermark, ProducerStateManager producerState, LeaderEpochFileCache epochs, long truncatedBytes,
                  int rebuiltIndexes, int droppedSegments, int validatedSegments) {
        boolean neededRecovery() { return truncatedBytes > 0 || rebuiltIndexes > 0 || droppedSegments > 0; }
        long logEndOffset() { return segments.lastEntry().getValue().nextOffset(); }
    }

    private LogLoader() {}

    static Result load(Path dir, TopicPartition tp, LogConfig config, Time time, Executor io, boolean hadCleanShutdown)
            throws IOException {
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
        // Segments re-validated from their start have an empty aborted-transaction index: the producer-state
        // replay below rebuilds theirs (Kafka rebuilds it in LogSegment.recover); the others keep their entries.
        Set<Long> txnRebuilt = new HashSet<>();
        List<LogSegment> ordered = new ArrayList<>(segments.values());
        for (int i = 0; i < ordered.size(); i++) {
            LogSegment seg = ordered.get(i);
            int cut;
            if (seg.baseOffset() >= fullRecoveryFrom) {
                seg.txnIndex().reset();
                txnRebuilt.add(seg.baseOffset());
                cut = seg.recover(0, b -> { });
                validated++;
            } else {
                String bad = seg.indexesMissing() ? "index file missing" : seg.loadIndexes();
                if (bad != null) {
                    log.warn("{}: rebuilding index of segment {} ({})", tp, seg.baseOffset(), bad);
                    rebuilt++;
                    seg.txnIndex().reset();
                    txnRebuilt.add(seg.baseOffset());
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

        // The replay must start at or below the first index being rebuilt, so it sees the transactions open there.
        ProducerStateManager psm = new ProducerStateManager(dir);
        long rebuildFrom = txnRebuilt.stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
        OptionalLong snap = psm.loadLatestSnapshot(Math.min(leo, rebuildFrom), leo);
        long replayFrom = snap.isPresent() ? snap.getAsLong() : logStart;
        replayProducerState(segments, psm, replayFrom, txnRebuilt);
        LeaderEpochFileCache epochs = LeaderEpochRecovery.load(tp, dir, io, segments, logStart, leo);

        return new Result(segments, logStart, recoveryPoint, hw, psm, epochs, truncated, rebuilt, dropped, validated);
    }

    /**
     * Replays the batch headers from {@code from} into {@code psm}; a marker ending an aborted transaction in one
     * of the segments of {@code txnRebuilt} (base offsets; their index was emptied) is written to its index.
     */
    static void replayProducerState(Map<Long, LogSegment> segments, ProducerStateManager psm, long from, Set<Long> txnRebuilt)
            throws IOException {
        for (LogSegment seg : segments.values()) {
            if (seg.nextOffset() <= from) continue;
            int pos = 0;
            if (from > seg.baseOffset()) {
                FileRecords.LogOffsetPosition p = seg.translateOffset(from);
                if (p == null) continue;
                pos = p.position;
            }
            LogSegment rebuilding = txnRebuilt.contains(seg.baseOffset()) ? seg : null;
            for (FileChannelRecordBatch batch : seg.log().batchesFrom(pos)) {
                if (batch.baseOffset() >= from) psm.replay(batch, rebuilding);
            }
        }
    }

    /** Deletes leftovers, completes swaps, and returns the base offsets of the segments present, ascending. */
    static List<Long> cleanDirectory(Path dir) throws IOException {
        List<Path> files = list(dir);
        List<Long> swaps = new ArrayList<>();
        for (Path p : files) {
            String n = p.getFileName().toString();
            if (n.endsWith(".tmp") || n.endsWith(LogSegment.DELETED_SUFFIX) || n.endsWith(LogSegment.CLEANED_SUFFIX)) {
                Files.deleteIfExists(p);
            } else if (n.endsWith(LogSegment.LOG_SUFFIX + LogSegment.SWAP_SUFFIX) && n.length() >= 20) {
                try {
                    swaps.add(Long.parseLong(n.substring(0, 20)));
                } catch (NumberFormatException ignored) {
                    // not ours
                }
            }
        }
        if (!swaps.isEmpty()) {
            swaps.sort(Long::compare);
            for (long base : swaps) completeSwap(dir, base);
            files = list(dir);
        }
        // index .swap files whose .log.swap is gone (already renamed) are stale
        for (Path p : files) {
            if (p.getFileName().toString().endsWith(LogSegment.SWAP_SUFFIX)) Files.deleteIfExists(p);
        }
        List<Long> bases = new ArrayList<>();
        for (Path p : files) {
            String n = p.getFileName().toString();
            if (n.endsWith(LogSegment.SWAP_SUFFIX)) {
                continue;
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
            boolean index = n.endsWith(LogSegment.INDEX_SUFFIX) || n.endsWith(LogSegment.TIME_INDEX_SUFFIX)
                || n.endsWith(LogSegment.TXN_INDEX_SUFFIX);
            if (index && n.length() >= 20 && !Files.exists(dir.resolve(n.substring(0, 20) + LogSegment.LOG_SUFFIX))) {
                Files.deleteIfExists(p);
            }
        }
        bases.sort(Long::compare);
        return bases;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    /**
     * Kafka's swap recovery: the cleaned segment was committed (renamed to .swap) before its sources were
     * renamed away, so it wins. Sources are the segments with a base offset in [base, swap next offset).
     */
    private static void completeSwap(Path dir, long base) throws IOException {
        Path swapLog = dir.resolve(LogSegment.filenamePrefix(base) + LogSegment.LOG_SUFFIX + LogSegment.SWAP_SUFFIX);
        long next = base;
        try (FileRecords records = FileRecords.open(swapLog.toFile(), false)) {
            for (FileChannelRecordBatch b : records.batches()) next = b.lastOffset() + 1;
        } catch (RuntimeException e) {
            log.warn("Cannot read {} ({}); recovery will validate what can be read", swapLog, e.toString());
        }
        for (Path p : list(dir)) {
            String n = p.getFileName().toString();
            boolean segmentFile = n.endsWith(LogSegment.LOG_SUFFIX) || n.endsWith(LogSegment.INDEX_SUFFIX)
                || n.endsWith(LogSegment.TIME_INDEX_SUFFIX) || n.endsWith(LogSegment.TXN_INDEX_SUFFIX);
            if (!segmentFile || n.length() < 20) continue;
            long b;
            try {
                b = Long.parseLong(n.substring(0, 20));
            } catch (NumberFormatException e) {
                continue;
            }
            if (b >= base && (b < next || b == base)) Files.delete(p);
        }
        // indexes of the swap segment are rebuilt from its data, never trusted (the aborted-transaction index by
        // the producer-state replay, since its offset index is missing)
        Files.deleteIfExists(dir.resolve(LogSegment.filenamePrefix(base) + LogSegment.INDEX_SUFFIX + LogSegment.SWAP_SUFFIX));
        Files.deleteIfExists(dir.resolve(LogSegment.filenamePrefix(base) + LogSegment.TIME_INDEX_SUFFIX + LogSegment.SWAP_SUFFIX));
        Files.deleteIfExists(dir.resolve(LogSegment.filenamePrefix(base) + LogSegment.TXN_INDEX_SUFFIX + LogSegment.SWAP_SUFFIX));
        Files.move(swapLog, LogSegment.logFile(dir, base).toPath());
        log.info("Completed swap of cleaned segment {} in {} (replaced segments in [{}, {}))", base, dir, base, next);
    }
}
