package io.tributary.client.kafka.internal.group;

import io.reactivex.rxjava3.core.Completable;
import io.tributary.client.internal.Loop;
import io.tributary.client.internal.Rx;
import io.tributary.client.kafka.ConsumerRecord;
import io.tributary.client.kafka.RevokedPartitionException;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;

import java.util.function.Function;

/**
 * The acknowledgements of one partition during one ownership of it by this member (a partition assigned again later
 * gets a fresh tracker, so nothing of an earlier ownership — gaps, pending acks — carries over: reactor-kafka #259).
 * The records emitted to the subscriber and not yet acked are a window of ascending offsets; the commit point is the
 * first unacked offset of the window, or the offset after the last emitted record when all are acked, so a commit
 * never covers a record that was not processed, whatever order the acks come in.
 *
 * <p>Once revoked (after its drain) or lost, the tracker refuses acks and commits with
 * {@link RevokedPartitionException}. {@code revoked} is volatile so that an ack from another thread can be refused at
 * once; everything else is touched on the client's loop only.
 */
final class AckTracker implements ConsumerRecord.Acker, java.util.function.Consumer<ConsumerRecord> {
    final TopicPartition tp;
    final int generation;
    private final Loop loop;
    private final Function<TopicPartition, Future<Void>> commitPartition;
    private long[] offsets = new long[64];
    private boolean[] acked = new boolean[64];
    private int head;
    private int size;
    private int ackedInWindow;
    private long next = -1;
    /** The offset last committed by this member for this ownership (or the start position). */
    long committed = -1;
    boolean started;
    boolean draining;
    private volatile String revokedBecause;
    private long refusedAcks;
    private Runnable onIdle;

    AckTracker(TopicPartition tp, int generation, Loop loop, Function<TopicPartition, Future<Void>> commitPartition) {
        this.tp = tp;
        this.generation = generation;
        this.loop = loop;
        this.commitPartition = commitPartition;
    }

    /** The partition's records start at {@code position} (its committed offset, or where the group's policy says). */
    void start(long position) {
        next = position;
        committed = position;
        started = true;
    }

    /** A record is about to be handed to the subscriber (on the loop, in offset order). */
    @Override
    public void accept(ConsumerRecord r) {
        if (revokedBecause != null || draining) {
            throw new IllegalStateException(tp + " emitted " + r.offset() + " after its revoke started");
        }
        if (size > 0 && r.offset() <= offsets[(head + size - 1) % offsets.length]) {
            throw new IllegalStateException(tp + " emitted " + r.offset() + " out of order");
        }
        if (size == offsets.length) {
            grow();
        }
        int i = (head + size) % offsets.length;
        offsets[i] = r.offset();
        acked[i] = false;
        size++;
        next = r.offset() + 1;
    }

    private void grow() {
        long[] no = new long[offsets.length * 2];
        boolean[] na = new boolean[offsets.length * 2];
        for (int k = 0; k < size; k++) {
            no[k] = offsets[(head + k) % offsets.length];
            na[k] = acked[(head + k) % offsets.length];
        }
        offsets = no;
        acked = na;
        head = 0;
    }

    @Override
    public void ack(ConsumerRecord r) {
        String why = revokedBecause;
        if (why != null) {
            throw refusal(r, why);
        }
        loop.run(() -> acked(r.offset()));
    }

    @Override
    public Completable commit(ConsumerRecord r) {
        return Rx.completable(() -> loop.call(() -> {
            String why = revokedBecause;
            if (why != null) {
                return Future.failedFuture(refusal(r, why));
            }
            acked(r.offset());
            return commitPartition.apply(tp);
        }));
    }

    private RevokedPartitionException refusal(ConsumerRecord r, String why) {
        return new RevokedPartitionException("record " + r + " cannot be acked or committed: " + tp + " was " + why
                + " (owned since generation " + generation + "); another member may own it now");
    }

    private void acked(long offset) {
        if (revokedBecause != null) {
            refusedAcks++;
            return;
        }
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long o = offsets[(head + mid) % offsets.length];
            if (o < offset) {
                lo = mid + 1;
            } else if (o > offset) {
                hi = mid - 1;
            } else {
                int i = (head + mid) % offsets.length;
                if (!acked[i]) {
                    acked[i] = true;
                    ackedInWindow++;
                }
                break;
            }
        }
        // Offsets below the window were acked already (a second ack changes nothing).
        while (size > 0 && acked[head]) {
            head = (head + 1) % offsets.length;
            size--;
            ackedInWindow--;
        }
        if (size == 0 && onIdle != null) {
            Runnable r = onIdle;
            onIdle = null;
            r.run();
        }
    }

    /** The offset a commit may cover up to (exclusive): the first unacked one, or the next to emit. */
    long commitPoint() {
        return size > 0 ? offsets[head] : next;
    }

    /** True when the tracker has acked progress not committed yet. */
    boolean dirty() {
        return started && revokedBecause == null && commitPoint() > committed;
    }

    /** Records handed out and not acked. */
    int unacked() {
        return size - ackedInWindow;
    }

    /** Runs {@code r} once every emitted record is acked (at once if they are). */
    void whenIdle(Runnable r) {
        if (size == 0) {
            r.run();
        } else {
            onIdle = r;
        }
    }

    /** Ends the ownership: acks and commits are refused from now on. */
    void revoke(String because) {
        revokedBecause = because;
        Runnable waiting = onIdle;
        onIdle = null;
        if (waiting != null) {
            waiting.run(); // a drain waiting for this partition has nothing more to wait for
        }
    }

    boolean isRevoked() {
        return revokedBecause != null;
    }

    long refusedAcks() {
        return refusedAcks;
    }
}
