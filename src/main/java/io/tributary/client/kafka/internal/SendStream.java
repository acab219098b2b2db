package io.tributary.client.kafka.internal;

import io.reactivex.rxjava3.core.FlowableSubscriber;
import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.ProduceRecord;
import io.tributary.client.kafka.RecordMetadata;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * The bridge of {@code RxProducer.send(Flowable)}: subscribes to the records and emits their metadata downstream in
 * input order. Upstream is asked for records in chunks and only while the producer has buffer room
 * ({@code hasRoom}) and fewer than {@link #MAX_UNEMITTED} results wait for downstream demand, so memory stays bounded
 * whichever side is slow. Every signal hops onto the producer's loop; all fields are touched there only.
 */
public final class SendStream implements FlowableSubscriber<ProduceRecord>, Subscription {
    static final int CHUNK = 128;
    static final int MAX_UNEMITTED = 8192;

    private final Loop loop;
    private final BiConsumer<ProduceRecord, ProduceBatch.Sink> accept;
    private final BooleanSupplier hasRoom;
    private final Set<SendStream> registry;
    private final Subscriber<? super RecordMetadata> down;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private Subscription up;
    private long downDemand;
    private long upOutstanding;
    private boolean upDone;
    private Throwable upError;
    private boolean finished;
    private boolean emitting;
    private boolean missed;

    public SendStream(Loop loop, BiConsumer<ProduceRecord, ProduceBatch.Sink> accept, BooleanSupplier hasRoom,
                      Set<SendStream> registry, Subscriber<? super RecordMetadata> down) {
        this.loop = loop;
        this.accept = accept;
        this.hasRoom = hasRoom;
        this.registry = registry;
        this.down = down;
    }

    @Override
    public void onSubscribe(Subscription s) {
        loop.run(() -> {
            up = s;
            registry.add(this);
            down.onSubscribe(this);
            pump();
        });
    }

    @Override
    public void onNext(ProduceRecord r) {
        loop.run(() -> {
            if (finished) {
                return;
            }
            upOutstanding--;
            Slot slot = new Slot();
            slots.add(slot);
            accept.accept(r, new ProduceBatch.Sink() {
                @Override
                public void done(RecordMetadata md) {
                    slot.md = md;
                    emit();
                }

                @Override
                public void failed(Throwable t) {
                    slot.error = t;
                    emit();
                }
            });
            pump();
        });
    }

    @Override
    public void onError(Throwable t) {
        loop.run(() -> {
            upDone = true;
            upError = t;
            emit();
        });
    }

    @Override
    public void onComplete() {
        loop.run(() -> {
            upDone = true;
            emit();
        });
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            loop.run(() -> finish(new IllegalArgumentException("§3.9: non-positive request " + n)));
            return;
        }
        loop.run(() -> {
            downDemand = downDemand + n < 0 ? Long.MAX_VALUE : downDemand + n;
            emit();
            pump();
        });
    }

    @Override
    public void cancel() {
        loop.run(() -> {
            if (!finished) {
                finished = true;
                registry.remove(this);
                up.cancel();
            }
        });
    }

    /** Asks upstream for more if there is room; called after every change that may have made some. */
    public void pump() {
        if (finished || upDone || up == null) {
            return;
        }
        if (upOutstanding < CHUNK / 2 && slots.size() + upOutstanding < MAX_UNEMITTED && hasRoom.getAsBoolean()) {
            long n = CHUNK - upOutstanding;
            upOutstanding += n;
            up.request(n);
        }
    }

    private void emit() {
        if (emitting) {
            missed = true; // a re-entrant call (downstream requested inside onNext): the outer loop goes on
            return;
        }
        emitting = true;
        try {
            do {
                missed = false;
                emitOnce();
            } while (missed);
        } finally {
            emitting = false;
        }
    }

    private void emitOnce() {
        while (!finished && !slots.isEmpty()) {
            Slot head = slots.peek();
            if (head.error != null) {
                up.cancel();
                finish(head.error);
                return;
            }
            if (head.md == null || downDemand == 0) {
                break;
            }
            slots.poll();
            downDemand--;
            down.onNext(head.md);
        }
        if (!finished && slots.isEmpty() && upDone) {
            finish(upError);
        }
    }

    private void finish(Throwable error) {
        if (finished) {
            return;
        }
        finished = true;
        registry.remove(this);
        if (error != null) {
            down.onError(error);
        } else {
            down.onComplete();
        }
    }

    private static final class Slot {
        RecordMetadata md;
        Throwable error;
    }
}
