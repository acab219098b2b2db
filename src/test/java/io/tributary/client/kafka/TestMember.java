package io.tributary.client.kafka;

import io.reactivex.rxjava3.disposables.Disposable;
import io.vertx.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A group member under test: its own client (as another process would have), a subscriber that keeps at most
 * {@code window} records in processing, and a processing step that takes {@code processMs} (on a timer, never by
 * blocking) before it acks — unless {@code hold} says to keep the record unacked. Everything it sees goes to a shared
 * {@link History}.
 */
final class TestMember implements AutoCloseable {
    final String name;
    final KafkaClient client;
    final GroupConsumer consumer;
    final History history;
    final Queue<Rebalance> events = new ConcurrentLinkedQueue<>();
    final Queue<ConsumerRecord> held = new ConcurrentLinkedQueue<>();
    final AtomicLong processed = new AtomicLong();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    private final Vertx vertx;
    private final Disposable eventsSub;
    private volatile Predicate<ConsumerRecord> hold = r -> false;
    private io.reactivex.rxjava3.core.Completable closing;

    TestMember(String name, Vertx vertx, String bootstrap, GroupOptions options, List<String> topics, int window,
               long processMs, History history) {
        this.name = name;
        this.vertx = vertx;
        this.history = history;
        this.client = KafkaClient.create(vertx, new KafkaClientOptions().bootstrap(bootstrap).clientId(name));
        this.consumer = client.consumer(new ConsumerOptions().maxWaitMs(100)).group(options, topics);
        this.eventsSub = consumer.rebalances().subscribe(e -> {
            events.add(e);
            history.rebalance(name, e);
        }, error::set);
        consumer.records().subscribe(new Subscriber<>() {
            Subscription s;

            @Override
            public void onSubscribe(Subscription s) {
                this.s = s;
                s.request(window);
            }

            @Override
            public void onNext(ConsumerRecord r) {
                long start = System.nanoTime();
                Runnable finish = () -> {
                    history.processed(TestMember.this.name, r, start, System.nanoTime());
                    processed.incrementAndGet();
                    if (hold.test(r)) {
                        held.add(r);
                    } else {
                        try {
                            r.ack();
                        } catch (RevokedPartitionException e) {
                            history.refused(TestMember.this.name, r);
                        }
                    }
                    s.request(1);
                };
                if (processMs <= 0) {
                    finish.run();
                } else {
                    vertx.setTimer(processMs, t -> finish.run());
                }
            }

            @Override
            public void onError(Throwable t) {
                error.set(t);
            }

            @Override
            public void onComplete() {
            }
        });
    }

    /** Keep the records {@code p} matches unacked (in {@link #held}) from now on. */
    void hold(Predicate<ConsumerRecord> p) {
        hold = p;
    }

    Set<TopicPartition> assignment() {
        return consumer.assignment().blockingFirst();
    }

    @Override
    public void close() {
        closeAsync().blockingAwait(60, TimeUnit.SECONDS);
    }

    /** Leaves the group gracefully (drain, final commit, LeaveGroup), then closes the client; cached. */
    synchronized io.reactivex.rxjava3.core.Completable closeAsync() {
        if (closing == null) {
            closing = consumer.close().doFinally(() -> {
                eventsSub.dispose();
                client.close().subscribe();
            }).cache();
            closing.subscribe(() -> { }, error::set);
        }
        return closing;
    }
}
