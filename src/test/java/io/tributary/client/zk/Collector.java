package io.tributary.client.zk;

import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.FlowableSubscriber;
import org.reactivestreams.Subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A subscriber a test reads from another thread: what arrived, whether it ended, and demand under the test's control.
 * Records the thread each signal came on, so a test can check they all came on the client's event loop.
 */
final class Collector<T> implements FlowableSubscriber<T> {
    private final List<T> values = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final List<String> threads = new ArrayList<>();
    private final AtomicReference<Subscription> subscription = new AtomicReference<>();
    private final long initialRequest;
    private volatile boolean completed;

    private Collector(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    static <T> Collector<T> of(Flowable<T> f) {
        return of(f, Long.MAX_VALUE);
    }

    static <T> Collector<T> of(Flowable<T> f, long initialRequest) {
        Collector<T> c = new Collector<>(initialRequest);
        f.subscribe(c);
        return c;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription.set(s);
        if (initialRequest > 0) {
            s.request(initialRequest);
        }
    }

    @Override
    public synchronized void onNext(T t) {
        values.add(t);
        threads.add(Thread.currentThread().getName());
    }

    @Override
    public synchronized void onError(Throwable t) {
        errors.add(t);
    }

    @Override
    public void onComplete() {
        completed = true;
    }

    synchronized List<T> values() {
        return List.copyOf(values);
    }

    synchronized List<Throwable> errors() {
        return List.copyOf(errors);
    }

    synchronized List<String> threads() {
        return List.copyOf(threads);
    }

    boolean completed() {
        return completed;
    }

    void request(long n) {
        subscription.get().request(n);
    }

    void cancel() {
        Subscription s = subscription.get();
        if (s != null) {
            s.cancel();
        }
    }
}
