package io.tributary.log;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;

import java.util.ArrayList;
import java.util.List;

/** Builders for transactional batches and markers, and a reader that applies read_committed the way a client does. */
final class TxnTestSupport {
    private TxnTestSupport() {}

    /** One transactional batch of {@code n} records "k<i>" = "<prefix><i>". */
    static MemoryRecords txn(long pid, short epoch, int seq, long ts, String prefix, int n) {
        SimpleRecord[] r = new SimpleRecord[n];
        for (int i = 0; i < n; i++) r[i] = LogTestSupport.rec(ts, "k" + i, prefix + i);
        return MemoryRecords.withTransactionalRecords(Compression.NONE, pid, epoch, seq, r);
    }

    static TxnMarker commit(long pid, short epoch) { return new TxnMarker(pid, epoch, 0, true, (short) 0); }

    static TxnMarker abort(long pid, short epoch) { return new TxnMarker(pid, epoch, 0, false, (short) 0); }

    /**
     * The values a read_committed consumer delivers: everything below the last stable offset, minus control
     * batches and the records of the aborted transactions the reads list (kafka-clients' own rule: a batch of an
     * aborted producer whose transaction started at or before it is dropped, until that producer's ABORT marker).
     */
    static List<String> readCommitted(PartitionLog log) {
        List<String> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (true) {
            FetchDataInfo info = log.read(offset, 1 << 20, true, FetchIsolation.TXN_COMMITTED);
            if (info.sizeInBytes() == 0) return out;
            List<AbortedTxn> aborted = new ArrayList<>(info.abortedTransactions());
            java.util.Set<Long> abortedNow = new java.util.HashSet<>();
            for (RecordBatch b : info.records().batches()) {
                for (java.util.Iterator<AbortedTxn> it = aborted.iterator(); it.hasNext(); ) {
                    AbortedTxn t = it.next();
                    if (t.firstOffset() <= b.lastOffset()) {
                        abortedNow.add(t.producerId());
                        it.remove();
                    }
                }
                if (b.isControlBatch()) {
                    abortedNow.remove(b.producerId());
                } else if (!(b.isTransactional() && abortedNow.contains(b.producerId()))) {
                    for (Record r : b) out.add(Utils.utf8(r.value()));
                }
                offset = b.nextOffset();
            }
        }
    }

    /** Every value below the high watermark (read_uncommitted), control batches skipped. */
    static List<String> readUncommitted(PartitionLog log) {
        List<String> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (true) {
            FetchDataInfo info = log.read(offset, 1 << 20, true, FetchIsolation.HIGH_WATERMARK);
            if (info.sizeInBytes() == 0) return out;
            for (RecordBatch b : info.records().batches()) {
                if (!b.isControlBatch()) for (Record r : b) out.add(Utils.utf8(r.value()));
                offset = b.nextOffset();
            }
        }
    }
}
