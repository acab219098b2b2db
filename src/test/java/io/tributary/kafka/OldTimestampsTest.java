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
import java.util.List;
import java.util.Map;

import static io.tributary.kafka.KafkaClientsSupport.consumer;
import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static io.tributary.kafka.KafkaClientsSupport.producer;
import static io.tributary.kafka.KafkaClientsSupport.readFrom;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 8, item 3: records stamped 1970 (as some clients and test suites write them) stay readable until
 * Kafka's retention check runs (log.retention.check.interval.ms, default 5 minutes, first after 30 s),
 * instead of vanishing on the next 200 ms maintenance tick; and they do not roll a segment per append.
 * The node runs on Kafka's default intervals with a manual clock.
 */
class OldTimestampsTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static final ManualTime time = new ManualTime();

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of(), time);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static PartitionLog log(String topic) {
        return node.node().logManager().partition(new TopicPartition(topic, 0));
    }

    @Test
    void recordsFrom1970AreReadBackAndLeaveAtTheRetentionCheck() throws Exception {
        createTopic(node.bootstrap(), "epoch", 1, Map.of());
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of("linger.ms", 0))) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>("epoch", 0, (long) i, "k" + i, "v" + i)).get();
            }
        }
        TopicPartition tp = new TopicPartition("epoch", 0);
        assertEquals(1, log("epoch").numberOfSegments(), "old timestamps do not roll a segment per append");
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), Map.of("auto.offset.reset", "earliest"))) {
            assertEquals(0L, c.beginningOffsets(List.of(tp)).get(tp), "nothing deleted before the retention check");
            List<ConsumerRecord<String, String>> all = readFrom(c, tp, 0, 20, Duration.ofSeconds(20));
            assertEquals(20, all.size());
            assertEquals(0L, all.get(0).timestamp());
            assertEquals("v19", all.get(19).value());

            // At the first retention check (30 s after start), the 1970 records are past retention.ms (7 days):
            // Kafka rolls the active segment and deletes it, and so does the node.
            time.advance(30_000);
            Poll.until(Duration.ofSeconds(20), "retention check deleted the 1970 records",
                () -> log("epoch").logStartOffset() == 20);
            assertEquals(20L, c.beginningOffsets(List.of(tp)).get(tp));
        }
    }
}
