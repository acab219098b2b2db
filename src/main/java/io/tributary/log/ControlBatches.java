package io.tributary.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.util.Iterator;

/**
 * Control batches as the log uses them: transaction markers (COMMIT/ABORT, one control record each),
 * written by {@link PartitionAppender#appendMarker} for the transaction coordinator, read back by replay,
 * follower appends and the cleaner. Encoding and decoding are kafka-clients' ({@link EndTransactionMarker},
 * {@link MemoryRecords#withEndTransactionMarker}).
 *
 * <p>Stateless; any thread.
 */
final class ControlBatches {
    private ControlBatches() {}

    /**
     * The transaction marker a control batch holds, or null for an empty control batch (the cleaner may leave
     * one) or a control record of another kind (Kafka 4's KRaft records, never in a data partition).
     */
    static EndTransactionMarker marker(RecordBatch batch) {
        if (!batch.isControlBatch()) throw new IllegalArgumentException("not a control batch: " + batch);
        Iterator<Record> it = batch.iterator();
        if (!it.hasNext()) return null;
        Record r = it.next();
        ControlRecordType type = ControlRecordType.parse(r.key());
        if (type != ControlRecordType.COMMIT && type != ControlRecordType.ABORT) return null;
        try {
            return EndTransactionMarker.deserialize(r);
        } catch (RuntimeException e) {
            throw new InvalidRecordException("unreadable transaction marker at offset " + batch.baseOffset() + ": " + e.getMessage());
        }
    }

    /** A marker batch at {@code offset}, stamped with the leader epoch, as Kafka's coordinator path writes it. */
    static MemoryRecords build(long offset, long timestamp, int leaderEpoch, TxnMarker m) {
        EndTransactionMarker marker = new EndTransactionMarker(m.commit() ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
            m.coordinatorEpoch());
        return MemoryRecords.withEndTransactionMarker(offset, timestamp, Math.max(leaderEpoch, RecordBatch.NO_PARTITION_LEADER_EPOCH),
            m.producerId(), m.producerEpoch(), marker);
    }
}
