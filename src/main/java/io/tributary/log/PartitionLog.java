package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;

/**
 * The log of one partition: an ordered set of {@link LogSegment}s, the last one active.
 *
 * <p>On disk, {@code <dataDir>/<topic>-<partition>/}: the segments' {@code .log}/{@code .index}/
 * {@code .timeindex}/{@code .txnindex} files (see {@link LogSegment}), {@code partition.checkpoint} (see
 * {@link PartitionCheckpoint}; kept with the recovery point and flush timing by {@link PartitionFlusher}), producer snapshots {@code <offset>.snapshot} (see
 * {@link ProducerSnapshots}), {@code leader-epoch-checkpoint} (see {@link LeaderEpochFileCache}), {@code *.deleted} files awaiting physical deletion, and for compacted
 * topics {@code cleaner-offset-checkpoint} (see {@link CleanerCheckpoint}) plus, transiently,
 * {@code *.cleaned} (being written by the cleaner) and {@code *.swap} (being swapped in) segment files.
 *
 * <p>Threading: single owner. Every mutating method and {@link #read}/{@link #offsetForTimestamp}
 * run on the partition's owner thread; there are no locks on the append path. Offsets and sizes are
 * volatile and readable from any thread. fsync ({@code FileChannel.force}) runs on the injected
 * {@code ioExecutor}, never on the owner thread, except in {@link #close()}; the I/O task touches
 * file channels and index files by path only, never the owner's memory maps.
 *
 * <p>Compaction ({@code cleanup.policy=compact}): {@link #tick()} decides on the owner thread whether
 * the dirty ratio calls for a round ({@link #maybeStartCleaning}), hands an immutable snapshot of
 * closed segments to the {@link LogCleaner}, and later, when the round's future is done, swaps the
 * cleaned segments in ({@link #completeCleaning}): {@code .cleaned} → {@code .swap}, replace in the
 * segment map, old segments to {@code .deleted} (delayed delete keeps in-flight fetches readable),
 * {@code .swap} → final name. The owner never waits for the cleaner.
 *
 * <p>Transactions: the leader appends client batches and the coordinator's markers through {@link PartitionAppender};
 * {@link ProducerStateManager} tracks the open transactions ({@link TxnState}), {@link PartitionOffsets} publishes the
 * last stable offset, an aborted transaction gets its entry in the marker segment's {@link TransactionIndex}, and a
 * read_committed read ({@link FetchIsolation#TXN_COMMITTED}) stops at the LSO and lists the aborted transactions
 * overlapping what it returns.
 *
 * <p>Replication: {@link #appendAsFollower}, {@link #truncateTo} and {@link #truncateFullyAndStartAt} are
 * delegated to {@link PartitionReplication}; the high watermark follows the log end in single-node mode and is
 * driven by the replication layer otherwise ({@link #setHighWatermarkFollowsLogEnd}).
 */
public final class PartitionLog implements Closeable {
    /** How often tick() persists the checkpoint file at most. */
    static final long CHECKPOINT_INTERVAL_MS = PartitionFlusher.CHECKPOINT_INTERVAL_MS;
    /** Kafka's producer.id.expiration.ms default. */
    static final long PRODUCER_ID_EXPIRATION_MS = 86_400_000L;

    private final Path dir;
    private final TopicPartition tp;
    private final Time time;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ProducerStateManager producerState;
    private final SegmentDeleter deleter;
    /** Recovery point, flush.messages / flush.ms and the checkpoint file. */
    private final PartitionFlusher flusher;
    private volatile LogConfig config;
    /** Log start, log end, high watermark and its policy. */
    private final PartitionOffsets offsets;
    private volatile long sizeInBytes;
    private final LeaderEpochFileCache epochs;
    private final PartitionReplication replication;
    private volatile boolean closed;
    private CompletableFuture<Long> appendFlush;
    /** Rolls and retention. */
    private final SegmentRoller roller;
    /** The leader's appends: client batches and transaction markers. */
    private final PartitionAppender appender;
    /** Compaction of this log (cleanup.policy=compact): round scheduling and the owner-side swap. */
    private final PartitionCompaction compaction;

