package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;
import org.apache.kafka.common.utils.Time;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One round of log compaction for one partition, after Kafka's {@code Cleaner}: build a key → latest
 * offset map over the dirty section, then rewrite every closed segment up to where the map reaches,
 * in groups that fit in one segment, keeping a record only if no later record has its key (and, for a
 * tombstone, only until its batch's delete horizon). Batches are rebuilt with kafka-clients'
 * {@link MemoryRecords#filterTo}, which keeps producer id/epoch/base sequence, original offsets (gaps
 * are normal), compression, and stamps {@code deleteHorizonMs} on batches that keep a tombstone.
 *
 * <p>Input is a {@link Request}: an immutable snapshot the owner thread took of closed segments, whose
 * files are never written again (retention may delete them meanwhile: the read then fails or the
 * owner notices at swap time and discards the result). Output is a {@link Result}: cleaned segments
 * written to {@code B.log.cleaned}/{@code .index.cleaned}/{@code .timeindex.cleaned}, fsynced, not yet
 * visible to readers; {@link PartitionLog} swaps them in on its owner thread.
 *
 * <p>Transactions, as Kafka's cleaner ({@link CleanedTxns}): the round never reaches past the last stable
 * offset (the owner's range stops there); data of aborted transactions is removed whatever its keys and never
 * enters the offset map; a marker stays while batches of its transaction remain, then until its delete horizon
 * ({@code delete.retention.ms} after the round that found it alone); control batches are never keys; the marker
 * carrying an active producer's latest epoch stays (emptied) as its last sequence batch does; the cleaned
 * segment's {@code .txnindex} holds the aborted transactions whose marker it keeps.
 *
 * <p>Threading: one instance per cleaner thread (it owns the offset map and the I/O buffers); never
 * touches the owner's maps, indexes or offsets, only the source segments' file channels (positional reads).
 */
final class Cleaner {
    /** What the owner thread hands over. {@code segments}: closed segments from the log start, ascending, all below {@code firstUncleanableOffset}. */
    record Request(TopicPartition tp, Path dir, LogConfig config, List<LogSegment> segments, long firstDirtyOffset,
                   long firstUncleanableOffset, Map<Long, ProducerStateManager.LastRecord> activeProducers,
                   List<AbortedTxn> abortedTxns, long nowMs, BooleanSupplier aborted) {}

    /** Source segments and the one cleaned segment replacing them. */
    record Group(List<LogSegment> sources, LogSegment cleaned) {
        long bytesBefore() { return sources.stream().mapToLong(LogSegment::sizeInBytes).sum(); }
    }

    /** The cleaned groups and the new first dirty offset (the cleaner checkpoint). */
    record Result(Request request, List<Group> groups, long endOffset, long recordsRead, long recordsRetained, long durationMs) {
        long bytesBefore() { return groups.stream().mapToLong(Group::bytesBefore).sum(); }
        long bytesAfter() { return groups.stream().mapToLong(g -> g.cleaned().sizeInBytes()).sum(); }
        int segmentsBefore() { return groups.stream().mapToInt(g -> g.sources().size()).sum(); }
        /** Removes the cleaned files (round discarded). */
        void discard() {
            for (Group g : groups) deleteQuietly(g.cleaned());
        }
    }

    /** Thrown when the owner closed the log or the cleaner is shutting down. */
    static final class AbortedException extends RuntimeException {
        AbortedException(String m) { super(m); }
    }

    private final int dedupeBufferBytes;
    private final int ioBufferSize;
    private final Time time;
    private final BooleanSupplier shuttingDown;
    private final BufferSupplier decompression = BufferSupplier.create();
    private OffsetMap map;
    private ByteBuffer readBuffer;
    private ByteBuffer writeBuffer;
    private long recordsRead;
    private long recordsRetained;

    Cleaner(int dedupeBufferBytes, int ioBufferSize, Time time, BooleanSupplier shuttingDown) {
        this.dedupeBufferBytes = dedupeBufferBytes;
        this.ioBufferSize = ioBufferSize;
        this.time = time;
        this.shuttingDown = shuttingDown;
    }

    /** Cleans one partition. On failure every cleaned file written so far is removed. */
    Result clean(Request req) throws IOException {
        long startNanos = System.nanoTime(); // wall time for the log line; the injected clock drives semantics only
        if (map == null) map = new OffsetMap(dedupeBufferBytes); // allocated on first use: idle nodes pay nothing
        readBuffer = ByteBuffer.allocate(ioBufferSize);
        writeBuffer = ByteBuffer.allocate(ioBufferSize);
        recordsRead = 0;
        recordsRetained = 0;
        buildOffsetMap(req);
        long endOffset = map.latestOffset() + 1;
        if (endOffset <= req.firstDirtyOffset()) {
            throw new IllegalStateException(req.tp() + ": offset map covered nothing from " + req.firstDirtyOffset());
        }
        List<LogSegment> toClean = new ArrayList<>();
        for (LogSegment s : req.segments()) if (s.baseOffset() < endOffset) toClean.add(s);
        List<Group> done = new ArrayList<>();
        CleanedTxns txns = new CleanedTxns(req.abortedTxns()); // carried from group to group, as in Kafka
        try {
            for (List<LogSegment> group : groupBySize(toClean, req.config(), req.firstUncleanableOffset())) {
                done.add(new Group(group, cleanGroup(req, group, txns)));
            }
        } catch (IOException | RuntimeException e) {
            for (Group g : done) deleteQuietly(g.cleaned());
            throw e;
        } finally {
            readBuffer = null;
            writeBuffer = null;
        }
        return new Result(req, done, endOffset, recordsRead, recordsRetained, (System.nanoTime() - startNanos) / 1_000_000);
    }

    private void checkDone(Request req) {
        if (req.aborted().getAsBoolean()) throw new AbortedException(req.tp() + ": log closed during cleaning");
        if (shuttingDown.getAsBoolean()) throw new AbortedException(req.tp() + ": cleaner shutting down");
    }

    /**
     * Kafka's {@code buildOffsetMap}: every keyed record at or after the first dirty offset, segment by
     * segment, until the map holds {@link OffsetMap#maxDesiredSize()} keys. The map's latest offset is
     * then the last offset it fully covers.
     */
    private void buildOffsetMap(Request req) throws IOException {
        map.clear();
        List<LogSegment> segs = req.segments();
        // only transactions whose marker this pass walks: an earlier one must not mark its producer's later batches aborted
        CleanedTxns txns = new CleanedTxns(req.abortedTxns().stream().filter(t -> t.lastOffset() >= req.firstDirtyOffset()).toList());
        int max = map.maxDesiredSize();
        for (int i = 0; i < segs.size(); i++) {
            LogSegment seg = segs.get(i);
            long nextBase = i + 1 < segs.size() ? segs.get(i + 1).baseOffset() : req.firstUncleanableOffset();
            if (nextBase <= req.firstDirtyOffset()) continue; // wholly in the clean section
            FileRecords src = seg.log();
            int size = src.sizeInBytes();
            int position = 0;
            while (position < size) {
                checkDone(req);
                MemoryRecords records = readChunk(src, position, size);
                for (MutableRecordBatch batch : records.batches()) {
                    if (batch.lastOffset() < req.firstDirtyOffset()) continue;
                    if (batch.isControlBatch()) {
                        txns.onControlBatch(batch);
                    } else if (!txns.onBatch(batch)) { // an aborted batch's keys are not the latest of anything
                        try (CloseableIterator<Record> it = batch.streamingIterator(decompression)) {
                            while (it.hasNext()) {
                                Record r = it.next();
                                if (!r.hasKey() || r.offset() < req.firstDirtyOffset()) continue;
                                if (map.size() >= max) return; // full: clean up to the last key that fit
                                map.put(r.key(), r.offset());
                            }
                        }
                    }
                    map.updateLatestOffset(batch.lastOffset());
                }
                position += records.validBytes();
            }
            // Offsets in a gap at the segment's end belong to nobody: the map covers them too.
            map.updateLatestOffset(nextBase - 1);
        }
    }

    /**
     * Kafka's {@code groupSegmentsBySize}: consecutive segments whose data (and index) sizes together fit
     * one segment, and whose offsets fit relative 32-bit offsets from the group's base.
     */
    static List<List<LogSegment>> groupBySize(List<LogSegment> segs, LogConfig cfg, long firstUncleanableOffset) {
        List<List<LogSegment>> groups = new ArrayList<>();
        int i = 0;
        while (i < segs.size()) {
            List<LogSegment> group = new ArrayList<>();
            LogSegment first = segs.get(i++);
            group.add(first);
            long logSize = first.sizeInBytes();
            long indexSize = first.offsetIndex().sizeInBytes();
            long timeIndexSize = first.timeIndex().sizeInBytes();
            while (i < segs.size()) {
                LogSegment next = segs.get(i);
                long lastOffset = i + 1 < segs.size() ? segs.get(i + 1).baseOffset() - 1 : firstUncleanableOffset - 1;
                if (logSize + next.sizeInBytes() > cfg.segmentBytes()
                        || indexSize + next.offsetIndex().sizeInBytes() > cfg.segmentIndexBytes()
                        || timeIndexSize + next.timeIndex().sizeInBytes() > cfg.segmentIndexBytes()
                        || (next.sizeInBytes() > 0 && lastOffset - first.baseOffset() > Integer.MAX_VALUE)) {
                    break;
                }
                group.add(next);
                logSize += next.sizeInBytes();
                indexSize += next.offsetIndex().sizeInBytes();
                timeIndexSize += next.timeIndex().sizeInBytes();
                i++;
            }
            groups.add(group);
        }
        return groups;
    }

    private LogSegment cleanGroup(Request req, List<LogSegment> group, CleanedTxns txns) throws IOException {
        long base = group.get(0).baseOffset();
        for (String suffix : new String[] {LogSegment.LOG_SUFFIX, LogSegment.INDEX_SUFFIX, LogSegment.TIME_INDEX_SUFFIX,
                LogSegment.TXN_INDEX_SUFFIX}) {
            Files.deleteIfExists(req.dir().resolve(LogSegment.filenamePrefix(base) + suffix + LogSegment.CLEANED_SUFFIX));
        }
        LogSegment dest = LogSegment.open(req.dir(), base, req.config(), time, LogSegment.CLEANED_SUFFIX);
        try {
            txns.into(dest);
            MemoryRecords.RecordFilter filter = filter(req, txns);
            for (LogSegment src : group) cleanInto(req, src, dest, filter);
            dest.onBecomeInactive();
            dest.flush();
            dest.setLastModified(group.get(group.size() - 1).lastModified());
            return dest;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(dest);
            throw e;
        }
    }

    /** Kafka's cleaner filter ({@code Cleaner.cleanInto}'s), transactions included. */
    private MemoryRecords.RecordFilter filter(Request req, CleanedTxns txns) {
        long upperBound = req.firstUncleanableOffset();
        Map<Long, ProducerStateManager.LastRecord> producers = req.activeProducers();
        return new MemoryRecords.RecordFilter(req.nowMs(), req.config().deleteRetentionMs()) {
            private boolean discardRecords;

            @Override
            protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
                boolean canDiscard;
                try {
                    canDiscard = batch.isControlBatch() ? txns.onControlBatch(batch) : txns.onBatch(batch);
                } catch (IOException e) {
                    throw new org.apache.kafka.common.KafkaException("cannot write the cleaned transaction index", e);
                }
                // a marker goes like a tombstone: first stamped with a delete horizon, removed in a round after it
                discardRecords = batch.isControlBatch()
                    ? canDiscard && batch.deleteHorizonMs().isPresent() && batch.deleteHorizonMs().getAsLong() <= currentTime
                    : canDiscard;
                BatchRetention retention;
                if (batch.hasProducerId() && isLastOfActiveProducer(batch, producers.get(batch.producerId()))) {
                    // an active producer's last sequence (or its epoch-carrying marker): idempotence and fencing need it, even empty
                    retention = BatchRetention.RETAIN_EMPTY;
                } else if (batch.nextOffset() == upperBound) {
                    // the last batch of the round stays, even empty, so the last offset is not lost
                    retention = BatchRetention.RETAIN_EMPTY;
                } else if (discardRecords) {
                    retention = BatchRetention.DELETE;
                } else {
                    retention = BatchRetention.DELETE_EMPTY;
                }
                return new BatchRetentionResult(retention, canDiscard && batch.isControlBatch());
            }

            @Override
            protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
                if (discardRecords) return false; // kept only for its producer's sake, or discarded whole
                if (batch.isControlBatch()) return true;
                if (record.offset() > map.latestOffset()) return true; // beyond what this round mapped
                if (!record.hasKey()) return false; // a compacted log cannot hold keyless records (Kafka drops them)
                boolean latestForKey = record.offset() >= map.get(record.key());
                boolean retainTombstone = batch.deleteHorizonMs().isEmpty() || currentTime < batch.deleteHorizonMs().getAsLong();
                return latestForKey && (record.hasValue() || retainTombstone);
            }
        };
    }

    /** Kafka's {@code isBatchLastRecordOfProducer}. */
    private static boolean isLastOfActiveProducer(RecordBatch batch, ProducerStateManager.LastRecord last) {
        if (last == null) return false;
        return last.lastDataOffset() >= 0 ? batch.lastOffset() == last.lastDataOffset()
            : batch.isControlBatch() && batch.producerEpoch() == last.producerEpoch();
    }

    private void cleanInto(Request req, LogSegment src, LogSegment dest, MemoryRecords.RecordFilter filter) throws IOException {
        FileRecords records = src.log();
        int size = records.sizeInBytes();
        int position = 0;
        while (position < size) {
            checkDone(req);
            MemoryRecords chunk = readChunk(records, position, size);
            writeBuffer.clear();
            MemoryRecords.FilterResult r = chunk.filterTo(filter, writeBuffer, decompression);
            recordsRead += r.messagesRead();
            recordsRetained += r.messagesRetained();
            position += r.bytesRead();
            ByteBuffer out = r.outputBuffer();
            if (out.position() > 0) {
                out.flip();
                dest.append(MemoryRecords.readableRecords(out));
            }
            if (out != writeBuffer && out.capacity() <= 16 * ioBufferSize) writeBuffer = out; // filterTo grew it
        }
    }

    /**
     * Reads whole batches from {@code position}: at least one, growing the read buffer when the next batch
     * is larger than it (a batch may exceed a later-lowered max.message.bytes).
     */
    private MemoryRecords readChunk(FileRecords src, int position, int size) throws IOException {
        while (true) {
            readBuffer.clear();
            if (readBuffer.capacity() > size - position) readBuffer.limit(size - position);
            src.readInto(readBuffer, position);
            MemoryRecords records = MemoryRecords.readableRecords(readBuffer);
            if (records.validBytes() > 0) return records;
            if (readBuffer.limit() < Records.LOG_OVERHEAD) {
                throw new IOException("truncated batch header at position " + position + " of " + src.file());
            }
            int batchSize = Records.LOG_OVERHEAD + readBuffer.getInt(Records.SIZE_OFFSET);
            if (batchSize <= readBuffer.capacity() || batchSize > size - position) {
                throw new IOException("invalid batch size " + batchSize + " at position " + position + " of " + src.file());
            }
            readBuffer = ByteBuffer.allocate(batchSize);
        }
    }

    static void deleteQuietly(LogSegment seg) {
        try {
            seg.deleteFiles();
        } catch (IOException ignored) {
            // a leftover *.cleaned file is removed at the next load
        }
    }
}
