package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Flowable;
import io.tributary.client.testing.ClientVertx;
import io.tributary.client.testing.Target;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reactive producer's behaviour, run against every target (one subclass each). Records are read back with
 * kafka-clients' own consumer, so what the client wrote is checked by the reference implementation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProducerContract {
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

    List<ConsumerRecord<String, String>> readAll(String topic, int partition, int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, partition);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (out.size() < count && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void singleSendsGetDenseOffsetsInSendOrder() {
        createTopic("single-sends", 1);
        RxProducer producer = client.producer(new ProducerOptions());
        List<RecordMetadata> mds = Flowable.range(0, 10)
                .concatMapSingle(i -> producer.send(ProduceRecord.of("single-sends", "k" + i, "v" + i)))
                .toList().blockingGet();
        for (int i = 0; i < 10; i++) {
            assertEquals(i, mds.get(i).offset(), "record " + i + " offset");
            assertEquals(0, mds.get(i).partition());
        }
        List<ConsumerRecord<String, String>> got = readAll("single-sends", 0, 10);
        assertEquals(10, got.size(), "kafka-clients reads every record back");
        for (int i = 0; i < 10; i++) {
            assertEquals("k" + i, got.get(i).key());
            assertEquals("v" + i, got.get(i).value());
        }
        producer.close().blockingAwait(10, TimeUnit.SECONDS);
    }

    @Test
    void streamedSendsArriveOnceAndInOrderPerPartition() {
        createTopic("streamed", 3);
        RxProducer producer = client.producer(new ProducerOptions().lingerMs(2));
        int n = 30_000;
        List<RecordMetadata> mds = producer.send(Flowable.range(0, n)
                        .map(i -> ProduceRecord.of("streamed", null, "v" + i).withPartition(i % 3)))
                .toList().blockingGet();
        assertEquals(n, mds.size(), "one result per record");
        long[] next = new long[3];
        for (int i = 0; i < n; i++) {
            RecordMetadata md = mds.get(i);
            assertEquals(i % 3, md.partition(), "results come in input order");
            assertEquals(next[md.partition()]++, md.offset(), "offsets are dense and in send order per partition");
        }
        for (int p = 0; p < 3; p++) {
            List<ConsumerRecord<String, String>> got = readAll("streamed", p, n / 3);
            assertEquals(n / 3, got.size(), "partition " + p + " holds each record once");
            for (int j = 0; j < got.size(); j++) {
                assertEquals("v" + (j * 3 + p), got.get(j).value(), "partition " + p + " offset " + j);
            }
        }
        producer.close().blockingAwait(10, TimeUnit.SECONDS);
    }

    @Test
    void everyCompressionCodecIsReadableByKafkaClients() {
        for (String codec : List.of("gzip", "snappy", "lz4", "zstd")) {
            String topic = "codec-" + codec;
            createTopic(topic, 1);
            RxProducer producer = client.producer(new ProducerOptions().compression(codec).lingerMs(20));
            producer.send(Flowable.range(0, 500).map(i -> ProduceRecord.of(topic, "k" + i, "value-" + i)))
                    .ignoreElements().blockingAwait(60, TimeUnit.SECONDS);
            List<ConsumerRecord<String, String>> got = readAll(topic, 0, 500);
            assertEquals(500, got.size(), codec + ": every record read back");
            assertEquals("value-499", got.get(499).value(), codec);
            producer.close().blockingAwait(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void keyedRecordsLandWhereKafkaClientsWouldPutThem() {
        createTopic("keyed", 5);
        RxProducer producer = client.producer(new ProducerOptions());
        for (String key : List.of("alpha", "beta", "gamma", "delta", "epsilon", "zeta")) {
            RecordMetadata md = producer.send(ProduceRecord.of("keyed", key, "x")).blockingGet();
            byte[] kb = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int expected = org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(kb, 5);
            assertEquals(expected, md.partition(), "partition of key " + key);
        }
        producer.close().blockingAwait(10, TimeUnit.SECONDS);
    }

    @Test
    void aFastUpstreamIsSlowedToTheBufferInsteadOfFillingMemory() {
        createTopic("backpressure", 1);
        long bufferMemory = 64 * 1024;
        RxProducer producer = client.producer(new ProducerOptions().bufferMemory(bufferMemory).batchSize(8 * 1024));
        byte[] value = new byte[100];
        AtomicLong maxBuffered = new AtomicLong();
        int n = 50_000;
        // The upstream is synchronous and as fast as it can be: it emits whenever asked, on the client's loop,
        // where the producer's buffer count may be read.
        long count = producer.send(Flowable.range(0, n)
                        .doOnNext(i -> maxBuffered.accumulateAndGet(producer.bufferedBytes(), Math::max))
                        .map(i -> ProduceRecord.of("backpressure", null, value)))
                .count().blockingGet();
        assertEquals(n, count);
        // Room is checked before each chunk of 128 requested records, so the buffer can exceed its limit by at
        // most one chunk of records.
        long bound = bufferMemory + 128L * (value.length + 32);
        assertTrue(maxBuffered.get() <= bound, "buffered bytes peaked at " + maxBuffered.get() + ", bound " + bound);
        assertTrue(maxBuffered.get() > 0, "the buffer was used");
        producer.close().blockingAwait(10, TimeUnit.SECONDS);
    }
}
