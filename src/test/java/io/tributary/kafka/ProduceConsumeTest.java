package io.tributary.kafka;

import io.tributary.testing.TestNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.tributary.kafka.KafkaClientsSupport.consumer;
import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static io.tributary.kafka.KafkaClientsSupport.producer;
import static io.tributary.kafka.KafkaClientsSupport.readFrom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The idempotent KafkaProducer and an assign/seek KafkaConsumer against an in-process node. */
class ProduceConsumeTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void idempotentProducerRecordsAreReadBackAtTheirOffsets() throws Exception {
        createTopic(node.bootstrap(), "orders", 3, Map.of());
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 3000; i++) {
                acks.add(p.send(new ProducerRecord<>("orders", i % 3, "k" + i, "v" + i)));
            }
            p.flush();
        }
        long[] next = new long[3];
        for (int i = 0; i < acks.size(); i++) {
            RecordMetadata md = acks.get(i).get();
            assertEquals(i % 3, md.partition());
            assertEquals(next[md.partition()]++, md.offset(), "offsets are dense per partition");
        }
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), Map.of())) {
            for (int p = 0; p < 3; p++) {
                List<ConsumerRecord<String, String>> got = readFrom(c, new TopicPartition("orders", p), 0, 1000, Duration.ofSeconds(30));
                assertEquals(1000, got.size(), "partition " + p + " returns every record");
                for (int j = 0; j < got.size(); j++) {
                    ConsumerRecord<String, String> r = got.get(j);
                    assertEquals(j, r.offset());
                    assertEquals("v" + (j * 3 + p), r.value());
                    assertEquals("k" + (j * 3 + p), r.key());
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void compressedBatchesAreStoredAndServed(String codec) throws Exception {
        String topic = "compressed-" + codec;
        createTopic(node.bootstrap(), topic, 1, Map.of());
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec,
                ProducerConfig.LINGER_MS_CONFIG, 20))) {
            for (int i = 0; i < 500; i++) {
                p.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i + "-" + "x".repeat(100)));
            }
            p.flush();
        }
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), Map.of())) {
            List<ConsumerRecord<String, String>> got = readFrom(c, new TopicPartition(topic, 0), 0, 500, Duration.ofSeconds(30));
            assertEquals(500, got.size());
            assertEquals("value-499-" + "x".repeat(100), got.get(499).value());
            // Seeking into the middle of a compressed batch still starts at the requested offset.
            List<ConsumerRecord<String, String>> mid = readFrom(c, new TopicPartition(topic, 0), 250, 250, Duration.ofSeconds(30));
            assertEquals(250, mid.get(0).offset());
            assertEquals("key-250", mid.get(0).key());
        }
    }

    @Test
    void fetchLongPollIsWokenByAnAppend() throws Exception {
        createTopic(node.bootstrap(), "longpoll", 1, Map.of());
        TopicPartition tp = new TopicPartition("longpoll", 0);
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), Map.of("fetch.max.wait.ms", 20_000));
             KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
            c.assign(List.of(tp));
            c.seek(tp, 0);
            assertTrue(c.poll(Duration.ofMillis(300)).isEmpty(), "nothing to read yet");
            CompletableFuture<ConsumerRecord<String, String>> received = CompletableFuture.supplyAsync(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofSeconds(15))) {
                        return r;
                    }
                }
                return null;
            });
            p.send(new ProducerRecord<>("longpoll", "hello")).get();
            ConsumerRecord<String, String> r = received.get(20, TimeUnit.SECONDS);
            assertNotNull(r, "a waiting fetch returns the appended record well before fetch.max.wait.ms");
            assertEquals("hello", r.value());
        }
    }

    @Test
    void listOffsetsEarliestLatestAndByTimestamp() throws Exception {
        createTopic(node.bootstrap(), "timed", 1, Map.of());
        TopicPartition tp = new TopicPartition("timed", 0);
        long base = System.currentTimeMillis() - 60_000;
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("timed", 0, base + i * 1000L, "k", "v" + i)).get();
            }
        }
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), Map.of())) {
            assertEquals(0L, c.beginningOffsets(List.of(tp)).get(tp));
            assertEquals(10L, c.endOffsets(List.of(tp)).get(tp));
            OffsetAndTimestamp found = c.offsetsForTimes(Map.of(tp, base + 4500)).get(tp);
            assertEquals(5L, found.offset(), "first record at or after the timestamp");
            assertEquals(base + 5000, found.timestamp());
            assertEquals(null, c.offsetsForTimes(Map.of(tp, base + 60_000)).get(tp), "nothing that late");
        }
    }

    @Test
    void seekBeyondTheEndIsOutOfRangeAndResetsPerPolicy() throws Exception {
        createTopic(node.bootstrap(), "ranges", 1, Map.of());
        TopicPartition tp = new TopicPartition("ranges", 0);
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
            p.send(new ProducerRecord<>("ranges", "a")).get();
            p.send(new ProducerRecord<>("ranges", "b")).get();
        }
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), Map.of("auto.offset.reset", "earliest"))) {
            List<ConsumerRecord<String, String>> got = readFrom(c, tp, 100, 2, Duration.ofSeconds(20));
            assertEquals(2, got.size(), "OFFSET_OUT_OF_RANGE resets to earliest");
            assertEquals("a", got.get(0).value());
        }
    }
}
