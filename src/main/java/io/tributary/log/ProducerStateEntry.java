package io.tributary.log;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Idempotence and transaction state of one producer id in one partition: its current epoch, the metadata of
 * its last {@value #NUM_BATCHES_TO_RETAIN} batches, as in Kafka's {@code ProducerStateEntry} (five is the
 * producer's {@code max.in.flight.requests.per.connection} ceiling for idempotence, so any retry the
 * producer can send is among them), the coordinator epoch of its last transaction marker, and the first offset
 * of its ongoing transaction ({@code currentTxnFirstOffset}: set by its first transactional batch, cleared by
 * the COMMIT or ABORT marker that ends it; {@value #NO_TXN} while none is open).
 *
 * <p>Threading: owner thread of the partition only (through {@link ProducerStateManager}).
 */
final class ProducerStateEntry {
    static final int NUM_BATCHES_TO_RETAIN = 5;
    /** {@link #currentTxnFirstOffset()} when no transaction is open. */
    static final long NO_TXN = -1;

    /** Metadata of one appended batch. */
    record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long maxTimestamp) {}

    private final long producerId;
    private short epoch;
    private final Deque<BatchMetadata> batches = new ArrayDeque<>(NUM_BATCHES_TO_RETAIN);
    private long lastAppendMs;
    private int coordinatorEpoch = -1;
    private long currentTxnFirstOffset = NO_TXN;

    ProducerStateEntry(long producerId, short epoch, long lastAppendMs) {
        this.producerId = producerId;
        this.epoch = epoch;
        this.lastAppendMs = lastAppendMs;
    }

    ProducerStateEntry copy() {
        ProducerStateEntry c = new ProducerStateEntry(producerId, epoch, lastAppendMs);
        c.batches.addAll(batches);
        c.coordinatorEpoch = coordinatorEpoch;
        c.currentTxnFirstOffset = currentTxnFirstOffset;
        return c;
    }

    long producerId() { return producerId; }
    short epoch() { return epoch; }
    long lastAppendMs() { return lastAppendMs; }
    Deque<BatchMetadata> batches() { return batches; }
    int coordinatorEpoch() { return coordinatorEpoch; }
    long currentTxnFirstOffset() { return currentTxnFirstOffset; }
    boolean inTransaction() { return currentTxnFirstOffset != NO_TXN; }

    /** A transactional batch opened a transaction at {@code firstOffset}. */
    void beginTransaction(long firstOffset) { currentTxnFirstOffset = firstOffset; }

    /** Snapshot load: the transaction fields as they were written. */
    void restoreTransaction(int coordinatorEpoch, long currentTxnFirstOffset) {
        this.coordinatorEpoch = coordinatorEpoch;
        this.currentTxnFirstOffset = currentTxnFirstOffset;
    }

    /**
     * A COMMIT/ABORT marker: the transaction is over, the coordinator epoch recorded, and a marker with a new
     * producer epoch (KIP-890 part 2 bumps it at every transaction end) forgets the old epoch's batches, as
     * Kafka's {@code ProducerStateEntry.update} does.
     */
    void endTransaction(short markerEpoch, int coordinatorEpoch, long appendMs) {
        if (markerEpoch != epoch) {
            batches.clear();
            epoch = markerEpoch;
        }
        this.coordinatorEpoch = coordinatorEpoch;
        this.currentTxnFirstOffset = NO_TXN;
        this.lastAppendMs = appendMs;
    }

    int lastSeq() { return batches.isEmpty() ? -1 : batches.peekLast().lastSeq(); }

    BatchMetadata findDuplicate(int firstSeq, int lastSeq) {
        for (BatchMetadata b : batches) {
            if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) return b;
        }
        return null;
    }

    /** Records an appended batch; a new epoch forgets the old epoch's batches. */
    void addBatch(short batchEpoch, BatchMetadata b, long appendMs) {
        if (batchEpoch != epoch) {
            batches.clear();
            epoch = batchEpoch;
        }
        if (!batches.isEmpty() && b.firstOffset() <= batches.peekLast().lastOffset()) {
            throw new IllegalStateException("producer " + producerId + " batch offsets not increasing: " + b + " after " + batches.peekLast());
        }
        batches.addLast(b);
        while (batches.size() > NUM_BATCHES_TO_RETAIN) batches.removeFirst();
        lastAppendMs = appendMs;
    }

    @Override public String toString() {
        return "ProducerStateEntry(pid=" + producerId + ", epoch=" + epoch + ", coordinatorEpoch=" + coordinatorEpoch
            + ", currentTxnFirstOffset=" + currentTxnFirstOffset + ", batches=" + batches + ")";
    }
}
