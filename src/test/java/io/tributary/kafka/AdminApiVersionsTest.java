package io.tributary.kafka;

import io.tributary.testing.TestNode;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every advertised version of every administrative API, over a raw connection: requests written and
 * responses parsed by kafka-clients' generated codecs, so a field we set at a version that cannot carry
 * it fails here. Also the cases the Admin client cannot produce (legacy AlterConfigs, duplicate names,
 * other broker ids, endpoint types, old versions' error codes).
 */
class AdminApiVersionsTest {
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

    private static String err(short code, String message) {
        return Errors.forCode(code) + ": " + message;
    }

    private static CreatableTopic topic(String name, int partitions) {
        return new CreatableTopic().setName(name).setNumPartitions(partitions).setReplicationFactor((short) 1);
    }

    private static CreatableTopicResult create(RawKafka k, short v, CreatableTopic... topics) throws Exception {
        CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(10_000);
        for (CreatableTopic t : topics) {
            req.topics().add(t);
        }
        CreateTopicsResponseData resp = k.call(ApiKeys.CREATE_TOPICS, v, req);
        return resp.topics().iterator().next();
    }

    @Test
    void createTopicsEveryVersion() throws Exception {
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            for (short v = ApiKeys.CREATE_TOPICS.oldestVersion(); v <= ApiKeys.CREATE_TOPICS.latestVersion(); v++) {
                CreatableTopic t = topic("ct-v" + v, 2);
                t.configs().add(new CreatableTopicConfig().setName("retention.ms").setValue("1000"));
                CreatableTopicResult r = create(k, v, t);
                assertEquals(Errors.NONE.code(), r.errorCode(), "v" + v + " " + err(r.errorCode(), r.errorMessage()));
                if (v >= 5) {
                    assertEquals(2, r.numPartitions());
                    assertEquals(1, r.replicationFactor());
                    assertTrue(r.configs().stream().anyMatch(c -> c.name().equals("retention.ms") && c.value().equals("1000")
                            && c.configSource() == ConfigSource.TOPIC_CONFIG.id()), "v" + v + " configs");
                }
                if (v >= 7) {
                    assertNotEquals(Uuid.ZERO_UUID, r.topicId());
                }
                CreatableTopicResult again = create(k, v, topic("ct-v" + v, 2));
                assertEquals(Errors.TOPIC_ALREADY_EXISTS.code(), again.errorCode());
                assertEquals("Topic 'ct-v" + v + "' already exists.", again.errorMessage());
            }
        }
    }

    @Test
    void createTopicsRequestLevelChecks() throws Exception {
        short v = ApiKeys.CREATE_TOPICS.latestVersion();
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(10_000);
            req.topics().add(topic("twice", 1));
            req.topics().add(topic("twice", 2));
            req.topics().add(topic("once", 1));
            CreateTopicsResponseData resp = k.call(ApiKeys.CREATE_TOPICS, v, req);
            assertEquals(2, resp.topics().size(), "one result per distinct name");
            CreatableTopicResult twice = resp.topics().find("twice");
            assertEquals(Errors.INVALID_REQUEST.code(), twice.errorCode());
            assertNotNull(twice.errorMessage());
            assertEquals(Errors.NONE.code(), resp.topics().find("once").errorCode());

            CreatableTopicResult defaults = create(k, v, new CreatableTopic().setName("all-defaults")
                    .setNumPartitions(-1).setReplicationFactor((short) -1));
            assertEquals(Errors.NONE.code(), defaults.errorCode());
            assertEquals(1, defaults.numPartitions());

            CreatableTopicResult zero = create(k, v, topic("zero-partitions", 0));
            assertEquals(Errors.INVALID_PARTITIONS.code(), zero.errorCode());
            CreatableTopicResult rf0 = create(k, v, topic("rf0", 1).setReplicationFactor((short) 0));
            assertEquals(Errors.INVALID_REPLICATION_FACTOR.code(), rf0.errorCode());
            CreatableTopicResult invalid = create(k, v, topic("no spaces", 1));
            assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), invalid.errorCode());
            assertNotNull(invalid.errorMessage());
            assertEquals(Errors.NONE.code(), create(k, v, topic("metrics.a", 1)).errorCode());
            CreatableTopicResult collides = create(k, v, topic("metrics_a", 1));
            assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), collides.errorCode(), "'.' and '_' collide in metric names");
            assertNotNull(collides.errorMessage());
        }
    }

    @Test
    void deleteTopicsEveryVersionByNameAndId() throws Exception {
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            for (short v = ApiKeys.DELETE_TOPICS.oldestVersion(); v <= ApiKeys.DELETE_TOPICS.latestVersion(); v++) {
                CreatableTopicResult created = create(k, (short) 7, topic("dt-v" + v, 1));
                DeleteTopicsRequestData req = new DeleteTopicsRequestData().setTimeoutMs(10_000);
                if (v >= 6) {
                    req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setTopicId(created.topicId()));
                    req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("dt-missing"));
                } else {
                    req.setTopicNames(List.of("dt-v" + v, "dt-missing"));
                }
                DeleteTopicsResponseData resp = k.call(ApiKeys.DELETE_TOPICS, v, req);
                DeleteTopicsResponseData.DeletableTopicResult ok = resp.responses().find("dt-v" + v);
                assertNotNull(ok, "v" + v + " result carries the name");
                assertEquals(Errors.NONE.code(), ok.errorCode(), "v" + v + " " + err(ok.errorCode(), ok.errorMessage()));
                if (v >= 6) {
                    assertEquals(created.topicId(), ok.topicId());
                }
                DeleteTopicsResponseData.DeletableTopicResult missing = resp.responses().find("dt-missing");
                assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), missing.errorCode());
                if (v >= 5) {
                    assertNotNull(missing.errorMessage());
                }
            }
            DeleteTopicsRequestData unknownId = new DeleteTopicsRequestData().setTimeoutMs(10_000);
            unknownId.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setTopicId(Uuid.randomUuid()));
            DeleteTopicsResponseData resp = k.call(ApiKeys.DELETE_TOPICS, (short) 6, unknownId);
            assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), resp.responses().iterator().next().errorCode());
        }
    }

    @Test
    void deleteTopicsWhenDeletionIsDisabled(@TempDir Path otherDir) throws Exception {
        try (TestNode locked = TestNode.start(otherDir, Map.of("delete.topic.enable", "false"));
             RawKafka k = new RawKafka(locked.kafkaPort())) {
            create(k, (short) 7, topic("kept", 1));
            for (short v = ApiKeys.DELETE_TOPICS.oldestVersion(); v <= ApiKeys.DELETE_TOPICS.latestVersion(); v++) {
                DeleteTopicsRequestData req = new DeleteTopicsRequestData().setTimeoutMs(10_000);
                if (v >= 6) {
                    req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("kept"));
                } else {
                    req.setTopicNames(List.of("kept"));
                }
                DeleteTopicsResponseData resp = k.call(ApiKeys.DELETE_TOPICS, v, req);
                Errors expected = v < 3 ? Errors.INVALID_REQUEST : Errors.TOPIC_DELETION_DISABLED;
                assertEquals(expected.code(), resp.responses().find("kept").errorCode(), "v" + v);
            }
            assertEquals(Errors.TOPIC_ALREADY_EXISTS.code(), create(k, (short) 7, topic("kept", 1)).errorCode(), "still there");
        }
    }

    @Test
    void createPartitionsEveryVersion() throws Exception {
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            create(k, (short) 7, topic("cp", 1));
            int count = 1;
            for (short v = ApiKeys.CREATE_PARTITIONS.oldestVersion(); v <= ApiKeys.CREATE_PARTITIONS.latestVersion(); v++) {
                count++;
                CreatePartitionsRequestData req = new CreatePartitionsRequestData().setTimeoutMs(10_000);
                req.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("cp").setCount(count).setAssignments(null));
                CreatePartitionsResponseData resp = k.call(ApiKeys.CREATE_PARTITIONS, v, req);
                CreatePartitionsResponseData.CreatePartitionsTopicResult r = resp.results().iterator().next();
                assertEquals(Errors.NONE.code(), r.errorCode(), "v" + v + " " + err(r.errorCode(), r.errorMessage()));
                assertNull(r.errorMessage());
            }
            CreatePartitionsRequestData dry = new CreatePartitionsRequestData().setTimeoutMs(10_000).setValidateOnly(true);
            dry.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("cp").setCount(count + 10).setAssignments(null));
            CreatePartitionsResponseData resp = k.call(ApiKeys.CREATE_PARTITIONS, (short) 3, dry);
            assertEquals(Errors.NONE.code(), resp.results().iterator().next().errorCode());
            CreatePartitionsRequestData shrink = new CreatePartitionsRequestData().setTimeoutMs(10_000);
            shrink.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("cp").setCount(count + 1).setAssignments(null));
            resp = k.call(ApiKeys.CREATE_PARTITIONS, (short) 3, shrink);
            assertEquals(Errors.NONE.code(), resp.results().iterator().next().errorCode(), "validateOnly did not add partitions");
        }
    }

    private static DescribeConfigsResult describe(RawKafka k, short v, ConfigResource.Type type, String name,
                                                  List<String> keys) throws Exception {
        DescribeConfigsRequestData req = new DescribeConfigsRequestData().setIncludeSynonyms(true)
                .setIncludeDocumentation(v >= 3);
        req.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(type.id()).setResourceName(name).setConfigurationKeys(keys));
        DescribeConfigsResponseData resp = k.call(ApiKeys.DESCRIBE_CONFIGS, v, req);
        return resp.results().get(0);
    }

    @Test
    void describeConfigsEveryVersion() throws Exception {
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            CreatableTopic t = topic("dc", 1);
            t.configs().add(new CreatableTopicConfig().setName("cleanup.policy").setValue("compact"));
            create(k, (short) 7, t);
            for (short v = ApiKeys.DESCRIBE_CONFIGS.oldestVersion(); v <= ApiKeys.DESCRIBE_CONFIGS.latestVersion(); v++) {
                DescribeConfigsResult r = describe(k, v, ConfigResource.Type.TOPIC, "dc", null);
                assertEquals(Errors.NONE.code(), r.errorCode(), "v" + v + " " + err(r.errorCode(), r.errorMessage()));
                DescribeConfigsResourceResult policy = r.configs().stream().filter(c -> c.name().equals("cleanup.policy")).findFirst().orElseThrow();
                assertEquals("compact", policy.value());
                assertEquals(ConfigSource.TOPIC_CONFIG.id(), policy.configSource());
                assertEquals(2, policy.synonyms().size(), "topic override, then Kafka's default");
                if (v >= 3) {
                    assertNotNull(policy.documentation());
                }

                DescribeConfigsResult filtered = describe(k, v, ConfigResource.Type.TOPIC, "dc", List.of("retention.ms", "nope"));
                assertEquals(List.of("retention.ms"), filtered.configs().stream().map(DescribeConfigsResourceResult::name).toList());

                DescribeConfigsResult broker = describe(k, v, ConfigResource.Type.BROKER, "1", null);
                assertEquals(Errors.NONE.code(), broker.errorCode());
                assertTrue(broker.configs().size() > 30, "broker configs: " + broker.configs().size());

                assertEquals(Errors.INVALID_REQUEST.code(), describe(k, v, ConfigResource.Type.BROKER, "2", null).errorCode());
                assertEquals(Errors.INVALID_REQUEST.code(), describe(k, v, ConfigResource.Type.BROKER, "x", null).errorCode());
                assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), describe(k, v, ConfigResource.Type.TOPIC, "missing", null).errorCode());
                assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), describe(k, v, ConfigResource.Type.TOPIC, "bad name", null).errorCode());
                DescribeConfigsResult logger = describe(k, v, ConfigResource.Type.BROKER_LOGGER, "1", null);
                assertEquals(Errors.NONE.code(), logger.errorCode());
                assertTrue(logger.configs().stream().anyMatch(c -> c.name().equals("root")
                        && c.configSource() == ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG.id()), "v" + v + " " + logger.configs());
                assertEquals(Errors.INVALID_REQUEST.code(), describe(k, v, ConfigResource.Type.BROKER_LOGGER, "", null).errorCode());
            }
        }
    }

    private static String topicValue(RawKafka k, String topic, String name) throws Exception {
        DescribeConfigsResult r = describe(k, (short) 4, ConfigResource.Type.TOPIC, topic, List.of(name));
        return r.configs().get(0).value() + "@" + ConfigSource.forId(r.configs().get(0).configSource());
    }

    @Test
    void legacyAlterConfigsReplacesAllOverrides() throws Exception {
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            CreatableTopic t = topic("legacy", 1);
            t.configs().add(new CreatableTopicConfig().setName("cleanup.policy").setValue("compact"));
            create(k, (short) 7, t);
            for (short v = ApiKeys.ALTER_CONFIGS.oldestVersion(); v <= ApiKeys.ALTER_CONFIGS.latestVersion(); v++) {
                AlterConfigsRequestData req = new AlterConfigsRequestData();
                AlterConfigsRequestData.AlterConfigsResource res = new AlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("legacy");
                res.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue(Integer.toString(1000 + v)));
                req.resources().add(res);
                AlterConfigsResponseData resp = k.call(ApiKeys.ALTER_CONFIGS, v, req);
                AlterConfigsResponseData.AlterConfigsResourceResponse r = resp.responses().get(0);
                assertEquals(Errors.NONE.code(), r.errorCode(), "v" + v + " " + err(r.errorCode(), r.errorMessage()));
                assertEquals((1000 + v) + "@TOPIC_CONFIG", topicValue(k, "legacy", "retention.ms"));
                assertEquals("delete@DEFAULT_CONFIG", topicValue(k, "legacy", "cleanup.policy"), "left out means back to default");
            }
            AlterConfigsRequestData bad = new AlterConfigsRequestData();
            AlterConfigsRequestData.AlterConfigsResource res = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("legacy");
            res.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue("never"));
            bad.resources().add(res);
            bad.resources().add(new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName("7"));
            AlterConfigsResponseData resp = k.call(ApiKeys.ALTER_CONFIGS, (short) 2, bad);
            assertEquals(Errors.INVALID_CONFIG.code(), resp.responses().get(0).errorCode());
            assertNotNull(resp.responses().get(0).errorMessage());
            assertEquals(Errors.INVALID_REQUEST.code(), resp.responses().get(1).errorCode());
            assertTrue(resp.responses().get(1).errorMessage().contains("Unexpected broker id"), resp.responses().get(1).errorMessage());
            assertEquals("1002@TOPIC_CONFIG", topicValue(k, "legacy", "retention.ms"), "a refused alteration changes nothing");
        }
    }

    @Test
    void incrementalAlterConfigsEveryVersion() throws Exception {
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            create(k, (short) 7, topic("incr", 1));
            for (short v = ApiKeys.INCREMENTAL_ALTER_CONFIGS.oldestVersion(); v <= ApiKeys.INCREMENTAL_ALTER_CONFIGS.latestVersion(); v++) {
                IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData();
                IncrementalAlterConfigsRequestData.AlterConfigsResource res = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("incr");
                res.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("max.message.bytes")
                        .setConfigOperation((byte) 0).setValue(Integer.toString(2000 + v)));
                req.resources().add(res);
                IncrementalAlterConfigsResponseData resp = k.call(ApiKeys.INCREMENTAL_ALTER_CONFIGS, v, req);
                IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse r = resp.responses().get(0);
                assertEquals(Errors.NONE.code(), r.errorCode(), "v" + v + " " + err(r.errorCode(), r.errorMessage()));
                assertEquals((2000 + v) + "@TOPIC_CONFIG", topicValue(k, "incr", "max.message.bytes"));
            }
            IncrementalAlterConfigsRequestData dup = new IncrementalAlterConfigsRequestData();
            IncrementalAlterConfigsRequestData.AlterConfigsResource res = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("incr");
            res.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("1"));
            res.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 1));
            dup.resources().add(res);
            IncrementalAlterConfigsResponseData resp = k.call(ApiKeys.INCREMENTAL_ALTER_CONFIGS, (short) 1, dup);
            assertEquals(Errors.INVALID_REQUEST.code(), resp.responses().get(0).errorCode());
        }
    }

    @Test
    void describeClusterEveryVersionAndEndpointTypes() throws Exception {
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            for (short v = ApiKeys.DESCRIBE_CLUSTER.oldestVersion(); v <= ApiKeys.DESCRIBE_CLUSTER.latestVersion(); v++) {
                DescribeClusterResponseData r = k.call(ApiKeys.DESCRIBE_CLUSTER, v, new DescribeClusterRequestData());
                assertEquals(Errors.NONE.code(), r.errorCode(), "v" + v + " " + err(r.errorCode(), r.errorMessage()));
                assertEquals(1, r.brokers().size());
                DescribeClusterResponseData.DescribeClusterBroker b = r.brokers().iterator().next();
                assertEquals(1, b.brokerId());
                assertEquals("127.0.0.1", b.host());
                assertEquals(node.kafkaPort(), b.port());
                assertEquals(1, r.controllerId());
                assertNotNull(r.clusterId());
                assertEquals(Integer.MIN_VALUE, r.clusterAuthorizedOperations());
                assertFalse(b.isFenced());
            }
            DescribeClusterResponseData controllers = k.call(ApiKeys.DESCRIBE_CLUSTER, (short) 1,
                    new DescribeClusterRequestData().setEndpointType((byte) 2));
            assertEquals(Errors.MISMATCHED_ENDPOINT_TYPE.code(), controllers.errorCode());
            assertEquals("The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER",
                    controllers.errorMessage());
            DescribeClusterResponseData unknown = k.call(ApiKeys.DESCRIBE_CLUSTER, (short) 2,
                    new DescribeClusterRequestData().setEndpointType((byte) 3));
            assertEquals(Errors.UNSUPPORTED_ENDPOINT_TYPE.code(), unknown.errorCode());
        }
    }
}
