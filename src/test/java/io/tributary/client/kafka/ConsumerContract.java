package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Flowable;
import io.tributary.client.testing.ClientVertx;
import io.tributary.client.testing.Target;
import io.tributary.testing.Poll;
import io.vertx.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reactive consumer in assign mode, run against every target (one subclass each). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConsumerContract {
    Target target;
    Vertx vertx;
    KafkaClient client;

    abstract Target target();

    @BeforeAll
    void start() {
        target = target();
        vertx = ClientVertx.create();
        client = KafkaClient.create(vertx, new KafkaClientOptions().bootstrap(target.bootstrap()));
    }

    @AfterAll
    void stop() {
        client.close().blockingAwait(10, TimeUnit.SECONDS);
        ClientVertx.close(vertx);
        target.close();
    }

    void createTopic(String name, int partitions) {
        client.admin().createTopic(name, partitions, (short) 1, Map.of()).blockingAwait(60, TimeUnit.SECONDS);
    }

    void produce(String topic, int partitions, int n) {
        RxProducer p = client.producer(new ProducerOptions());
        p.send(Flowable.range(0, n).map(i -> ProduceRecord.of(topic, "k" + i, "v" + i).withPartition(i % partitions)))
                .ignoreElements().blockingAwait(60, TimeUnit.SECONDS);
    }

    @Test
    void assignedPartitionsAreReadFromEarliestInOffsetOrder() {
        createTopic("assign-earliest", 3);
        produce("assign-earliest", 3, 3000);
        List<TopicPartition> tps = List.of(new TopicPartition("assign-earliest", 0),
                new TopicPartition("assign-earliest", 1), new TopicPartition("assign-earliest", 2));
        List<ConsumerRecord> got = client.consumer(new ConsumerOptions()).assign(tps, StartFrom.earliest())
                .take(3000).toList().blockingGet();
        long[] next = new long[3];
        for (ConsumerRecord r : got) {
            assertEquals(next[r.partition()]++, r.offset(), "offsets in order on " + r.partition());
            long i = r.offset() * 3 + r.partition();
            assertEquals("v" + i, r.valueString());
            assertEquals("k" + i, r.keyString());
        }
        assertEquals(List.of(1000L, 1000L, 1000L), List.of(next[0], next[1], next[2]), "every record once");
    }

    @Test
    void startsFromAnOffsetATimestampOrTheEnd() {
        createTopic("assign-from", 1);
        RxProducer p = client.producer(new ProducerOptions());
        for (int i = 0; i < 10; i++) {
            p.send(new ProduceRecord("assign-from", 0, null, ("v" + i).getBytes(), null, 1_000L * (i + 1)))
                    .blockingGet();
        }
        TopicPartition tp = new TopicPartition("assign-from", 0);
        RxConsumer c = client.consumer(new ConsumerOptions());
        assertEquals(5, c.assign(List.of(tp), StartFrom.offset(5)).timeout(60, java.util.concurrent.TimeUnit.SECONDS).blockingFirst().offset(), "from offset 5");
        assertEquals(6, c.assign(List.of(tp), StartFrom.timestamp(6_500)).timeout(60, java.util.concurrent.TimeUnit.SECONDS).blockingFirst().offset(),
                "the first record at or after t=6500 is the one at 7000");
        ConcurrentLinkedQueue<ConsumerRecord> tail = new ConcurrentLinkedQueue<>();
        var sub = c.assign(List.of(tp), StartFrom.latest()).subscribe(tail::add);
        // Whatever the latest position resolved to, a record produced from now on is seen, and nothing before it.
        Poll.until(Duration.ofSeconds(30), "the tail to see a new record", () -> {
            p.send(ProduceRecord.of("assign-from", null, "new")).blockingGet();
            return !tail.isEmpty();
        });
        sub.dispose();
        assertTrue(tail.peek().offset() >= 10, "a tail from the end starts after the existing records: " + tail.peek());
        assertEquals("new", tail.peek().valueString());
    }

    @Test
    void aSlowSubscriberKeepsTheBufferBoundedAndGetsEveryRecordInOrder() {
        String topic = "slow-reader";
        createTopic(topic, 2);
        RxConsumer consumer = client.consumer(new ConsumerOptions());
        // The topic is filled at full speed while a subscriber takes one record at a time, each after a timer.
        RxProducer producer = client.producer(new ProducerOptions());
        byte[] value = new byte[100];
        var filling = producer.send(Flowable.range(0, 200_000)
                        .map(i -> ProduceRecord.of(topic, null, value).withPartition(i % 2)))
                .ignoreElements().subscribe();
        int wanted = 2_000;
        AtomicLong maxBuffered = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicReference<String> orderError = new AtomicReference<>();
        long[] next = new long[2];
        consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)), StartFrom.earliest())
                .subscribe(new Subscriber<>() {
                    Subscription s;

                    public void onSubscribe(Subscription s) {
                        this.s = s;
                        s.request(1);
                    }

                    public void onNext(ConsumerRecord r) {
                        // onNext runs on the client's loop, where its buffer count may be read.
                        maxBuffered.accumulateAndGet(consumer.bufferedBytes(), Math::max);
                        if (r.offset() != next[r.partition()]++ && orderError.get() == null) {
                            orderError.set("partition " + r.partition() + " gave " + r.offset());
                        }
                        if (received.incrementAndGet() < wanted) {
                            vertx.setTimer(1, t -> s.request(1));
                        } else {
                            s.cancel();
                        }
                    }

                    public void onError(Throwable t) {
                        orderError.set(t.toString());
                    }

                    public void onComplete() {
                    }
                });
        Poll.until(Duration.ofSeconds(60), "the slow subscriber to receive " + wanted + " records",
                () -> received.get() >= wanted || orderError.get() != null);
        filling.dispose();
        assertNull(orderError.get(), "records in offset order, no error");
        long end = client.admin().endOffsets(topic).blockingGet().values().stream().mapToLong(Long::longValue).sum();
        // One fetch per partition asks for 32 KiB (the minimum) and may return one more whole batch (KIP-74).
        long bound = 2L * (32 * 1024 + 16 * 1024 + 1024);
        assertTrue(maxBuffered.get() <= bound, "the consumer buffered at most " + bound + " bytes, saw "
                + maxBuffered.get() + " while the log held " + end + " records");
        assertTrue(end > wanted * 4L, "the topic grew well past what the slow subscriber read: " + end);
    }
}
