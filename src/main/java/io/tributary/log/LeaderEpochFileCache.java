package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.Executor;

import static org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH;
import static org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH_OFFSET;

/**
 * Leader epoch to the first offset written in it, for one partition: Kafka's {@code LeaderEpochFileCache}
 * (KIP-101, KIP-279), which answers OffsetForLeaderEpoch and lets a follower truncate by epoch instead of by
 * high watermark.
 *
 * <p>On disk: {@code <partition dir>/leader-epoch-checkpoint}, Kafka's checkpoint text, byte for byte:
 * <pre>
 * 0                 version
 * 2                 number of entries
 * 0 0               epoch startOffset, ascending
 * 3 120
 * </pre>
 * (lines end with '\n'). Written tmp + fsync + rename. Kafka fsyncs on the appending thread when an epoch
 * is assigned; here every change is written on the I/O executor, never on the owner's event loop, so a
 * crash may leave the file a few changes behind. That is safe because the batches carry their epoch
 * ({@code partitionLeaderEpoch}): {@link LeaderEpochRecovery} reconciles the file with the log at open.
 * Each write rewrites the whole state, and a write older than one already done is skipped, so the file
 * always holds some state the cache really had.
 *
 * <p>Threading: owned by the partition's owner thread (every mutation and {@link #endOffsetFor}); only
 * {@link #latestEpochOrUndefined()} is safe from any thread (volatile). The file write runs on the executor.
 */
