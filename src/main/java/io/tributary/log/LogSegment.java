package io.tributary.log;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * One segment of a partition: the {@code .log} data file plus its {@code .index}, {@code .timeindex} and
 * {@code .txnindex}.
 *
 * <p>On disk, for base offset B (20 digits, zero padded):
 * <ul>
 *   <li>{@code B.log} — record batches (v2, magic 2) back to back, exactly as on the wire, with
 *       absolute base offsets already assigned; offsets strictly increasing;</li>
 *   <li>{@code B.index} — see {@link OffsetIndex}; {@code B.timeindex} — see {@link TimeIndex};</li>
 *   <li>{@code B.txnindex} — the aborted transactions whose markers are in this segment, see
 *       {@link TransactionIndex}; only once there is one;</li>
 *   <li>after deletion, the same names with the suffix {@code .deleted} until the delayed
 *       physical delete.</li>
 * </ul>
 *
 * <p>Threading: mutated by the partition's owner thread only. The {@link FileRecords} channel may be
 * read concurrently by a network thread (positional reads of immutable, already-written bytes).
 */
final class LogSegment implements Closeable {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String TXN_INDEX_SUFFIX = ".txnindex";
    static final String DELETED_SUFFIX = ".deleted";
    /** A segment being written by the cleaner; deleted at load (see {@link LogLoader}). */
    static final String CLEANED_SUFFIX = ".cleaned";
    /** A cleaned segment committed to replace its sources; the swap is completed at load. */
    static final String SWAP_SUFFIX = ".swap";

    private final long baseOffset;
    private final FileRecords log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final TransactionIndex txnIndex;
    private final int indexIntervalBytes;
    private final long createdMs;
    private int bytesSinceLastIndexEntry;
    private long nextOffset;
    private long maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
    private long offsetOfMaxTimestampSoFar;
    private long firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
    private boolean indexesMissing;

    private LogSegment(long baseOffset, FileRecords log, OffsetIndex offsetIndex, TimeIndex timeIndex, TransactionIndex txnIndex,
                       int indexIntervalBytes, long createdMs) {
        this.baseOffset = baseOffset;
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.txnIndex = txnIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.createdMs = createdMs;
        this.nextOffset = baseOffset;
        this.offsetOfMaxTimestampSoFar = baseOffset;
    }

    static String filenamePrefix(long offset) { return String.format("%020d", offset); }
    static File logFile(Path dir, long base) { return dir.resolve(filenamePrefix(base) + LOG_SUFFIX).toFile(); }
    static File indexFile(Path dir, long base) { return dir.resolve(filenamePrefix(base) + INDEX_SUFFIX).toFile(); }
    static File timeIndexFile(Path dir, long base) { return dir.resolve(filenamePrefix(base) + TIME_INDEX_SUFFIX).toFile(); }
    static File txnIndexFile(Path dir, long base) { return dir.resolve(filenamePrefix(base) + TXN_INDEX_SUFFIX).toFile(); }

