package io.tributary.server;

import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.tributary.kafka.KafkaClientsSupport.consumer;
import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static io.tributary.kafka.KafkaClientsSupport.producer;
import static io.tributary.kafka.KafkaClientsSupport.readFrom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 a real node process and check that nothing acknowledged is lost. */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedRecordSurvivesKill9DuringAcksAllProduction() throws Exception {
        Path data = dir.resolve("data");
        NodeProcess node = new NodeProcess(data, TestNode.freePort(), dir.resolve("node.log"));
        try (node) {
            node.start();
            createTopic(node.bootstrap(), "durable", 2, Map.of());
            Map<String, String> acked = new ConcurrentHashMap<>();
            KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 1, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000));
            Thread sender = new Thread(() -> {
                for (int i = 0; i < 2_000_000 && !Thread.currentThread().isInterrupted(); i++) {
                    String value = "record-" + i;
                    try {
                        p.send(new ProducerRecord<>("durable", i % 2, null, value), (md, err) -> {
                            if (err == null) {
                                acked.put(md.partition() + "@" + md.offset(), value);
                            }
                        });
                    } catch (RuntimeException e) {
                        return; // the node is gone
                    }
                }
            });
            sender.start();
            Poll.until(Duration.ofSeconds(60), "20000 acknowledged records", () -> acked.size() >= 20_000);
            node.kill9();
            sender.interrupt();
            sender.join(10_000);
            p.close(Duration.ZERO);
            Map<String, String> snapshot = Map.copyOf(acked);

            node.start();
            try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), Map.of())) {
                for (int part = 0; part < 2; part++) {
                    TopicPartition tp = new TopicPartition("durable", part);
                    long end = c.endOffsets(List.of(tp)).get(tp);
                    int expected = (int) snapshot.keySet().stream().filter(k -> k.startsWith(tp.partition() + "@")).count();
                    assertTrue(end >= expected, "log end " + end + " covers the " + expected + " acknowledged records");
                    List<ConsumerRecord<String, String>> got = readFrom(c, tp, 0, (int) end, Duration.ofSeconds(60));
                    assertEquals(end, got.size(), "every record up to the recovered end is readable");
                    for (ConsumerRecord<String, String> r : got) {
                        String want = snapshot.get(part + "@" + r.offset());
                        if (want != null) {
                            assertEquals(want, r.value(), "acknowledged record at " + tp + "@" + r.offset());
                        }
                    }
                    long found = got.stream().filter(r -> snapshot.containsKey(tp.partition() + "@" + r.offset())).count();
                    assertEquals(expected, found, "all acknowledged offsets present in " + tp);
                }
            }
        }
    }

    @Test
    void garbageAppendedToTheTailIsTruncatedAndAppendsContinue() throws Exception {
        Path data = dir.resolve("data");
        NodeProcess node = new NodeProcess(data, TestNode.freePort(), dir.resolve("node.log"));
        try (node) {
            node.start();
            createTopic(node.bootstrap(), "tail", 1, Map.of());
            try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
                for (int i = 0; i < 100; i++) {
                    p.send(new ProducerRecord<>("tail", "before-" + i));
                }
                p.flush();
            }
            node.kill9();
            Path segment;
            try (Stream<Path> files = Files.list(data.resolve("tail-0"))) {
                segment = files.filter(f -> f.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
            }
            long sizeBefore = Files.size(segment);
            byte[] garbage = new byte[777];
            new Random(7).nextBytes(garbage);
            Files.write(segment, garbage, StandardOpenOption.APPEND);

            node.start();
            assertEquals(sizeBefore, Files.size(segment), "the invalid tail is cut off");
            assertTrue(node.output().toLowerCase().contains("truncat"), "recovery says it truncated:\n" + node.output());
            try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
                assertEquals(100L, p.send(new ProducerRecord<>("tail", "after")).get(10, TimeUnit.SECONDS).offset(),
                        "appends continue right after the last valid record");
            }
            try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), Map.of())) {
                List<ConsumerRecord<String, String>> got = readFrom(c, new TopicPartition("tail", 0), 0, 101, Duration.ofSeconds(30));
                assertEquals(101, got.size());
                assertEquals("before-99", got.get(99).value());
                assertEquals("after", got.get(100).value());
            }
            assertEquals(143, node.terminate(), "SIGTERM exits through the shutdown hook");
            assertTrue(Files.exists(data.resolve("meta").resolve("clean-shutdown")), "a SIGTERM stop is marked clean");
            assertTrue(node.output().contains("stopped cleanly"), node.output());
        }
    }

}
