package io.tributary.log;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Idempotence state of one producer id in one partition: its current epoch and the metadata of its
 * last {@value #NUM_BATCHES_TO_RETAIN} batches, as in Kafka's {@code ProducerStateEntry}. Five is the
 * producer's {@code max.in.flight.requests.per.connection} ceiling for idempotence, so any retry the
 * producer can send is among them.
 *
 * <p>Threading: owner thread of the partition only (through {@link ProducerStateManager}).
 */
final class ProducerStateEntry {
    static final int NUM_BATCHES_TO_RETAIN = 5;

    /** Metadata of one appended batch. */
    record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long maxTimestamp) {}

    private final long producerId;
    private short epoch;
    private final Deque<BatchMetadata> batches = new ArrayDeque<>(NUM_BATCHES_TO_RETAIN);
    private long lastAppendMs;

    ProducerStateEntry(long producerId, short epoch, long lastAppendMs) {
        this.producerId = producerId;
        this.epoch = epoch;
        this.lastAppendMs = lastAppendMs;
    }

    ProducerStateEntry copy() {
        ProducerStateEntry c = new ProducerStateEntry(producerId, epoch, lastAppendMs);
        c.batches.addAll(batches);
        return c;
    }

    long producerId() { return producerId; }
    short epoch() { return epoch; }
    long lastAppendMs() { return lastAppendMs; }
    Deque<BatchMetadata> batches() { return batches; }

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
        return "ProducerStateEntry(pid=" + producerId + ", epoch=" + epoch + ", batches=" + batches + ")";
    }
}
