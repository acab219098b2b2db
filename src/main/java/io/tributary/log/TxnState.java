package io.tributary.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The transactions of one partition that hold back its last stable offset, as Kafka's
 * {@code ProducerStateManager} keeps them: ongoing ones (data appended, no marker yet), keyed by their first
 * offset, and completed ones whose marker is not yet below the high watermark ("unreplicated": on a leader
 * whose followers have not fetched the marker, the transaction is not decided for readers yet). The first
 * unstable offset is the smallest first offset of either; {@link PartitionOffsets} publishes the last stable
 * offset, {@code max(log start, min(first unstable offset, high watermark))}.
 *
 * <p>Threading: the partition's owner thread only (through {@link ProducerStateManager}).
 */
final class TxnState {
    /** A transaction its marker just ended: data from {@code firstOffset}, marker at {@code lastOffset}. */
    record Completed(long producerId, long firstOffset, long lastOffset, boolean aborted) {}

    /** Ongoing transactions: first offset to producer id. */
    private final TreeMap<Long, Long> ongoing = new TreeMap<>();
    /** Completed transactions whose marker is at or above the high watermark: first offset to transaction. */
    private final TreeMap<Long, Completed> unreplicated = new TreeMap<>();

    /** A transactional batch opened a transaction. */
    void begin(long producerId, long firstOffset) {
        Long other = ongoing.put(firstOffset, producerId);
        if (other != null && other != producerId) {
            throw new IllegalStateException("two transactions start at offset " + firstOffset + ": producers " + other + " and " + producerId);
        }
    }

    /**
     * Kafka's {@code lastStableOffset(completedTxn)}: once {@code c} ends, the first offset of the earliest
     * transaction of another producer still open, else the offset after the marker. Stored in the aborted
     * index entry, where it bounds searches.
     */
    long lastStableOffsetAfter(Completed c) {
        for (Map.Entry<Long, Long> e : ongoing.entrySet()) {
            if (e.getValue() != c.producerId()) return e.getKey();
        }
        return c.lastOffset() + 1;
    }

    /**
     * Ends {@code c}: an aborted one gets its entry in {@code segment}'s aborted-transaction index (the segment
     * holding the marker; null when the entry is already there, as in a replay of indexed batches), then it moves
     * from ongoing to unreplicated. Returns the index entry, or null.
     */
    AbortedTxn complete(Completed c, LogSegment segment) throws IOException {
        AbortedTxn entry = null;
        if (c.aborted()) {
            entry = new AbortedTxn(c.producerId(), c.firstOffset(), c.lastOffset(), lastStableOffsetAfter(c));
            if (segment != null) segment.txnIndex().append(entry);
        }
        Long pid = ongoing.remove(c.firstOffset());
        if (pid == null || pid != c.producerId()) {
            throw new IllegalStateException("transaction of producer " + c.producerId() + " at " + c.firstOffset() + " is not ongoing: " + ongoing);
        }
        unreplicated.put(c.firstOffset(), c);
        return entry;
    }

    /** The high watermark reached {@code hw}: transactions whose marker is below it are decided for every reader. */
    void onHighWatermark(long hw) {
        while (!unreplicated.isEmpty() && unreplicated.firstEntry().getValue().lastOffset() < hw) unreplicated.pollFirstEntry();
    }

    /** The smallest first offset of an ongoing or unreplicated transaction; {@link Long#MAX_VALUE} when none. */
    long firstUnstableOffset() {
        long a = ongoing.isEmpty() ? Long.MAX_VALUE : ongoing.firstKey();
        long b = unreplicated.isEmpty() ? Long.MAX_VALUE : unreplicated.firstKey();
        return Math.min(a, b);
    }

    /** Ongoing transactions as (producer id, first offset), by first offset (tests, DescribeProducers). */
    List<long[]> ongoing() {
        List<long[]> out = new ArrayList<>();
        ongoing.forEach((first, pid) -> out.add(new long[] {pid, first}));
        return out;
    }

    int ongoingCount() { return ongoing.size(); }

    void clear() {
        ongoing.clear();
        unreplicated.clear();
    }
}
