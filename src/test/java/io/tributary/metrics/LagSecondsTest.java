package io.tributary.metrics;

import io.tributary.group.GroupConfig;
import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.ManualTime;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Issue 12, must-show 2 (time): {@code kafka_consumergroup_lag_seconds} is the node's clock (a {@link ManualTime}
 * here) minus the timestamp of the group's first unconsumed record — records produced with known timestamps, one
 * per batch and several in one batch (a commit inside a batch) — 0 when caught up, absent without a commit, the
 * log-append time on a LogAppendTime topic; and it follows the clock and the commits, scrape after scrape.
 */
class LagSecondsTest {
    static final long T0 = 1_750_000_000_000L;
    @TempDir
    static Path dir;
    static ManualTime time = new ManualTime(T0);
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir, Map.of(GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0",
                GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "1"), time);
        KafkaClientsSupport.createTopic(node.bootstrap(), "aged", 1, Map.of());
        KafkaClientsSupport.createTopic(node.bootstrap(), "stamped", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            // offsets 0..9, one batch each: record i is (100 - i) seconds old at T0
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("aged", 0, T0 - (100 - i) * 1000L, "k", "v" + i)).get();
            }
        }
        // offsets 10..14 in one batch: 50, 49, ..., 46 seconds old
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(),
                Map.of("linger.ms", 10_000, "batch.size", 1 << 20))) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                sent.add(p.send(new ProducerRecord<>("aged", 0, T0 - (50 - i) * 1000L, "k", "b" + i)));
            }
            p.flush();
            for (Future<?> f : sent) {
                f.get();
            }
            // LogAppendTime: the node's clock at the append (T0) wins over the producer's timestamp
            p.send(new ProducerRecord<>("stamped", 0, 1L, "k", "s0")).get();
            p.send(new ProducerRecord<>("stamped", 0, 2L, "k", "s1")).get();
        }
        commit("from-start", "aged", 0);
        commit("mid-batch", "aged", 12);
        commit("caught-up", "aged", 15);
        commit("appended", "stamped", 1);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static void commit(String group, String topic, long offset) throws Exception {
        try (Admin admin = KafkaClientsSupport.admin(node.bootstrap())) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset))).all().get();
        }
    }

    private static double lagSeconds(Scrape s, String group, String topic) {
        return s.value("kafka_consumergroup_lag_seconds", "consumergroup", group, "topic", topic, "partition", "0");
    }

    @Test
    void lagSecondsIsTheAgeOfTheFirstUnconsumedRecordOnTheNodesClock() throws Exception {
        Scrape s = Scrape.of(node.httpBase());
        assertEquals(100, lagSeconds(s, "from-start", "aged"), 1e-9, "record 0 is 100 s old");
        assertEquals(48, lagSeconds(s, "mid-batch", "aged"), 1e-9, "offset 12, the third record of its batch, is 48 s old");
        assertEquals(0, lagSeconds(s, "caught-up", "aged"), 1e-9, "a group at the high watermark has no lag");
        assertEquals(0, lagSeconds(s, "appended", "stamped"), 1e-9, "LogAppendTime: appended at the node's T0");
        assertEquals(100, s.value("kafka_consumergroup_lag_seconds_max", "consumergroup", "from-start"), 1e-9);
        assertEquals(15, s.value("kafka_consumergroup_lag", "consumergroup", "from-start", "topic", "aged", "partition", "0"));

        time.advance(30_000);
        s = Scrape.of(node.httpBase());
        assertEquals(130, lagSeconds(s, "from-start", "aged"), 1e-9, "the clock moved 30 s");
        assertEquals(78, lagSeconds(s, "mid-batch", "aged"), 1e-9);
        assertEquals(30, lagSeconds(s, "appended", "stamped"), 1e-9);
        assertEquals(0, lagSeconds(s, "caught-up", "aged"), 1e-9);

        commit("from-start", "aged", 5);
        s = Scrape.of(node.httpBase());
        assertEquals(125, lagSeconds(s, "from-start", "aged"), 1e-9, "after a commit at 5: record 5 was 95 s old at T0");
        commit("from-start", "aged", 15);
        s = Scrape.of(node.httpBase());
        assertEquals(0, lagSeconds(s, "from-start", "aged"), 1e-9, "caught up");
        assertNull(s.one("kafka_consumergroup_lag_seconds", "consumergroup", "nobody"), "no group, no series");
    }
}
