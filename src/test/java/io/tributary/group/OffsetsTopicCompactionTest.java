package io.tributary.group;

import io.tributary.log.PartitionLog;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.tributary.kafka.KafkaClientsSupport.admin;
import static io.tributary.kafka.KafkaClientsSupport.consumer;
import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinator's keyed records and tombstones let the log cleaner reduce {@code __consumer_offsets},
 * and a node restarted on the compacted topic still knows the latest commit of every group and none of
 * the deleted ones.
 */
class OffsetsTopicCompactionTest {
    @TempDir
    Path dir;

    @Test
    void theCleanerReducesTheOffsetsTopicAndARestartLoadsWhatIsLeft() throws Exception {
        try (TestNode node = TestNode.start(dir, Map.of("tributary.unsafe.small.segments", "true",
                "log.cleaner.backoff.ms", "50", GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "1",
                GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0"))) {
            createTopic(node.bootstrap(), "data", 1, Map.of());
            TopicPartition tp = new TopicPartition("data", 0);
            try (Admin admin = admin(node.bootstrap())) {
                ConfigResource offsetsTopic = new ConfigResource(ConfigResource.Type.TOPIC, "__consumer_offsets");
                admin.incrementalAlterConfigs(Map.of(offsetsTopic, List.of(
                        new AlterConfigOp(new ConfigEntry("segment.bytes", "2048"), AlterConfigOp.OpType.SET),
                        new AlterConfigOp(new ConfigEntry("min.cleanable.dirty.ratio", "0.01"), AlterConfigOp.OpType.SET),
                        new AlterConfigOp(new ConfigEntry("delete.retention.ms", "100"), AlterConfigOp.OpType.SET)))).all().get();
            }
            try (KafkaConsumer<String, String> doomed = consumer(node.bootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, "doomed"))) {
                doomed.commitSync(Map.of(tp, new OffsetAndMetadata(5)));
            }
            try (Admin admin = admin(node.bootstrap())) {
                admin.deleteConsumerGroups(List.of("doomed")).all().get();
            }
            PartitionLog log = node.node().logManager().partition(new TopicPartition("__consumer_offsets", 0));
            try (KafkaConsumer<String, String> hot = consumer(node.bootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, "hot"))) {
                for (int i = 1; i <= 400; i++) {
                    hot.commitSync(Map.of(tp, new OffsetAndMetadata(i, "commit-" + i)));
                }
            }
            long written = log.logEndOffset();
            assertTrue(written >= 400, "one record per commit: " + written);
            Poll.until(Duration.ofSeconds(60), "the cleaner compacted __consumer_offsets",
                    () -> log.sizeInBytes() < 2048L * 4 && !log.cleaningInFlight());

            node.restart();
            try (Admin admin = admin(node.bootstrap())) {
                Map<TopicPartition, OffsetAndMetadata> hot = admin.listConsumerGroupOffsets("hot").partitionsToOffsetAndMetadata().get();
                assertEquals(400, hot.get(tp).offset());
                assertEquals("commit-400", hot.get(tp).metadata());
                assertTrue(admin.listConsumerGroupOffsets("doomed").partitionsToOffsetAndMetadata().get().isEmpty(),
                        "a deleted group stays deleted after compaction");
            }
        }
    }
}