    private PartitionLog(Path dir, TopicPartition tp, LogConfig config, Time time, Executor ioExecutor, LogCleaner cleaner,
                         LogLoader.Result r) {
        this.dir = dir;
        this.tp = tp;
        this.config = config;
        this.time = time;
        this.segments = r.segments();
        this.producerState = r.producerState();
        this.deleter = new SegmentDeleter(tp, time);
        this.offsets = new PartitionOffsets(r.logStartOffset(), r.logEndOffset(), producerState.txns());
        this.flusher = new PartitionFlusher(dir, tp, time, ioExecutor, segments, r.recoveryPoint());
        this.compaction = new PartitionCompaction(this, tp, dir, time, ioExecutor, cleaner, segments, deleter, producerState);
        this.epochs = r.epochs();
        this.replication = new PartitionReplication(this, tp, dir, time, segments, producerState, offsets, epochs, flusher, deleter,
            compaction);
        this.appender = new PartitionAppender(this, tp, time, producerState, epochs);
        this.roller = new SegmentRoller(this, tp, dir, time, ioExecutor, segments, producerState, offsets, flusher, deleter, epochs);
        refreshSize();
    }

    /** Opens the partition directory, running {@link LogLoader} (recovery when the shutdown was unclean). */
    public static PartitionLog open(Path dir, TopicPartition tp, LogConfig config, Time time, Executor ioExecutor,
                                    boolean hadCleanShutdown) throws IOException {
        return open(dir, tp, config, time, ioExecutor, null, hadCleanShutdown, null);
    }

    /** As above, with the cleaner that compacts this log when its topic has {@code cleanup.policy=compact} (null: never). */
    public static PartitionLog open(Path dir, TopicPartition tp, LogConfig config, Time time, Executor ioExecutor,
                                    LogCleaner cleaner, boolean hadCleanShutdown) throws IOException {
        return open(dir, tp, config, time, ioExecutor, cleaner, hadCleanShutdown, null);
    }

    static PartitionLog open(Path dir, TopicPartition tp, LogConfig config, Time time, Executor ioExecutor,
                             boolean hadCleanShutdown, LogLoader.Result[] resultOut) throws IOException {
        return open(dir, tp, config, time, ioExecutor, null, hadCleanShutdown, resultOut);
    }

    static PartitionLog open(Path dir, TopicPartition tp, LogConfig config, Time time, Executor ioExecutor,
                             LogCleaner cleaner, boolean hadCleanShutdown, LogLoader.Result[] resultOut) throws IOException {
        LogLoader.Result r = LogLoader.load(dir, tp, config, time, ioExecutor, hadCleanShutdown);
        if (resultOut != null) resultOut[0] = r;
        PartitionLog pl = new PartitionLog(dir, tp, config, time, ioExecutor, cleaner, r);
        pl.flusher.checkpointNow(pl.checkpointValue());
        return pl;
    }

    public TopicPartition topicPartition() { return tp; }
    public Path dir() { return dir; }
    public LogConfig config() { return config; }
    public void updateConfig(LogConfig config) { this.config = config; }
    public long logStartOffset() { return offsets.logStart(); }
    public long logEndOffset() { return offsets.logEnd(); }
    public long highWatermark() { return offsets.highWatermark(); }
    /** read_committed's limit: below the first open (or unreplicated) transaction and the high watermark. Any thread. */
    public long lastStableOffset() { return offsets.lastStable(); }
    public long recoveryPoint() { return flusher.recoveryPoint(); }
    public long sizeInBytes() { return sizeInBytes; }
    public int numberOfSegments() { return segments.size(); }

    /** Single-node mode (default) or not; see {@link PartitionOffsets#setFollowsLogEnd} for the switch. Owner thread. */
    public void setHighWatermarkFollowsLogEnd(boolean follows) { offsets.setFollowsLogEnd(follows); }

    public boolean highWatermarkFollowsLogEnd() { return offsets.followsLogEnd(); }

