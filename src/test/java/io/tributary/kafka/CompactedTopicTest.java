package io.tributary.kafka;

import io.tributary.log.PartitionLog;
import io.tributary.testing.ManualTime;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.tributary.kafka.KafkaClientsSupport.consumer;
import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static io.tributary.kafka.KafkaClientsSupport.producer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cleanup.policy=compact end to end: real producer and consumer, the node's own cleaner thread. */
class CompactedTopicTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static final ManualTime time = new ManualTime();

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("tributary.unsafe.small.segments", "true", "log.cleaner.backoff.ms", "50"), time);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static PartitionLog log(String topic) {
        return node.node().logManager().partition(new TopicPartition(topic, 0));
    }

    /** Reads from the beginning to the end offset; key to every value seen, in order. */
    private static Map<String, List<String>> readAll(String topic, long end) {
        TopicPartition tp = new TopicPartition(topic, 0);
        Map<String, List<String>> seen = new HashMap<>();
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), Map.of("auto.offset.reset", "earliest"))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    seen.computeIfAbsent(r.key(), k -> new java.util.ArrayList<>()).add(r.value());
                }
            }
            assertEquals(end, c.position(tp), "consumer reached the end offset");
        }
        return seen;
    }

    @Test
    void consumerFromTheBeginningSeesOnlyTheLatestValuePerKey() throws Exception {
        String topic = "compacted";
        createTopic(node.bootstrap(), topic, 1, Map.of("cleanup.policy", "compact", "segment.bytes", "1024",
            "min.cleanable.dirty.ratio", "0.01", "segment.ms", "60000", "delete.retention.ms", "1000"));
        int keys = 20, rounds = 10;
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of("linger.ms", 0, "batch.size", 200))) {
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < keys; k++) {
                    p.send(new ProducerRecord<>(topic, 0, time.milliseconds(), "key-" + k, "round-" + round)).get();
                }
            }
            p.send(new ProducerRecord<>(topic, 0, time.milliseconds(), "key-0", (String) null)).get(); // tombstone
        }
        long end = keys * rounds + 1;
        assertTrue(log(topic).numberOfSegments() > 3, "several segments: " + log(topic).numberOfSegments());
        long sizeBefore = log(topic).sizeInBytes();

        // As in Kafka, segment.ms rolls at the next append: that one record starts a new active segment and
        // every record before it becomes cleanable.
        time.advance(61_000);
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of("linger.ms", 0))) {
            p.send(new ProducerRecord<>(topic, 0, time.milliseconds(), "roller", "x")).get();
        }
        // Done when a round has covered everything up to the active segment; a smaller log alone is not
        // enough, the cleaner may still have a later round to go.
        Poll.until(Duration.ofSeconds(30), "the cleaner compacted the log up to the active segment",
            () -> log(topic).firstDirtyOffset() >= end && !log(topic).cleaningInFlight());
        assertTrue(log(topic).sizeInBytes() < sizeBefore / 4, "compaction shrank the log");

        Map<String, List<String>> seen = readAll(topic, end + 1);
        assertEquals(List.of("x"), seen.remove("roller"));
        assertEquals(keys, seen.size(), "every key is still there: " + seen.keySet());
        for (int k = 1; k < keys; k++) {
            assertEquals(List.of("round-" + (rounds - 1)), seen.get("key-" + k), "only the latest value of key-" + k);
        }
        assertEquals(1, seen.get("key-0").size(), "key-0: only its tombstone");
        assertNull(seen.get("key-0").get(0));

        // new writes continue at the log end, and after delete.retention.ms the tombstone goes too
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of("linger.ms", 0))) {
            p.send(new ProducerRecord<>(topic, 0, time.milliseconds(), "key-1", "later")).get();
            time.advance(61_000);
            p.send(new ProducerRecord<>(topic, 0, time.milliseconds(), "roller", "y")).get(); // rolls again
        }
        Poll.until(Duration.ofSeconds(30), "a second round dropped the tombstone and the old key-1",
            () -> !readAll(topic, end + 3).containsKey("key-0"));
        Map<String, List<String>> after = readAll(topic, end + 3);
        assertEquals(List.of("later"), after.get("key-1"));
        assertEquals(List.of("x", "y"), after.remove("roller"), "the active segment is never cleaned");
        assertEquals(keys - 1, after.size());
    }
}