public final class LeaderEpochFileCache {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochFileCache.class);
    public static final String FILE = "leader-epoch-checkpoint";
    static final int VERSION = 0;

    /** The first offset of a leader epoch. */
    public record EpochEntry(int epoch, long startOffset) {
        @Override public String toString() { return "EpochEntry(epoch=" + epoch + ", startOffset=" + startOffset + ")"; }
    }

    /** OffsetForLeaderEpoch's answer: an epoch and its end offset (the start of the next epoch, or the log end). */
    public record EpochAndOffset(int epoch, long endOffset) {}

    private final TopicPartition tp;
    private final Path file;
    private final Executor io;
    private final TreeMap<Integer, EpochEntry> epochs = new TreeMap<>();
    /** The last entry's epoch, or UNDEFINED_EPOCH: the append path compares with it, other threads read it. */
    private volatile int latestEpoch = UNDEFINED_EPOCH;
    /** Version of the in-memory state (owner thread) and of the last state written (under {@link #writeLock}). */
    private long version;
    private final Object writeLock = new Object();
    private long writtenVersion = -1;

    LeaderEpochFileCache(TopicPartition tp, Path dir, Executor io, List<EpochEntry> entries) {
        this.tp = tp;
        this.file = dir.resolve(FILE);
        this.io = io;
        for (EpochEntry e : entries) epochs.put(e.epoch(), e);
        refreshLatest();
    }

    /** The entries in the file, or null when it is absent or unreadable (the caller rebuilds from the log). */
    static List<EpochEntry> readFile(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) return null;
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            if (lines.isEmpty()) return List.of(); // Kafka creates the file empty before the first write
            if (Integer.parseInt(lines.get(0).trim()) != VERSION) throw new IOException("version " + lines.get(0));
            int count = lines.size() < 2 ? 0 : Integer.parseInt(lines.get(1).trim());
            List<EpochEntry> out = new ArrayList<>(count);
            for (int i = 2; i < lines.size(); i++) {
                String[] parts = lines.get(i).trim().split("\\s+");
                if (parts.length != 2) throw new IOException("malformed line '" + lines.get(i) + "'");
                out.add(new EpochEntry(Integer.parseInt(parts[0]), Long.parseLong(parts[1])));
            }
            if (out.size() != count) throw new IOException("expected " + count + " entries, found " + out.size());
            return out;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring unreadable {} ({}); rebuilding it from the log", f, e.toString());
            return null;
        }
    }

    /** Kafka's text for these entries. */
    static String format(List<EpochEntry> entries) {
        StringBuilder sb = new StringBuilder().append(VERSION).append('\n').append(entries.size()).append('\n');
        for (EpochEntry e : entries) sb.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
        return sb.toString();
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}, when the epoch is newer than the latest one
     * (entries at or after {@code startOffset} are removed first, as Kafka's
     * {@code maybeTruncateNonMonotonicEntries}), or the latest epoch with an earlier start (Kafka moves it).
     * An older epoch is ignored with a WARN: Kafka would instead drop every newer entry, but on our paths
     * a stale epoch only reaches the log through a bug, and the leader's history must not be rewritten by one.
     * @return whether the cache changed (its file is then rewritten on the I/O executor)
     */
    public boolean assign(int epoch, long startOffset) {
        if (!assignInMemory(epoch, startOffset)) return false;
        flushLater();
        return true;
    }

    boolean assignInMemory(int epoch, long startOffset) {
        if (epoch < 0 || startOffset < 0) throw new IllegalArgumentException("invalid epoch entry " + epoch + "@" + startOffset + " for " + tp);
        Map.Entry<Integer, EpochEntry> last = epochs.lastEntry();
        if (last != null) {
            EpochEntry l = last.getValue();
            if (epoch < l.epoch()) {
                LOG.warn("{}: ignoring stale leader epoch {} at offset {}; latest is {}", tp, epoch, startOffset, l);
                return false;
            }
            if (epoch == l.epoch() && startOffset >= l.startOffset()) return false;
        }
        List<EpochEntry> removed = new ArrayList<>();
        Iterator<EpochEntry> it = epochs.descendingMap().values().iterator();
        while (it.hasNext()) {
            EpochEntry e = it.next();
            if (e.epoch() < epoch && e.startOffset() < startOffset) break;
            removed.add(e);
            it.remove();
        }
        EpochEntry added = new EpochEntry(epoch, startOffset);
        if (removed.size() > 1 || (removed.size() == 1 && removed.get(0).startOffset() != startOffset)) {
            LOG.warn("{}: new epoch entry {} caused truncation of conflicting entries {}", tp, added, removed);
        }
        epochs.put(epoch, added);
        refreshLatest();
        return true;
    }

    /** The latest epoch, if any. Owner thread (or {@link #latestEpochOrUndefined()} anywhere). */
    public OptionalInt latestEpoch() {
        int e = latestEpoch;
        return e == UNDEFINED_EPOCH ? OptionalInt.empty() : OptionalInt.of(e);
    }

    /** The latest epoch or UNDEFINED_EPOCH (-1); any thread. */
    public int latestEpochOrUndefined() { return latestEpoch; }

    /**
     * Kafka's {@code endOffsetFor}: for {@code requestedEpoch}, the largest known epoch &lt;= it and that epoch's
     * end offset (the start offset of the next larger known epoch; {@code logEndOffset} when the requested
     * epoch is the latest). UNDEFINED_EPOCH requested, or an epoch above the latest: (UNDEFINED_EPOCH,
     * UNDEFINED_EPOCH_OFFSET). Below the earliest known epoch: (requestedEpoch, start of the earliest), so the
     * follower truncates to where the leader's retained history begins.
     */
    public EpochAndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch == UNDEFINED_EPOCH) return new EpochAndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        if (!epochs.isEmpty() && epochs.lastKey() == requestedEpoch) return new EpochAndOffset(requestedEpoch, logEndOffset);
        Map.Entry<Integer, EpochEntry> higher = epochs.higherEntry(requestedEpoch);
        if (higher == null) return new EpochAndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        Map.Entry<Integer, EpochEntry> floor = epochs.floorEntry(requestedEpoch);
        if (floor == null) return new EpochAndOffset(requestedEpoch, higher.getValue().startOffset());
        return new EpochAndOffset(floor.getKey(), higher.getValue().startOffset());
    }

    /** The epoch that {@code offset} was written in (the latest entry starting at or before it), if known. */
    public OptionalInt epochForOffset(long offset) {
        OptionalInt previous = OptionalInt.empty();
        for (EpochEntry e : epochs.values()) {
            if (e.startOffset() == offset) return OptionalInt.of(e.epoch());
            if (e.startOffset() > offset) return previous;
            previous = OptionalInt.of(e.epoch());
        }
        return previous;
    }

    /** Removes every entry starting at or after {@code endOffset} (log truncation); Kafka's {@code truncateFromEnd}. */
    public void truncateFromEnd(long endOffset) {
        if (truncateFromEndInMemory(endOffset)) flushLater();
    }

    boolean truncateFromEndInMemory(long endOffset) {
        Map.Entry<Integer, EpochEntry> last = epochs.lastEntry();
        if (endOffset < 0 || last == null || last.getValue().startOffset() < endOffset) return false;
        epochs.values().removeIf(e -> e.startOffset() >= endOffset);
        refreshLatest();
        return true;
    }

    /**
     * The log start moved to {@code startOffset} (retention, a full truncation): entries starting at or before it
     * are removed and the last of them comes back starting at {@code startOffset}, so the epoch of the first
     * retained offset stays known (exclusive, as Kafka's: {@code truncateFromStart(6)} keeps an entry at 6).
     */
    public void truncateFromStart(long startOffset) {
        if (truncateFromStartInMemory(startOffset)) flushLater();
    }

    boolean truncateFromStartInMemory(long startOffset) {
        EpochEntry lastRemoved = null;
        int removed = 0;
        Iterator<EpochEntry> it = epochs.values().iterator();
        while (it.hasNext()) {
            EpochEntry e = it.next();
            if (e.startOffset() > startOffset) break;
            lastRemoved = e;
            removed++;
            it.remove();
        }
        if (lastRemoved == null) return false;
        epochs.put(lastRemoved.epoch(), new EpochEntry(lastRemoved.epoch(), startOffset));
        refreshLatest();
        return removed > 1 || lastRemoved.startOffset() != startOffset;
    }

    /** Removes every entry (the log was emptied); Kafka's {@code clearAndFlush}, the write on the I/O executor. */
    public void clear() {
        if (epochs.isEmpty()) return;
        epochs.clear();
        refreshLatest();
        flushLater();
    }

    /** A copy of the entries, ascending. */
    public List<EpochEntry> entries() { return List.copyOf(epochs.values()); }

    private void refreshLatest() {
        latestEpoch = epochs.isEmpty() ? UNDEFINED_EPOCH : epochs.lastKey();
    }

    /** Writes the current state on the I/O executor; a write overtaken by a newer one is skipped. */
    void flushLater() {
        long v = ++version;
        List<EpochEntry> snapshot = List.copyOf(epochs.values());
        try {
            io.execute(() -> write(v, snapshot, true));
        } catch (RuntimeException rejected) {
            LOG.warn("{}: leader epoch checkpoint not written ({}); the next open rebuilds it from the log", tp, rejected.toString());
        }
    }

    /** Writes the current state on this thread (open, close: blocking I/O allowed there). */
    void flushNow() throws IOException {
        long v = ++version;
        if (!write(v, List.copyOf(epochs.values()), false)) throw new IOException("cannot write " + file);
    }

    private boolean write(long v, List<EpochEntry> snapshot, boolean quiet) {
        synchronized (writeLock) {
            if (v <= writtenVersion) return true;
            try {
                if (!Files.isDirectory(file.getParent())) return true; // partition deleted meanwhile
                PartitionCheckpoint.writeAtomically(file, format(snapshot).getBytes(StandardCharsets.UTF_8));
                writtenVersion = v;
                return true;
            } catch (IOException e) {
                if (!quiet) return false;
                LOG.warn("{}: leader epoch checkpoint write failed: {}", tp, e.toString());
                return true;
            }
        }
    }

    @Override public String toString() { return "LeaderEpochFileCache(" + tp + ", " + epochs.values() + ")"; }
}
