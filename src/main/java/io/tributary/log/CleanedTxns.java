package io.tributary.log;

import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.io.IOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The transactions a cleaning round walks through, after Kafka's {@code CleanedTransactionMetadata}: fed the
 * aborted transactions of the cleaned range (from the transaction indexes) and every batch in log order, it
 * says which batches may go — data of an aborted transaction always; a marker once no batch of its
 * transaction is left (then, like a tombstone, only after {@code delete.retention.ms}: the cleaner stamps its
 * delete horizon) — and writes the aborted transactions whose marker stays and whose data this round saw into
 * the cleaned segment's transaction index.
 *
 * <p>Threading: one per round, on the cleaner thread.
 */
final class CleanedTxns {
    /** Aborted transactions not yet reached, by first offset. */
    private final PriorityQueue<AbortedTxn> pending = new PriorityQueue<>(Comparator.comparingLong(AbortedTxn::firstOffset));
    /** Producer id to its aborted transaction being walked, and whether a batch of it was seen. */
    private final Map<Long, AbortedTxn> ongoingAborted = new HashMap<>();
    private final Set<Long> abortedWithData = new HashSet<>();
    /** Producers in a committed (not aborted) transaction being walked whose batches were seen. */
    private final Set<Long> ongoingCommitted = new HashSet<>();
    /** The cleaned segment being written, whose index receives retained aborted transactions; null: none (offset map pass). */
    private LogSegment cleaned;

    CleanedTxns(List<AbortedTxn> aborted) {
        pending.addAll(aborted);
    }

    void into(LogSegment cleanedSegment) { this.cleaned = cleanedSegment; }

    private void reach(long offset) {
        while (!pending.isEmpty() && pending.peek().firstOffset() <= offset) {
            AbortedTxn t = pending.poll();
            ongoingAborted.putIfAbsent(t.producerId(), t);
        }
    }

    /** A data batch: true when it belongs to an aborted transaction, so it may be discarded. */
    boolean onBatch(RecordBatch batch) {
        reach(batch.lastOffset());
        if (!batch.isTransactional()) return false;
        if (ongoingAborted.containsKey(batch.producerId())) {
            abortedWithData.add(batch.producerId());
            return true;
        }
        ongoingCommitted.add(batch.producerId());
        return false;
    }

    /**
     * A control batch: true when it may be discarded (its transaction has no batch left in the log, or it is an
     * empty control batch the cleaner left before). An ABORT marker kept because its data was seen here keeps its
     * index entry in the cleaned segment.
     */
    boolean onControlBatch(RecordBatch batch) throws IOException {
        reach(batch.lastOffset());
        Iterator<Record> it = batch.iterator();
        if (!it.hasNext()) return true;
        ControlRecordType type = ControlRecordType.parse(it.next().key());
        long pid = batch.producerId();
        if (type == ControlRecordType.ABORT) {
            AbortedTxn t = ongoingAborted.remove(pid);
            if (t != null && abortedWithData.remove(pid)) {
                if (cleaned != null) cleaned.txnIndex().append(t);
                return false;
            }
            return true;
        }
        if (type == ControlRecordType.COMMIT) return !ongoingCommitted.remove(pid);
        return false;
    }
}
