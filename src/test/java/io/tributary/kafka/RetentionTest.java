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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rolling and retention driven by an injected clock: no sleeping for hours. */
class RetentionTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static final ManualTime time = new ManualTime();

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("tributary.unsafe.small.segments", "true"), time);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static PartitionLog log(String topic) {
        return node.node().logManager().partition(new TopicPartition(topic, 0));
    }

    private static void produce(String topic, int count) throws Exception {
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of("linger.ms", 0, "batch.size", 200))) {
            for (int i = 0; i < count; i++) {
                // Record timestamps come from the node's clock so retention.ms judges them by it.
                p.send(new ProducerRecord<>(topic, 0, time.milliseconds(), "k" + i, "value-" + i + "-" + "p".repeat(40))).get();
            }
        }
    }

    @Test
    void oldSegmentsAreDeletedByTimeAndEarliestOffsetFollows() throws Exception {
        createTopic(node.bootstrap(), "aging", 1, Map.of("segment.bytes", "2048", "retention.ms", "3600000"));
        produce("aging", 200);
        int segments = log("aging").numberOfSegments();
        assertTrue(segments > 3, "small segments rolled by size: " + segments);
        TopicPartition tp = new TopicPartition("aging", 0);
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), Map.of("auto.offset.reset", "earliest"))) {
            assertEquals(0L, c.beginningOffsets(List.of(tp)).get(tp));

            time.advance(2 * 3600_000L);
            // One young record keeps the active segment (Kafka deletes a wholly expired log, active segment too).
            produce("aging", 1);
            Poll.until(Duration.ofSeconds(20), "closed segments past retention.ms deleted", () -> log("aging").numberOfSegments() == 1);
            long start = log("aging").logStartOffset();
            // 200 when a retention check ran between the clock's advance and the young append (the whole log had
            // expired then, and Kafka rolls and empties such a log), less when the append came first.
            assertTrue(start > 0 && start <= 200, "log start offset advanced past the expired segments: " + start);
            assertEquals(start, c.beginningOffsets(List.of(tp)).get(tp), "ListOffsets earliest follows the log start");
            assertEquals(201L, c.endOffsets(List.of(tp)).get(tp));

            List<ConsumerRecord<String, String>> rest = readFrom(c, tp, 0, (int) (201 - start), Duration.ofSeconds(20));
            assertEquals(start, rest.get(0).offset(), "a fetch below the log start resets to it");
        }
    }

    @Test
    void retentionBytesKeepsTheNewestSegments() throws Exception {
        createTopic(node.bootstrap(), "sized", 1, Map.of("segment.bytes", "2048", "retention.bytes", "4096"));
        produce("sized", 200);
        time.advance(300_000);
        Poll.until(Duration.ofSeconds(20), "size retention applied", () -> log("sized").sizeInBytes() <= 4096 + 2048);
        assertTrue(log("sized").logStartOffset() > 0);
        assertEquals(200L, log("sized").logEndOffset());
    }

    @Test
    void segmentMsRollsAtTheNextAppendAsInKafka() throws Exception {
        createTopic(node.bootstrap(), "rolling", 1, Map.of("segment.ms", "60000"));
        produce("rolling", 3);
        assertEquals(1, log("rolling").numberOfSegments());
        time.advance(61_000);
        produce("rolling", 1);
        assertEquals(2, log("rolling").numberOfSegments(), "the first append after segment.ms rolled");
        assertEquals(4L, log("rolling").logEndOffset());
        produce("rolling", 1);
        assertEquals(2, log("rolling").numberOfSegments(), "the new segment's own clock starts at its first record");
    }

    @Test
    void aWhollyExpiredLogIsRolledAndEmptiedAtTheRetentionCheck() throws Exception {
        createTopic(node.bootstrap(), "expired", 1, Map.of("retention.ms", "3600000"));
        produce("expired", 5);
        time.advance(2 * 3600_000L);
        Poll.until(Duration.ofSeconds(20), "every segment, the active one too, deleted",
            () -> log("expired").logStartOffset() == 5);
        assertEquals(1, log("expired").numberOfSegments(), "a fresh empty active segment");
        produce("expired", 1);
        assertEquals(6L, log("expired").logEndOffset(), "appends carry on at the log end");
    }
}
