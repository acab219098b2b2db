package io.tributary.kafka;

import io.tributary.testing.TestNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static io.tributary.kafka.KafkaClientsSupport.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Dynamic broker configuration, as kafka-configs --entity-type brokers uses it: topic defaults
 * changed at runtime for this node or cluster-wide, reported with Kafka's sources, applied to
 * existing topics, and kept across restarts.
 */
class DynamicBrokerConfigTest {
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

    private static final ConfigResource THIS_BROKER = new ConfigResource(ConfigResource.Type.BROKER, "1");
    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");

    private static Config describe(Admin admin, ConfigResource r) throws Exception {
        return admin.describeConfigs(List.of(r)).all().get().get(r);
    }

    private static void set(Admin admin, ConfigResource r, String name, String value) throws Exception {
        admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)))).all().get();
    }

    @Test
    void brokerLevelDefaultsChangeAtRuntimeAndReachExistingTopics() throws Exception {
        try (Admin admin = admin(node.bootstrap())) {
            admin.createTopics(List.of(new NewTopic("follows-broker", 1, (short) 1))).all().get();
            set(admin, THIS_BROKER, "log.retention.ms", "3600000");
            set(admin, CLUSTER_DEFAULT, "log.segment.bytes", "2097152");

            ConfigEntry retention = describe(admin, THIS_BROKER).get("log.retention.ms");
            assertEquals("3600000", retention.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, retention.source());
            ConfigEntry clusterSegment = describe(admin, CLUSTER_DEFAULT).get("log.segment.bytes");
            assertEquals("2097152", clusterSegment.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, clusterSegment.source());

            Config topic = describe(admin, new ConfigResource(ConfigResource.Type.TOPIC, "follows-broker"));
            assertEquals("3600000", topic.get("retention.ms").value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, topic.get("retention.ms").source());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, topic.get("segment.bytes").source());
            assertEquals(3600000L, node.node().logManager().partition(new TopicPartition("follows-broker", 0))
                    .config().retentionMs(), "the running partition uses the new default");

            node.restart();
        }
        try (Admin admin = admin(node.bootstrap())) {
            assertEquals("3600000", describe(admin, THIS_BROKER).get("log.retention.ms").value(), "kept across restart");
            admin.incrementalAlterConfigs(Map.of(THIS_BROKER, List.of(new AlterConfigOp(new ConfigEntry("log.retention.ms", ""),
                    AlterConfigOp.OpType.DELETE)))).all().get();
            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, describe(admin, THIS_BROKER).get("log.retention.ms").source());
            assertEquals(604800000L, node.node().logManager().partition(new TopicPartition("follows-broker", 0))
                    .config().retentionMs(), "back to Kafka's default");
        }
    }

    @Test
    void staticOnlyNamesAndBadValuesAreRefused() throws Exception {
        try (Admin admin = admin(node.bootstrap())) {
            ExecutionException fixed = assertThrows(ExecutionException.class, () -> set(admin, THIS_BROKER, "node.id", "5"));
            assertInstanceOf(InvalidRequestException.class, fixed.getCause());
            // Kafka answers INVALID_REQUEST for a bad broker value (KAFKA-13609), INVALID_CONFIG for a topic.
            ExecutionException bad = assertThrows(ExecutionException.class, () -> set(admin, THIS_BROKER, "log.retention.ms", "soon"));
            assertInstanceOf(InvalidRequestException.class, bad.getCause());
            assertEquals("Invalid value soon for configuration log.retention.ms: Not a number of type LONG", bad.getCause().getMessage());
        }
    }
}