    /** LogManager at start-up: the value from replication-offset-checkpoint. */
    void restoreHighWatermark(long hw) { offsets.restore(hw); }

    /** This partition's replication-offset-checkpoint entry, -1 for none ({@link PartitionOffsets#toCheckpoint}). Any thread. */
    long highWatermarkToCheckpoint() { return offsets.toCheckpoint(); }

    /** Leader: raise the HW (clamped to the log, never backwards; Kafka's maybeIncrementHighWatermark). Owner thread. */
    public boolean updateHighWatermark(long hw) { return offsets.increment(hw); }

    /** Follower: HW = the leader's, clamped to [log start, log end], possibly lower (Kafka's maybeUpdateHighWatermark). Owner thread. */
    public long followerHighWatermark(long leaderHighWatermark) { return offsets.follow(leaderHighWatermark); }

    /** The latest leader epoch in this log's epoch cache, or -1. Any thread. */
    public int latestEpoch() { return epochs.latestEpochOrUndefined(); }

    /** OffsetForLeaderEpoch for this log (see {@link LeaderEpochFileCache#endOffsetFor}). Owner thread. */
    public LeaderEpochFileCache.EpochAndOffset endOffsetForEpoch(int leaderEpoch) {
        ensureOpen();
        return epochs.endOffsetFor(leaderEpoch, offsets.logEnd());
    }

    /** The epoch cache; owner thread for anything but {@link LeaderEpochFileCache#latestEpochOrUndefined()}. */
    public LeaderEpochFileCache epochCache() { return epochs; }

    /** Validates, checks idempotence and transactions, assigns offsets in place, appends ({@link PartitionAppender}). Owner thread only. */
    public LogAppendInfo appendAsLeader(MemoryRecords records, int leaderEpoch) {
        ensureOpen();
        return appender.appendAsLeader(records, leaderEpoch);
    }

    /** A COMMIT/ABORT marker from the transaction coordinator ({@link PartitionAppender#appendMarker}). Owner thread only. */
    public LogAppendInfo appendMarker(TxnMarker marker, int leaderEpoch) {
        ensureOpen();
        return appender.appendMarker(marker, leaderEpoch);
    }

    /** Both append paths, after the write: offsets, size, flush.messages. Owner thread. */
    void appended(long lastOffset, int bytes, int numRecords, LogConfig cfg) {
        offsets.appended(lastOffset + 1);
        sizeInBytes += bytes;
        if (flusher.appended(numRecords, cfg)) appendFlush = flush();
    }

    /** Follower append of the leader's batches, verbatim ({@link PartitionReplication#appendAsFollower}). Owner thread. */
    public LogAppendInfo appendAsFollower(MemoryRecords records) {
        ensureOpen();
        return replication.appendAsFollower(records);
    }

    /** Removes every record at or above {@code offset} (see {@link PartitionReplication#truncateTo}); the new log end. Owner thread. */
    public long truncateTo(long offset, String reason) {
        ensureOpen();
        return replication.truncateTo(offset, reason);
    }

    /** Empties the log and restarts it at {@code offset} (see {@link PartitionReplication#truncateFullyAndStartAt}). Owner thread. */
    public void truncateFullyAndStartAt(long offset, String reason) {
        ensureOpen();
        replication.truncateFullyAndStartAt(offset, reason);
    }

    /** Follower: the leader's log start (see {@link PartitionReplication#maybeIncrementLogStartOffset}). Owner thread. */
    public boolean maybeIncrementLogStartOffset(long leaderLogStartOffset) {
        ensureOpen();
        return replication.maybeIncrementLogStartOffset(leaderLogStartOffset);
    }

    /** After a truncation: the new offsets (see {@link PartitionOffsets#truncated}). Owner thread. */
    void truncated(long newStart, long newEnd) {
        offsets.truncated(newStart, newEnd);
        roller.redrawJitter(config);
        refreshSize();
    }

    /**
     * Owner thread. The fsync that the last append started because it reached {@code flush.messages},
     * or null; cleared by the call. The caller acknowledges that append only when it completes, so
     * {@code flush.messages=1} means "acknowledged = on disk".
     */
    public CompletableFuture<Long> takeAppendFlush() {
        CompletableFuture<Long> f = appendFlush;
        appendFlush = null;
        return f;
    }

