package io.tributary.client.internal;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * A bounded, demand-honouring emitter for a {@code Flowable} whose source lives on the client's loop. The source
 * {@link #offer}s items on the loop; they reach the subscriber on the loop as its demand allows. When
 * {@code capacity} items wait, the next offer either fails the stream with the supplied error ({@link Overflow#ERROR})
 * or replaces what waits with itself ({@link Overflow#LATEST}: for state, where only the newest matters). Nothing is
 * dropped silently. {@code request} and {@code cancel} may come from any thread; they hop onto the loop.
 */
public final class LoopStream<T> implements Subscription {
    public enum Overflow { ERROR, LATEST }

    private final Loop loop;
    private final Subscriber<? super T> down;
    private final int capacity;
    private final Overflow overflow;
    private final Supplier<? extends Throwable> overflowError;
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private Runnable onCancel = () -> { };
    private Runnable onRequest = () -> { };
    private long demand;
    private boolean done;
    private boolean cancelled;
    private Throwable terminal;
    private boolean terminalPending;
    private boolean emitting;

    public LoopStream(Loop loop, Subscriber<? super T> down, int capacity, Overflow overflow,
                      Supplier<? extends Throwable> overflowError) {
        this.loop = loop;
        this.down = down;
        this.capacity = capacity;
        this.overflow = overflow;
        this.overflowError = overflowError;
    }

    /** Runs once when the subscriber cancels or the stream ends (on the loop): the source's clean-up. */
    public LoopStream<T> onCancel(Runnable r) {
        this.onCancel = r;
        return this;
    }

    /** Runs on the loop after each new demand. */
    public LoopStream<T> onRequest(Runnable r) {
        this.onRequest = r;
        return this;
    }

    /** Hands the subscription to the subscriber; on the loop. */
    public void start() {
        loop.check();
        down.onSubscribe(this);
    }

    /** Queues {@code item} for the subscriber; on the loop. */
    public void offer(T item) {
        loop.check();
        if (done) {
            return;
        }
        if (queue.size() >= capacity) {
            if (overflow == Overflow.LATEST) {
                queue.clear();
            } else {
                error(overflowError.get());
                return;
            }
        }
        queue.add(item);
        drain();
    }

    /** Ends the stream with {@code e} at once (items still queued are not delivered). */
    public void error(Throwable e) {
        loop.check();
        if (done) {
            return;
        }
        queue.clear();
        finish(e);
    }

    /** Ends the stream once the queued items are delivered. */
    public void complete() {
        loop.check();
        if (!done) {
            finish(null);
        }
    }

    private void finish(Throwable e) {
        done = true;
        terminal = e;
        terminalPending = true;
        release();
        drain();
    }

    private void release() {
        Runnable r = onCancel;
        onCancel = () -> { };
        r.run();
    }

    /** Demand not yet met by an emitted item (on the loop). */
    public long demand() {
        return demand;
    }

    /** Items waiting for demand (on the loop). */
    public int queued() {
        return queue.size();
    }

    public boolean isDone() {
        return done || cancelled;
    }

    private void drain() {
        if (emitting || cancelled) {
            return;
        }
        emitting = true;
        try {
            while (!cancelled && demand > 0 && !queue.isEmpty()) {
                demand--;
                down.onNext(queue.poll());
            }
            if (!cancelled && terminalPending && queue.isEmpty()) {
                terminalPending = false;
                cancelled = true;
                if (terminal == null) {
                    down.onComplete();
                } else {
                    down.onError(terminal);
                }
            }
        } finally {
            emitting = false;
        }
    }

    @Override
    public void request(long n) {
        loop.run(() -> {
            if (cancelled) {
                return;
            }
            if (n <= 0) {
                cancelled = true;
                queue.clear();
                release();
                down.onError(new IllegalArgumentException("§3.9: request(" + n + ") must be positive"));
                return;
            }
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            drain();
            if (!done) {
                onRequest.run();
            }
        });
    }

    @Override
    public void cancel() {
        loop.run(() -> {
            if (cancelled) {
                return;
            }
            cancelled = true;
            done = true;
            queue.clear();
            release();
        });
    }
}