    /** Opens (or creates) the segment's files. Index content is not trusted until {@link #loadIndexes} or {@link #recover}. */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, Time time) throws IOException {
        return open(dir, baseOffset, config, time, "");
    }

    /**
     * Opens (or creates) the segment's files with {@code suffix} appended to every name (the cleaner
     * writes {@code B.log.cleaned} etc.; {@link #changeFileSuffixes} renames them later).
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, Time time, String suffix) throws IOException {
        File logFile = withSuffix(logFile(dir, baseOffset), suffix);
        File indexFile = withSuffix(indexFile(dir, baseOffset), suffix);
        File timeIndexFile = withSuffix(timeIndexFile(dir, baseOffset), suffix);
        boolean missing = logFile.exists() && logFile.length() > 0 && (!indexFile.exists() || !timeIndexFile.exists());
        FileRecords records = FileRecords.open(logFile, logFile.exists(), 0, false);
        OffsetIndex idx = new OffsetIndex(indexFile, baseOffset, config.segmentIndexBytes());
        TimeIndex tidx = new TimeIndex(timeIndexFile, baseOffset, config.segmentIndexBytes());
        TransactionIndex txn = new TransactionIndex(baseOffset, withSuffix(txnIndexFile(dir, baseOffset), suffix));
        LogSegment seg = new LogSegment(baseOffset, records, idx, tidx, txn, config.indexIntervalBytes(), time.milliseconds());
        seg.indexesMissing = missing;
        return seg;
    }

    private static File withSuffix(File f, String suffix) {
        return suffix.isEmpty() ? f : new File(f.getPath() + suffix);
    }

    /**
     * Renames the three files from names ending in {@code oldSuffix} to names ending in {@code newSuffix}
     * (either may be empty). Open channels and mappings stay valid across the rename.
     */
    void changeFileSuffixes(String oldSuffix, String newSuffix) throws IOException {
        log.renameTo(replaceSuffix(log.file(), oldSuffix, newSuffix));
        // before the offset index: a crash in between leaves that index missing, so recovery rebuilds the
        // aborted-transaction index too (its loss alone would go unnoticed)
        txnIndex.renameTo(replaceSuffix(txnIndex.file(), oldSuffix, newSuffix));
        offsetIndex.renameTo(replaceSuffix(offsetIndex.file(), oldSuffix, newSuffix));
        timeIndex.renameTo(replaceSuffix(timeIndex.file(), oldSuffix, newSuffix));
    }

    private static File replaceSuffix(File f, String oldSuffix, String newSuffix) {
        String p = f.getPath();
        if (!p.endsWith(oldSuffix)) throw new IllegalStateException(f + " does not end with '" + oldSuffix + "'");
        return new File(p.substring(0, p.length() - oldSuffix.length()) + newSuffix);
    }

    /** Last modification time of the data file (the cleaner carries it over to the cleaned segment). */
    long lastModified() { return log.file().lastModified(); }

    /** Best effort, as in Kafka: only the mtime fallback of time retention reads it. */
    void setLastModified(long ms) {
        boolean ignored = log.file().setLastModified(ms);
    }

    /** True when the data file existed with content but an index file did not (it must be rebuilt). */
    boolean indexesMissing() { return indexesMissing; }

    long baseOffset() { return baseOffset; }
    long nextOffset() { return nextOffset; }
    int sizeInBytes() { return log.sizeInBytes(); }
    FileRecords log() { return log; }
    OffsetIndex offsetIndex() { return offsetIndex; }
    TimeIndex timeIndex() { return timeIndex; }
    TransactionIndex txnIndex() { return txnIndex; }
    long maxTimestampSoFar() { return maxTimestampSoFar; }
    long offsetOfMaxTimestampSoFar() { return offsetOfMaxTimestampSoFar; }

    /**
     * Kafka's {@code LogSegment.timeWaitedForRoll}: from the first batch's timestamp to the timestamp of the
     * records being appended when the segment has one, else from the segment's creation to now. So records
     * that all carry an old timestamp (1970, say) do not roll a segment on every append, and an idle
     * partition is never rolled by time: only an append rolls.
     */
    long timeWaitedForRoll(long now, long messageTimestamp) {
        long first = firstBatchTimestamp();
        return first != RecordBatch.NO_TIMESTAMP && first >= 0 ? messageTimestamp - first : now - createdMs;
    }

    /**
     * Max timestamp of the first batch (max.compaction.lag.ms counts from it, as in Kafka), read from the
     * file once when the segment was loaded rather than appended; NO_TIMESTAMP when empty.
     */
    long firstBatchTimestamp() {
        if (firstBatchTimestamp == RecordBatch.NO_TIMESTAMP && sizeInBytes() > 0) {
            java.util.Iterator<FileChannelRecordBatch> it = log.batches().iterator();
            if (it.hasNext()) firstBatchTimestamp = it.next().maxTimestamp();
        }
        return firstBatchTimestamp;
    }

    /** Retention by time looks at the largest record timestamp (Kafka's rule), else the file's mtime. */
    long largestTimestamp() {
        return maxTimestampSoFar != RecordBatch.NO_TIMESTAMP ? maxTimestampSoFar : log.file().lastModified();
    }

    /** True when the relative offsets of {@code records} fit and the indexes have room. */
    boolean canAppend(long lastOffset, int bytes, long segmentBytes) {
        if (sizeInBytes() == 0) return lastOffset - baseOffset <= Integer.MAX_VALUE;
        return (long) sizeInBytes() + bytes <= segmentBytes
            && lastOffset - baseOffset <= Integer.MAX_VALUE
            && offsetIndex.entries() < offsetIndex.maxEntries() - 1
            && timeIndex.entries() < timeIndex.maxEntries() - 1;
    }

    /**
     * Appends already validated batches with offsets assigned. Adds one index entry per
     * {@code index.interval.bytes}, pointing at a batch start.
     */
    void append(MemoryRecords records) throws IOException {
        int position = log.sizeInBytes();
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.baseOffset() < nextOffset) {
                throw new IllegalStateException("offset " + batch.baseOffset() + " not after segment next offset " + nextOffset);
            }
            onBatch(batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(), batch.sizeInBytes(), position);
            position += batch.sizeInBytes();
        }
        log.append(records);
    }

    private void onBatch(long base, long last, long maxTimestamp, int size, int position) {
        if (firstBatchTimestamp == RecordBatch.NO_TIMESTAMP && nextOffset == baseOffset) firstBatchTimestamp = maxTimestamp;
        if (maxTimestamp > maxTimestampSoFar) {
            maxTimestampSoFar = maxTimestamp;
            offsetOfMaxTimestampSoFar = last;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex.append(base, position);
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += size;
        nextOffset = last + 1;
    }

    /** Position of the first batch whose last offset is &gt;= offset, or null if beyond the segment. */
    FileRecords.LogOffsetPosition translateOffset(long offset) {
        OffsetIndex.Entry e = offsetIndex.lookup(offset);
        return log.searchForOffsetFromPosition(offset, e.position());
    }

    /**
     * Re-validates batches from {@code startPosition} to the end and rebuilds index entries for them;
     * truncates the file at the first invalid batch (bad magic, CRC, size, or non-increasing offsets).
     * {@code onValid} sees each valid batch (producer-state replay).
     * @return number of bytes truncated
     */
    int recover(int startPosition, Consumer<RecordBatch> onValid) throws IOException {
        // The aborted-transaction index is left alone (cut only with a truncated tail): rebuilding it needs the
        // producer state at the segment's start, so LogLoader resets it and has the replay refill it.
        if (startPosition == 0) {
            offsetIndex.reset();
            timeIndex.reset();
            nextOffset = baseOffset;
            maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
            offsetOfMaxTimestampSoFar = baseOffset;
            firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
        } else {
            offsetIndex.resizeToMax();
            timeIndex.resizeToMax();
        }
        bytesSinceLastIndexEntry = 0;
        int validBytes = startPosition;
        try {
            for (FileChannelRecordBatch batch : log.batchesFrom(startPosition)) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) throw new CorruptRecordException("magic " + batch.magic());
                batch.ensureValid();
                if (batch.baseOffset() < nextOffset || batch.lastOffset() < batch.baseOffset()
                        || batch.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                    throw new CorruptRecordException("offsets " + batch.baseOffset() + ".." + batch.lastOffset()
                        + " not after " + nextOffset);
                }
                onBatch(batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(), batch.sizeInBytes(), batch.position());
                onValid.accept(batch);
                validBytes = batch.position() + batch.sizeInBytes();
            }
        } catch (CorruptRecordException | IllegalStateException e) {
            // fall through: everything from validBytes on is discarded
        }
        int truncated = log.sizeInBytes() - validBytes;
        if (truncated > 0) {
            log.truncateTo(validBytes);
            txnIndex.truncateTo(nextOffset);
        }
        return truncated;
    }

    /**
     * Loads a segment from a clean shutdown: checks index sanity and scans only the tail after the last
     * index entry. Returns null when the indexes are sane, else the reason (caller then rebuilds with
     * {@link #recover}).
     */
    String loadIndexes() {
        String bad = offsetIndex.sanityCheck(Long.MAX_VALUE, sizeInBytes());
        if (bad == null) bad = timeIndex.sanityCheck(Long.MAX_VALUE, 0);
        if (bad == null) bad = txnIndex.sanityCheck();
        if (bad != null) return bad;
        OffsetIndex.Entry last = offsetIndex.lastEntry();
        if (offsetIndex.entries() > 0) {
            FileRecords.LogOffsetPosition p = log.searchForOffsetFromPosition(last.offset(), last.position());
            if (p == null || p.position != last.position() || p.offset < last.offset()) {
                return "last index entry " + last + " does not point at a batch";
            }
        }
        TimeIndex.Entry lastTime = timeIndex.lastEntry();
        maxTimestampSoFar = lastTime.timestamp();
        offsetOfMaxTimestampSoFar = lastTime.offset();
        nextOffset = last.offset();
        return null;
    }

    /**
     * Replication truncation: removes the batch holding {@code offset} (the first whose last offset is &gt;= it)
     * and every batch after it, so the cut is always at a batch boundary; index entries at or after the cut go
     * too, and the segment is made ready to be the active one again (indexes grown to {@code segment.index.bytes}).
     * The timestamps are recomputed from the last remaining index entries plus a scan of the batches after
     * them. Owner thread; the bytes of an in-flight fetch of the removed tail are gone, as in Kafka.
     * @return the number of bytes removed
     */
    int truncateTo(long offset) throws IOException {
        resizeIndexesToMax();
        FileRecords.LogOffsetPosition p = translateOffset(offset);
        if (p == null) return 0;
        long cutBase = log.batchesFrom(p.position).iterator().next().baseOffset();
        int removed = log.sizeInBytes() - p.position;
        log.truncateTo(p.position);
        offsetIndex.truncateTo(cutBase);
        timeIndex.truncateTo(cutBase);
        txnIndex.truncateTo(cutBase);
        OffsetIndex.Entry lastOffsetEntry = offsetIndex.lastEntry();
        TimeIndex.Entry lastTimeEntry = timeIndex.lastEntry();
        maxTimestampSoFar = lastTimeEntry.timestamp();
        offsetOfMaxTimestampSoFar = lastTimeEntry.offset();
        nextOffset = baseOffset;
        bytesSinceLastIndexEntry = 0;
        for (FileChannelRecordBatch b : log.batchesFrom(lastOffsetEntry.position())) {
            if (b.maxTimestamp() > maxTimestampSoFar) {
                maxTimestampSoFar = b.maxTimestamp();
                offsetOfMaxTimestampSoFar = b.lastOffset();
            }
            bytesSinceLastIndexEntry += b.sizeInBytes();
            nextOffset = b.lastOffset() + 1;
        }
        if (log.sizeInBytes() == 0) {
            firstBatchTimestamp = RecordBatch.NO_TIMESTAMP;
            offsetOfMaxTimestampSoFar = baseOffset;
        }
        return removed;
    }

    /** Position of the last offset-index entry (where a tail scan starts). */
    int lastIndexedPosition() { return offsetIndex.lastEntry().position(); }

    /** Smallest offset &gt;= the first record with timestamp &gt;= target, searching this segment. */
    FileRecords.TimestampAndOffset findOffsetByTimestamp(long target) {
        TimeIndex.Entry t = timeIndex.lookup(target);
        OffsetIndex.Entry o = offsetIndex.lookup(t.offset());
        return log.searchForTimestamp(target, o.position(), o.offset());
    }

    /** The segment stops being active: record the final max timestamp and trim the indexes. */
    void onBecomeInactive() throws IOException {
        timeIndex.resizeToMax();
        timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
    }

    void resizeIndexesToMax() throws IOException {
        offsetIndex.resizeToMax();
        timeIndex.resizeToMax();
    }

    /** Forces data and indexes to disk. Called on the I/O executor (or at close). */
    void flush() throws IOException {
        log.flush();
        offsetIndex.flush();
        timeIndex.flush();
        txnIndex.flush();
    }

    /** Renames the files to {@code *.deleted}; the channel stays open for in-flight fetches. */
    void markDeleted() throws IOException {
        log.renameTo(new File(log.file().getPath() + DELETED_SUFFIX));
        offsetIndex.renameTo(new File(offsetIndex.file().getPath() + DELETED_SUFFIX));
        timeIndex.renameTo(new File(timeIndex.file().getPath() + DELETED_SUFFIX));
        txnIndex.renameTo(new File(txnIndex.file().getPath() + DELETED_SUFFIX));
    }

    /** Closes handles and removes the files (whatever their current suffix). */
    void deleteFiles() throws IOException {
        log.closeHandlers();
        log.deleteIfExists();
        offsetIndex.deleteIfExists();
        timeIndex.deleteIfExists();
        txnIndex.deleteIfExists();
    }

    @Override public void close() throws IOException {
        timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
        log.close();
    }

    /** Closes without trimming (damaged or discarded segments). */
    void closeHandlers() throws IOException {
        offsetIndex.closeHandler();
        timeIndex.closeHandler();
        txnIndex.close();
        log.closeHandlers();
    }

    @Override public String toString() {
        return "LogSegment(base=" + baseOffset + ", size=" + sizeInBytes() + ", next=" + nextOffset + ")";
    }
}