    /** See {@link SegmentRoller#rollIfNeeded}. Owner thread. */
    LogSegment rollIfNeeded(long lastOffset, int bytes, long maxTimestampInMessages, LogConfig cfg, long now) {
        return roller.rollIfNeeded(lastOffset, bytes, maxTimestampInMessages, cfg, now);
    }

    /**
     * Owner thread. Whole batches from the batch holding {@code fetchOffset}, up to {@code maxBytes}
     * (at least the first batch when {@code minOneMessage}), below the high watermark, from one segment.
     */
    public FetchDataInfo read(long fetchOffset, int maxBytes, boolean minOneMessage) {
        return read(fetchOffset, maxBytes, minOneMessage, FetchIsolation.HIGH_WATERMARK);
    }

    /**
     * As above, up to the high watermark (read_uncommitted consumers), the last stable offset (read_committed,
     * with the aborted transactions overlapping what is returned) or the log end offset (replica fetches).
     * Owner thread.
     */
    public FetchDataInfo read(long fetchOffset, int maxBytes, boolean minOneMessage, FetchIsolation isolation) {
        ensureOpen();
        long hw = offsets.highWatermark(), end = offsets.logEnd(), lso = offsets.lastStable();
        long limit = switch (isolation) {
            case LOG_END -> end;
            case HIGH_WATERMARK -> hw;
            case TXN_COMMITTED -> lso;
        };
        return LogReader.read(tp, segments, fetchOffset, maxBytes, minOneMessage, offsets.logStart(), end, hw, lso, limit,
            isolation == FetchIsolation.TXN_COMMITTED);
    }

    /** Aborted transactions overlapping [{@code from}, {@code upperBound}) ({@link LogReader#collectAborted}). Owner thread. */
    List<AbortedTxn> collectAbortedTransactions(long from, long upperBound) {
        return LogReader.collectAborted(segments, from, upperBound);
    }

    /**
     * Owner thread. First offset whose record timestamp is &gt;= target (below the high watermark);
     * {@link ListOffsetsRequest#MAX_TIMESTAMP}: the first record with the largest timestamp;
     * {@code EARLIEST_TIMESTAMP}/{@code LATEST_TIMESTAMP}: log start / high watermark. Empty if none.
     */
    public Optional<FileRecords.TimestampAndOffset> offsetForTimestamp(long targetTimestamp) {
        return offsetForTimestamp(targetTimestamp, FetchIsolation.HIGH_WATERMARK);
    }

    /** As above, below the LSO for {@link FetchIsolation#TXN_COMMITTED} (latest: the LSO), as Kafka. Owner thread. */
    public Optional<FileRecords.TimestampAndOffset> offsetForTimestamp(long targetTimestamp, FetchIsolation isolation) {
        ensureOpen();
        long limit = isolation == FetchIsolation.TXN_COMMITTED ? offsets.lastStable()
            : isolation == FetchIsolation.LOG_END ? offsets.logEnd() : offsets.highWatermark();
        return LogReader.offsetForTimestamp(segments, targetTimestamp, offsets.logStart(), limit);
    }

    /**
     * Owner thread: swap in a finished cleaning round, delayed deletes, start a cleaning round (compacted
     * topics, at most every log.cleaner.backoff.ms while nothing is cleanable), flush.ms, checkpoint.
     * Neither rolls by time (only an append does, as in Kafka) nor applies retention: the owner calls
     * {@link #deleteOldSegments} every {@code log.retention.check.interval.ms}.
     */
    public void tick() {
        ensureOpen();
        LogConfig cfg = config;
        long now = time.milliseconds();
        compaction.complete(); // before retention, so a finished round is not discarded for nothing
        deleter.deleteExpired();
        compaction.maybeStartOnTick(now);
        if (flusher.flushDue(now, cfg)) flush();
        if (flusher.checkpointDue(now)) {
            producerState.removeExpired(now, PRODUCER_ID_EXPIRATION_MS); // O(producers): not on every tick
            flusher.checkpointLater(checkpointValue());
        }
    }

