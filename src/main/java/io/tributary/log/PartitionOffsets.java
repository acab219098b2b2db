package io.tributary.log;

/**
 * The offsets of one partition that every thread reads — log start, log end, high watermark, last stable
 * offset — and the high-watermark policy. In single-node mode (the default) the high watermark follows the log end after every
 * append. The replication layer turns that off; then a leader raises it ({@link #increment}, Kafka's
 * {@code maybeIncrementHighWatermark}) as the ISR catches up and a follower copies the leader's
 * ({@link #follow}, Kafka's {@code maybeUpdateHighWatermark}, which may move it backwards).
 *
 * <p>The last stable offset (LSO, read_committed's limit) is {@code max(log start, min(first unstable offset,
 * high watermark))}, the first unstable offset being that of the earliest open or not yet replicated transaction
 * ({@link TxnState}); it is recomputed whenever the high watermark moves and, through {@link #refreshLastStable},
 * when a transaction opens or ends.
 *
 * <p>Threading: written only by the partition's owner thread; every field is volatile, so any thread reads a
 * recent value (LogManager's replication-offset-checkpoint writer, metrics, request handlers).
 */
final class PartitionOffsets {
    private volatile long logStart;
    private volatile long logEnd;
    private volatile long highWatermark;
    private volatile boolean followsLogEnd = true;
    /** From replication-offset-checkpoint, applied when the high watermark stops following the log end; -1: none. */
    private volatile long restored = -1;
    private volatile long lastStable;
    private final TxnState txns;

    PartitionOffsets(long logStart, long logEnd, TxnState txns) {
        this.logStart = logStart;
        this.logEnd = logEnd;
        this.highWatermark = logEnd;
        this.txns = txns;
        refreshLastStable();
    }

    long lastStable() { return lastStable; }

    /** After the high watermark moved or a transaction opened or ended. Owner thread. */
    void refreshLastStable() {
        long hw = highWatermark;
        txns.onHighWatermark(hw);
        lastStable = Math.max(logStart, Math.min(txns.firstUnstableOffset(), hw));
    }

    long logStart() { return logStart; }
    long logEnd() { return logEnd; }
    long highWatermark() { return highWatermark; }
    boolean followsLogEnd() { return followsLogEnd; }

    /** An append ended at {@code newEnd}. */
    void appended(long newEnd) {
        if (newEnd <= logEnd) throw new IllegalStateException("log end offset would not advance: " + newEnd + " <= " + logEnd);
        logEnd = newEnd;
        if (followsLogEnd) highWatermark = newEnd;
        refreshLastStable();
    }

    /** Retention moved the log start to the first remaining segment. */
    void logStartMoved(long newStart) {
        if (newStart > logStart) logStart = newStart;
        if (highWatermark < logStart) highWatermark = logStart;
        refreshLastStable();
    }

    /** A truncation: the high watermark comes down with the end (Kafka), never below the start. */
    void truncated(long newStart, long newEnd) {
        logStart = newStart;
        logEnd = newEnd;
        highWatermark = followsLogEnd ? newEnd : Math.max(newStart, Math.min(highWatermark, newEnd));
        refreshLastStable();
    }

    /**
     * Turning "follows the log end" off the first time sets the high watermark to the one restored from
     * {@code replication-offset-checkpoint} at start-up, or to the log start when it had no entry (Kafka's
     * partition creation: {@code updateHighWatermark(checkpoint or 0)}), clamped to the log.
     */
    void setFollowsLogEnd(boolean follows) {
        if (follows) {
            followsLogEnd = true;
            highWatermark = logEnd;
        } else if (followsLogEnd) {
            long r = restored;
            restored = -1;
            highWatermark = clamp(r < 0 ? logStart : r);
            followsLogEnd = false;
        }
        refreshLastStable();
    }

    void restore(long hw) { restored = hw; }

    /** What replication-offset-checkpoint holds: the HW once it stopped following the end, else a restored value not yet applied; -1: no entry. */
    long toCheckpoint() { return followsLogEnd ? restored : highWatermark; }

    /** Leader: clamped to the log, never backwards; whether it moved. */
    boolean increment(long hw) {
        long c = clamp(hw);
        if (c <= highWatermark) return false;
        highWatermark = c;
        refreshLastStable();
        return true;
    }

    /** Follower: the leader's value clamped to the log, possibly lower than before; the new value. */
    long follow(long leaderHighWatermark) {
        highWatermark = clamp(leaderHighWatermark);
        refreshLastStable();
        return highWatermark;
    }

    private long clamp(long hw) { return Math.min(Math.max(hw, logStart), logEnd); }
}
