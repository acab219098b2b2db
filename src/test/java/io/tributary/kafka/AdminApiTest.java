package io.tributary.kafka;

import io.tributary.testing.TestNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The administrative APIs driven by the real kafka-clients {@link Admin} against an in-process node. */
class AdminApiTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static Admin admin;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("log.retention.hours", "48", "num.partitions", "2"));
        admin = KafkaClientsSupport.admin(node.bootstrap());
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        node.close();
    }

    private static Throwable failure(KafkaFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        return e.getCause();
    }

    private static ConfigResource topicResource(String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    private static Config describe(ConfigResource r) throws Exception {
        return admin.describeConfigs(List.of(r), new DescribeConfigsOptions().includeSynonyms(true).includeDocumentation(true))
                .all().get().get(r);
    }

    @Test
    void createTopicWithConfigsReturnsIdPartitionsAndEffectiveConfigs() throws Exception {
        CreateTopicsResult r = admin.createTopics(List.of(new NewTopic("with-configs", 3, (short) 1)
                .configs(Map.of("retention.ms", "3600000", "cleanup.policy", "compact"))));
        r.all().get();
        assertEquals(3, r.numPartitions("with-configs").get());
        assertEquals(1, r.replicationFactor("with-configs").get());
        assertNotEquals(Uuid.ZERO_UUID, r.topicId("with-configs").get());
        Config created = r.config("with-configs").get();
        assertEquals("3600000", created.get("retention.ms").value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, created.get("retention.ms").source());
        assertEquals("compact", created.get("cleanup.policy").value());
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, created.get("segment.bytes").source());

        TopicDescription d = admin.describeTopics(List.of("with-configs")).allTopicNames().get().get("with-configs");
        assertEquals(3, d.partitions().size());
        assertEquals(r.topicId("with-configs").get(), d.topicId());
        assertEquals(1, d.partitions().get(0).leader().id());
    }

    @Test
    void defaultsApplyWhenPartitionsAndReplicationAreUnset() throws Exception {
        CreateTopicsResult r = admin.createTopics(List.of(new NewTopic("defaults", java.util.Optional.empty(), java.util.Optional.empty())));
        r.all().get();
        assertEquals(2, r.numPartitions("defaults").get(), "num.partitions=2 from the node's configuration");
        assertEquals(1, r.replicationFactor("defaults").get());
    }

    @Test
    void creatingAnExistingTopicFailsWithTopicExists() throws Exception {
        admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all().get();
        Throwable t = failure(admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all());
        assertInstanceOf(TopicExistsException.class, t);
        assertEquals("Topic 'exists' already exists.", t.getMessage());
    }

    @Test
    void invalidTopicNamesAreRefused() {
        assertInstanceOf(InvalidTopicException.class, failure(admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all()));
        assertInstanceOf(InvalidTopicException.class, failure(admin.createTopics(List.of(new NewTopic("..", 1, (short) 1))).all()));
    }

    @Test
    void replicationFactorAboveOneCannotBeReached() {
        Throwable t = failure(admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3))).all());
        assertInstanceOf(InvalidReplicationFactorException.class, t);
        assertEquals("Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached "
                + "because only 1 broker(s) are registered.", t.getMessage());
    }

    @Test
    void manualAssignmentsMustUseThisNodeOnly() throws Exception {
        admin.createTopics(List.of(new NewTopic("manual", Map.of(0, List.of(1), 1, List.of(1))))).all().get();
        assertEquals(2, admin.describeTopics(List.of("manual")).allTopicNames().get().get("manual").partitions().size());
        assertInstanceOf(InvalidReplicaAssignmentException.class,
                failure(admin.createTopics(List.of(new NewTopic("manual-bad", Map.of(0, List.of(2))))).all()));
        assertInstanceOf(InvalidReplicaAssignmentException.class,
                failure(admin.createTopics(List.of(new NewTopic("manual-gap", Map.of(0, List.of(1), 2, List.of(1))))).all()));
    }

    @Test
    void badConfigsAreInvalidConfig() {
        Throwable unknown = failure(admin.createTopics(List.of(new NewTopic("bad-config", 1, (short) 1)
                .configs(Map.of("no.such.config", "1")))).all());
        assertInstanceOf(InvalidConfigurationException.class, unknown);
        assertNotNull(unknown.getMessage());
        assertInstanceOf(InvalidConfigurationException.class, failure(admin.createTopics(List.of(new NewTopic("bad-value", 1, (short) 1)
                .configs(Map.of("retention.ms", "soon")))).all()));
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        CreateTopicsResult r = admin.createTopics(List.of(new NewTopic("dry-run", 4, (short) 1)),
                new CreateTopicsOptions().validateOnly(true));
        r.all().get();
        assertEquals(4, r.numPartitions("dry-run").get());
        assertFalse(admin.listTopics().names().get().contains("dry-run"), "validateOnly must not create the topic");
    }

    @Test
    void listTopicsShowsCreatedTopics() throws Exception {
        admin.createTopics(List.of(new NewTopic("listed-1", 1, (short) 1), new NewTopic("listed-2", 1, (short) 1))).all().get();
        Set<String> names = admin.listTopics().names().get();
        assertTrue(names.containsAll(Set.of("listed-1", "listed-2")), "listed: " + names);
    }

    @Test
    void createPartitionsIncreasesAndRefusesDecrease() throws Exception {
        admin.createTopics(List.of(new NewTopic("grow", 3, (short) 1))).all().get();
        admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(5))).all().get();
        assertEquals(5, admin.describeTopics(List.of("grow")).allTopicNames().get().get("grow").partitions().size());

        Throwable down = failure(admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(2))).all());
        assertInstanceOf(InvalidPartitionsException.class, down);
        assertEquals("Topic currently has 5 partitions, which is higher than the requested 2.", down.getMessage());
        Throwable same = failure(admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(5))).all());
        assertInstanceOf(InvalidPartitionsException.class, same);
        assertEquals("Topic currently has 5 partitions, which is equal to the requested 5.", same.getMessage());

        assertInstanceOf(InvalidReplicaAssignmentException.class, failure(admin.createPartitions(
                Map.of("grow", NewPartitions.increaseTo(6, List.of(List.of(7))))).all()));
        admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(6, List.of(List.of(1))))).all().get();
        assertInstanceOf(UnknownTopicOrPartitionException.class,
                failure(admin.createPartitions(Map.of("no-such-topic", NewPartitions.increaseTo(2))).all()));
    }

    @Test
    void describeTopicConfigsReportsSourcesSynonymsAndDocumentation() throws Exception {
        admin.createTopics(List.of(new NewTopic("described", 1, (short) 1).configs(Map.of("segment.bytes", "2097152")))).all().get();
        Config c = describe(topicResource("described"));

        ConfigEntry segment = c.get("segment.bytes");
        assertEquals("2097152", segment.value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, segment.source());
        assertEquals(ConfigEntry.ConfigType.INT, segment.type());
        assertNotNull(segment.documentation());
        assertEquals(List.of(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, ConfigEntry.ConfigSource.DEFAULT_CONFIG),
                segment.synonyms().stream().map(ConfigEntry.ConfigSynonym::source).toList());
        assertEquals("log.segment.bytes", segment.synonyms().get(1).name());

        ConfigEntry retention = c.get("retention.ms");
        assertEquals(Long.toString(48 * 3_600_000L), retention.value(), "log.retention.hours=48 from the node");
        // Kafka 4.3 lists a topic config's broker synonyms only from its exact broker name on
        // (ConfigHelper drops log.retention.hours before log.retention.ms), so this reads as a default.
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, retention.source());
        assertEquals(List.of(), retention.synonyms());

        ConfigEntry policy = c.get("cleanup.policy");
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, policy.source());
        assertEquals(ConfigEntry.ConfigType.LIST, policy.type());
        assertFalse(policy.isReadOnly());
        assertFalse(policy.isSensitive());

        ConfigResource r = topicResource("described");
        Config filtered = admin.describeConfigs(List.of(r)).all().get().get(r);
        assertTrue(filtered.entries().size() > 20, "every topic config is reported");

        assertInstanceOf(UnknownTopicOrPartitionException.class,
                failure(admin.describeConfigs(List.of(topicResource("not-there"))).all()));
    }

    @Test
    void describeBrokerConfigsReportsTopicDefaultsAndNodeSettings() throws Exception {
        Config c = describe(new ConfigResource(ConfigResource.Type.BROKER, "1"));
        assertEquals("1", c.get("node.id").value());
        assertEquals("2", c.get("num.partitions").value());
        assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, c.get("num.partitions").source());
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, c.get("delete.topic.enable").source());
        assertEquals("48", c.get("log.retention.hours").value());
        assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, c.get("log.retention.hours").source());
        assertTrue(c.get("log.retention.hours").isReadOnly(), "Kafka does not let log.retention.hours change at runtime");
        assertNull(c.get("log.retention.ms").value(), "unset, as in Kafka: the default comes from log.retention.hours");
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, c.get("log.retention.ms").source());
        assertFalse(c.get("log.retention.ms").isReadOnly());
        assertTrue(c.get("log.dirs").isReadOnly());
        assertEquals(ConfigEntry.ConfigType.LIST, c.get("log.dirs").type());
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, c.get("log.segment.bytes").source());
        assertNotNull(c.get("log.dirs"));
        assertNotNull(c.get("socket.request.max.bytes"));
        assertNotNull(c.get("auto.create.topics.enable"));
        assertNotNull(c.get("min.insync.replicas"));

        Config clusterDefaults = describe(new ConfigResource(ConfigResource.Type.BROKER, ""));
        assertTrue(clusterDefaults.entries().isEmpty(), "no dynamic cluster-wide defaults");
        // (Another broker id cannot be tested through Admin: it routes the request to that broker.)
    }

    @Test
    void incrementalAlterConfigsSetAppendSubtractDelete() throws Exception {
        admin.createTopics(List.of(new NewTopic("altered", 1, (short) 1))).all().get();
        ConfigResource r = topicResource("altered");
        admin.incrementalAlterConfigs(Map.of(r, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "60000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND)))).all().get();
        Config c = describe(r);
        assertEquals("60000", c.get("retention.ms").value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, c.get("retention.ms").source());
        assertEquals("delete,compact", c.get("cleanup.policy").value());

        admin.incrementalAlterConfigs(Map.of(r, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SUBTRACT)))).all().get();
        c = describe(r);
        assertEquals(Long.toString(48 * 3_600_000L), c.get("retention.ms").value(), "back to the node's value");
        assertEquals("compact", c.get("cleanup.policy").value());

        Throwable bad = failure(admin.incrementalAlterConfigs(Map.of(r, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "-5"), AlterConfigOp.OpType.SET)))).all());
        assertInstanceOf(InvalidConfigurationException.class, bad);
        assertInstanceOf(InvalidConfigurationException.class, failure(admin.incrementalAlterConfigs(Map.of(r, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.APPEND)))).all()));
        assertInstanceOf(InvalidConfigurationException.class, failure(admin.incrementalAlterConfigs(Map.of(r, List.of(
                new AlterConfigOp(new ConfigEntry("not.a.config", "1"), AlterConfigOp.OpType.SET)))).all()));
        assertInstanceOf(UnknownTopicOrPartitionException.class, failure(admin.incrementalAlterConfigs(Map.of(topicResource("ghost"), List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET)))).all()));
        assertInstanceOf(InvalidRequestException.class, failure(admin.incrementalAlterConfigs(Map.of(
                new ConfigResource(ConfigResource.Type.BROKER, "1"), List.of(
                new AlterConfigOp(new ConfigEntry("log.dirs", "/elsewhere"), AlterConfigOp.OpType.SET)))).all()),
                "static-only broker configs cannot change at runtime");
    }

    @Test
    void incrementalAlterValidateOnlyChangesNothing() throws Exception {
        admin.createTopics(List.of(new NewTopic("dry-alter", 1, (short) 1))).all().get();
        ConfigResource r = topicResource("dry-alter");
        admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "60000"),
                AlterConfigOp.OpType.SET))), new org.apache.kafka.clients.admin.AlterConfigsOptions().validateOnly(true)).all().get();
        assertNotEquals("60000", describe(r).get("retention.ms").value());
    }

    @Test
    void deleteTopicsByNameAndById() throws Exception {
        CreateTopicsResult created = admin.createTopics(List.of(new NewTopic("doomed-1", 2, (short) 1), new NewTopic("doomed-2", 1, (short) 1)));
        created.all().get();
        admin.deleteTopics(List.of("doomed-1")).all().get();
        admin.deleteTopics(TopicCollection.ofTopicIds(List.of(created.topicId("doomed-2").get()))).all().get();
        Set<String> names = admin.listTopics().names().get();
        assertFalse(names.contains("doomed-1") || names.contains("doomed-2"), "deleted: " + names);

        assertInstanceOf(UnknownTopicOrPartitionException.class, failure(admin.deleteTopics(List.of("doomed-1")).all()));
        assertInstanceOf(UnknownTopicIdException.class,
                failure(admin.deleteTopics(TopicCollection.ofTopicIds(List.of(Uuid.randomUuid()))).all()));

        // The name can be reused, with a new id and empty partitions.
        CreateTopicsResult again = admin.createTopics(List.of(new NewTopic("doomed-1", 1, (short) 1)));
        again.all().get();
        assertNotEquals(created.topicId("doomed-1").get(), again.topicId("doomed-1").get());
    }

    @Test
    void describeClusterShowsThisNode() throws Exception {
        DescribeClusterResult r = admin.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true));
        List<Node> nodes = List.copyOf(r.nodes().get());
        assertEquals(1, nodes.size());
        assertEquals(1, nodes.get(0).id());
        assertEquals("127.0.0.1", nodes.get(0).host());
        assertEquals(node.kafkaPort(), nodes.get(0).port());
        assertEquals(1, r.controller().get().id());
        assertNotNull(r.clusterId().get());
        assertTrue(r.authorizedOperations().get().contains(AclOperation.DESCRIBE));
        assertNull(admin.describeCluster().authorizedOperations().get(), "not requested, not reported");
    }
}