    /** Owner thread. Retention by time and size over closed segments below the high watermark (see {@link SegmentRoller}). */
    public int deleteOldSegments() {
        ensureOpen();
        return roller.deleteOldSegments(sizeInBytes);
    }

    /**
     * fsync up to the current log end offset on the I/O executor; completes with the new recovery
     * point. Owner thread (appends call it when flush.messages is reached, tick() when flush.ms elapsed).
     */
    public CompletableFuture<Long> flush() {
        ensureOpen();
        return flusher.flush(offsets.logEnd());
    }

    /** Owner thread. Closes the active segment (if not empty) and starts a new one at the log end offset. */
    public void roll() {
        ensureOpen();
        roller.roll();
    }

    /** See {@link PartitionCompaction#cleanableRange}; owner thread. */
    PartitionCompaction.CleanableRange cleanableRange(long now) { return compaction.cleanableRange(now); }

    /** Owner thread: starts a cleaning round if one is due; null when nothing was started. */
    CompletableFuture<Cleaner.Result> maybeStartCleaning() {
        ensureOpen();
        return compaction.maybeStart();
    }

    public boolean cleaningInFlight() { return compaction.inFlight(); } // submitted, not yet swapped in or discarded

    /** The cleaner checkpoint: offsets below it have been compacted. Readable from any thread. */
    public long firstDirtyOffset() { return compaction.firstDirtyOffset(); }

    /** Owner thread: swaps in a finished round (or discards it); true when a swap happened. */
    boolean completeCleaning() { return compaction.complete(); }

    boolean isClosed() { return closed; }

    /** Flush synchronously, write producer snapshot and checkpoint, trim indexes. Owner thread or shutdown worker. */
    @Override public void close() throws IOException {
        if (closed) return;
        closed = true;
        compaction.discard();
        for (LogSegment seg : segments.values()) seg.flush();
        flusher.advanceRecoveryPoint(offsets.logEnd());
        ProducerSnapshots.write(dir, offsets.logEnd(), producerState.serialize());
        epochs.flushNow();
        flusher.checkpointNow(checkpointValue());
        for (LogSegment seg : segments.values()) seg.close();
        deleter.deleteAll();
    }

    /** Topic deletion: release every handle and remove the directory. Owner thread. */
    public void closeAndDelete() throws IOException {
        closed = true;
        compaction.discard();
        for (LogSegment seg : segments.values()) seg.closeHandlers();
        deleter.deleteAll();
        segments.clear();
        Utils.delete(dir.toFile());
    }

    void ensureOpen() {
        if (closed) throw new KafkaStorageException("Log for " + tp + " is closed");
    }

    void refreshSize() {
        long s = 0;
        for (LogSegment seg : segments.values()) s += seg.sizeInBytes();
        sizeInBytes = s;
    }

    private PartitionCheckpoint checkpointValue() {
        return new PartitionCheckpoint(offsets.logStart(), flusher.recoveryPoint(), offsets.highWatermark());
    }

    /** Producer state for a producer id (tests and the txn layer); owner thread. */
    ProducerStateEntry producerStateEntry(long producerId) { return producerState.entry(producerId); }

    /** Whether the producer has a transaction open here at this epoch (KIP-890 verification is then not needed); owner thread. */
    boolean inTransaction(long producerId, short producerEpoch) {
        ProducerStateEntry e = producerState.entry(producerId);
        return e != null && e.inTransaction() && e.epoch() == producerEpoch;
    }

    /** Open transactions as (producer id, first offset), by first offset (tests, DescribeProducers); owner thread. */
    List<long[]> ongoingTransactions() { return producerState.txns().ongoing(); }

    List<LogSegment> segmentsSnapshot() { return new ArrayList<>(segments.values()); } // current segments, ascending (tests)

    @Override public String toString() {
        return "PartitionLog(" + tp + ", start=" + offsets.logStart() + ", end=" + offsets.logEnd() + ", segments=" + segments.size() + ")";
    }
}
