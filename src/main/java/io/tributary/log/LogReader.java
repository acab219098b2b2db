package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * The read paths of {@link PartitionLog} (Fetch and ListOffsets), kept apart from the write path.
 *
 * <p>Reads never return a partial batch: a Kafka client tolerates one, but a follower copying bytes
 * verbatim and our own zero-copy accounting are simpler with whole batches. Only batches entirely
 * below the limit are returned: the high watermark for consumers, as Kafka does, the last stable offset for
 * read_committed ones, the log end offset for replica fetches ({@link FetchIsolation}).
 *
 * <p>Threading: stateless; called on the partition's owner thread with a consistent set of offsets.
 */
final class LogReader {
    private LogReader() {}

    /**
     * {@code limit}: batches must end below it (the high watermark for consumers, the last stable offset for
     * read_committed ones, the log end for replicas). {@code withAborted}: list the aborted transactions
     * overlapping the returned batches (Kafka's {@code addAbortedTransactions}).
     */
    static FetchDataInfo read(TopicPartition tp, NavigableMap<Long, LogSegment> segments, long fetchOffset, int maxBytes,
                              boolean minOneMessage, long start, long end, long hw, long lso, long limit, boolean withAborted) {
        if (fetchOffset < start || fetchOffset > end) {
            throw new OffsetOutOfRangeException("Offset " + fetchOffset + " out of range [" + start + ", " + end + "] for " + tp);
        }
        Map.Entry<Long, LogSegment> e = segments.floorEntry(fetchOffset);
        while (e != null && fetchOffset < limit) {
            LogSegment seg = e.getValue();
            FileRecords.LogOffsetPosition p = seg.translateOffset(fetchOffset);
            if (p != null) {
                int total = 0;
                long next = fetchOffset;
                for (FileChannelRecordBatch b : seg.log().batchesFrom(p.position)) {
                    if (b.lastOffset() >= limit) break;
                    long size = (long) total + b.sizeInBytes();
                    if (size > maxBytes && !(total == 0 && minOneMessage)) break;
                    total = (int) size;
                    next = b.lastOffset() + 1;
                }
                if (total == 0) break;
                List<AbortedTxn> aborted = withAborted ? collectAborted(segments, fetchOffset, next) : null;
                return new FetchDataInfo(fetchOffset, seg.log().slice(p.position, total), seg.log().channel(),
                    p.position, total, hw, start, end, lso, aborted);
            }
            e = segments.higherEntry(e.getKey()); // offset fell in a gap at the segment's end
        }
        return new FetchDataInfo(fetchOffset, MemoryRecords.EMPTY, null, 0, 0, hw, start, end, lso, withAborted ? List.of() : null);
    }

    /**
     * Kafka's {@code collectAbortedTransactions}: the aborted transactions overlapping [{@code from},
     * {@code upperBound}), from the transaction indexes of the segment holding {@code from} onwards (a
     * transaction's entry sits in its marker's segment, never before its data), until an entry shows every
     * transaction started below the bound had ended. Positional reads of small files, on the owner thread.
     */
    static List<AbortedTxn> collectAborted(NavigableMap<Long, LogSegment> segments, long from, long upperBound) {
        Long floor = segments.floorKey(from);
        List<AbortedTxn> out = new ArrayList<>();
        try {
            for (LogSegment seg : segments.tailMap(floor == null ? segments.firstKey() : floor, true).values()) {
                TransactionIndex.SearchResult r = seg.txnIndex().collect(from, upperBound);
                out.addAll(r.aborted());
                if (r.complete()) break;
            }
        } catch (IOException ex) {
            throw new KafkaStorageException("Cannot read the aborted-transaction index: " + ex.getMessage(), ex);
        }
        return out;
    }

    static Optional<FileRecords.TimestampAndOffset> offsetForTimestamp(NavigableMap<Long, LogSegment> segments, long target,
                                                                       long logStartOffset, long hw) {
        if (target == ListOffsetsRequest.EARLIEST_TIMESTAMP || target == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            return Optional.of(new FileRecords.TimestampAndOffset(RecordBatch.NO_TIMESTAMP, logStartOffset, Optional.empty()));
        }
        if (target == ListOffsetsRequest.LATEST_TIMESTAMP) {
            return Optional.of(new FileRecords.TimestampAndOffset(RecordBatch.NO_TIMESTAMP, hw, Optional.empty()));
        }
        if (target == ListOffsetsRequest.MAX_TIMESTAMP) {
            LogSegment best = null;
            for (LogSegment seg : segments.values()) {
                if (seg.sizeInBytes() > 0 && (best == null || seg.maxTimestampSoFar() > best.maxTimestampSoFar())) best = seg;
            }
            if (best == null) return Optional.empty();
            // The first record carrying the segment's largest timestamp (ties resolve to the earliest).
            FileRecords.TimestampAndOffset t = best.log().searchForTimestamp(best.maxTimestampSoFar(), 0, best.baseOffset());
            return t != null && t.offset >= logStartOffset ? Optional.of(t) : Optional.empty();
        }
        for (LogSegment seg : segments.values()) {
            if (seg.sizeInBytes() == 0 || seg.maxTimestampSoFar() < target) continue;
            FileRecords.TimestampAndOffset t = seg.findOffsetByTimestamp(target);
            if (t == null) continue;
            if (t.offset >= hw) return Optional.empty();
            return Optional.of(new FileRecords.TimestampAndOffset(t.timestamp, Math.max(t.offset, logStartOffset), t.leaderEpoch));
        }
        return Optional.empty();
    }
}
