package io.tributary.kafka;

import io.tributary.testing.TestNode;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The config APIs' answers that kafka-configs.sh and the Admin client cannot provoke, over a raw
 * connection, compared with what Apache Kafka 4.3 answers (ConfigAdminManager, ConfigHelper,
 * ClientQuotasImage, ScramImage): request checks and their messages, read-only flags, documentation
 * left out, and the empty quota and SCRAM descriptions.
 */
class ConfigRequestChecksTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir);
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(10_000);
            req.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("checked").setNumPartitions(1)
                    .setReplicationFactor((short) 1));
            k.call(ApiKeys.CREATE_TOPICS, (short) 7, req);
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static AlterableConfig op(String name, String value, byte operation) {
        return new AlterableConfig().setName(name).setValue(value).setConfigOperation(operation);
    }

    private static AlterConfigsResource resource(ConfigResource.Type type, String name, AlterableConfig... configs) {
        AlterConfigsResource r = new AlterConfigsResource().setResourceType(type.id()).setResourceName(name);
        for (AlterableConfig c : configs) {
            r.configs().add(c);
        }
        return r;
    }

    private static List<String> incremental(AlterConfigsResource... resources) throws Exception {
        IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData();
        for (AlterConfigsResource r : resources) {
            req.resources().add(r);
        }
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            IncrementalAlterConfigsResponseData resp = k.call(ApiKeys.INCREMENTAL_ALTER_CONFIGS, (short) 1, req);
            return resp.responses().stream()
                    .map(r -> Errors.forCode(r.errorCode()) + (r.errorCode() == 0 ? "" : ": " + r.errorMessage())).toList();
        }
    }

    private static final byte SET = 0;
    private static final byte DELETE = 1;
    private static final byte APPEND = 2;

    @Test
    void incrementalAlterChecksTheRequestAsKafkaDoes() throws Exception {
        AlterConfigsResource once = resource(ConfigResource.Type.TOPIC, "checked", op("retention.ms", "5000", SET));
        AlterConfigsResource again = resource(ConfigResource.Type.TOPIC, "checked", op("retention.ms", "6000", SET));
        assertEquals(List.of("INVALID_REQUEST: Each resource must appear at most once.",
                "INVALID_REQUEST: Each resource must appear at most once."), incremental(once, again));

        assertEquals(List.of("INVALID_REQUEST: Null value not supported for : retention.ms"),
                incremental(resource(ConfigResource.Type.TOPIC, "checked", op("retention.ms", null, SET))));
        assertEquals(List.of("INVALID_REQUEST: Null value not supported for : retention.ms"),
                incremental(resource(ConfigResource.Type.TOPIC, "no-such-topic", op("retention.ms", null, SET))),
                "checked before the topic is looked up");
        assertEquals(List.of("NONE"), incremental(resource(ConfigResource.Type.TOPIC, "checked", op("retention.ms", null, DELETE))),
                "DELETE needs no value");

        assertEquals(List.of("INVALID_CONFIG: Can't APPEND to key retention.ms because its type is not LIST."),
                incremental(resource(ConfigResource.Type.TOPIC, "checked", op("retention.ms", "1", APPEND))));
        assertEquals(List.of("INVALID_CONFIG: Can't APPEND to key no.such.config because its type is not LIST."),
                incremental(resource(ConfigResource.Type.TOPIC, "checked", op("no.such.config", "1", APPEND))));
        assertEquals(List.of("INVALID_CONFIG: Config value append is not allowed for config key: log.retention.ms"),
                incremental(resource(ConfigResource.Type.BROKER, "1", op("log.retention.ms", "1", APPEND))));
        assertEquals(List.of("INVALID_CONFIG: Unknown config name: no.such.config"),
                incremental(resource(ConfigResource.Type.BROKER, "1", op("no.such.config", "1", APPEND))));

        assertEquals(List.of("INVALID_REQUEST: Node id must be an integer, but it is: one"),
                incremental(resource(ConfigResource.Type.BROKER, "one", op("log.retention.ms", "1", SET))));
        assertEquals(List.of("INVALID_REQUEST: Unexpected broker id, expected 1, but received 2"),
                incremental(resource(ConfigResource.Type.BROKER, "2", op("log.retention.ms", "1", SET))));
    }

    @Test
    void brokerLoggerChangesAreCheckedAsKafkaChecksThem() throws Exception {
        assertEquals(List.of("INVALID_REQUEST: Unexpected node id. Expected 1, but received 2"),
                incremental(resource(ConfigResource.Type.BROKER_LOGGER, "2", op("root", "INFO", SET))));
        assertEquals(List.of("INVALID_REQUEST: Node id must be an integer, but it is: x"),
                incremental(resource(ConfigResource.Type.BROKER_LOGGER, "x", op("root", "INFO", SET))));
        assertEquals(List.of("INVALID_CONFIG: Logger no.such.logger does not exist!"),
                incremental(resource(ConfigResource.Type.BROKER_LOGGER, "1", op("no.such.logger", "INFO", SET))));
        assertEquals(List.of("INVALID_REQUEST: APPEND operation is not allowed for the BROKER_LOGGER resource"),
                incremental(resource(ConfigResource.Type.BROKER_LOGGER, "1", op("root", "INFO", APPEND))));
        assertEquals(List.of("NONE"), incremental(resource(ConfigResource.Type.BROKER_LOGGER, "1", op("root", "WARN", SET))),
                "root is WARN already (logback-test.xml): a no-op that must succeed");
    }

    @Test
    void appendToAListStartsFromKafkasDefaultNotTheBrokerLevelValue() throws Exception {
        assertEquals(List.of("NONE"), incremental(resource(ConfigResource.Type.BROKER, "", op("log.cleanup.policy", "compact", SET))));
        try {
            // Kafka's controller appends to the topic config's own default ("delete"), as checked against 4.3.
            assertEquals(List.of("NONE"), incremental(resource(ConfigResource.Type.TOPIC, "checked", op("cleanup.policy", "compact", APPEND))));
            assertEquals("delete,compact", describe(ConfigResource.Type.TOPIC, "checked", false).get("cleanup.policy").value());
            assertEquals(List.of("NONE"), incremental(resource(ConfigResource.Type.BROKER, "1", op("log.cleanup.policy", "compact", APPEND))));
            assertEquals("delete,compact", describe(ConfigResource.Type.BROKER, "1", false).get("log.cleanup.policy").value(),
                    "the broker's list starts from Kafka's default, not from the cluster-wide value");
        } finally {
            incremental(resource(ConfigResource.Type.TOPIC, "checked", op("cleanup.policy", null, DELETE)));
            incremental(resource(ConfigResource.Type.BROKER, "1", op("log.cleanup.policy", null, DELETE)));
            incremental(resource(ConfigResource.Type.BROKER, "", op("log.cleanup.policy", null, DELETE)));
        }
    }

    @Test
    void legacyAlterRefusesNullValuesAndDuplicateResources() throws Exception {
        AlterConfigsRequestData req = new AlterConfigsRequestData();
        req.resources().add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id())
                .setResourceName("checked"));
        req.resources().iterator().next().configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue(null));
        req.resources().add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(ConfigResource.Type.BROKER.id())
                .setResourceName("1"));
        req.resources().add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(ConfigResource.Type.BROKER.id())
                .setResourceName("1"));
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            AlterConfigsResponseData resp = k.call(ApiKeys.ALTER_CONFIGS, (short) 2, req);
            assertEquals(List.of("INVALID_REQUEST: Null value not supported for : retention.ms",
                            "INVALID_REQUEST: Each resource must appear at most once.",
                            "INVALID_REQUEST: Each resource must appear at most once."),
                    resp.responses().stream().map(r -> Errors.forCode(r.errorCode()) + ": " + r.errorMessage()).toList());
        }
    }

    /** Describes every config of a resource: the request's key list is left empty, which means all (Kafka's rule). */
    private static Map<String, DescribeConfigsResourceResult> describe(ConfigResource.Type type, String name, boolean docs)
            throws Exception {
        DescribeConfigsRequestData req = new DescribeConfigsRequestData().setIncludeSynonyms(true).setIncludeDocumentation(docs);
        req.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(type.id()).setResourceName(name));
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            DescribeConfigsResponseData resp = k.call(ApiKeys.DESCRIBE_CONFIGS, (short) 4, req);
            assertEquals(Errors.NONE.code(), resp.results().get(0).errorCode(), resp.results().get(0).errorMessage());
            return resp.results().get(0).configs().stream()
                    .collect(Collectors.toMap(DescribeConfigsResourceResult::name, Function.identity()));
        }
    }

    @Test
    void describeMarksWhatCannotChangeAtRuntimeReadOnlyAndLeavesDocumentationOutUnlessAsked() throws Exception {
        Map<String, DescribeConfigsResourceResult> broker = describe(ConfigResource.Type.BROKER, "1", false);
        for (String dynamic : List.of("log.retention.ms", "log.segment.bytes", "log.cleanup.policy", "message.max.bytes")) {
            assertFalse(broker.get(dynamic).readOnly(), dynamic);
        }
        for (String fixed : List.of("log.retention.hours", "log.dirs", "node.id", "num.partitions", "num.io.threads")) {
            assertTrue(broker.get(fixed).readOnly(), fixed);
        }
        assertTrue(broker.size() > 50, "an empty key list asks for every config: " + broker.keySet());
        broker.values().forEach(c -> assertNull(c.documentation(), c.name() + " documentation not asked for"));
        assertFalse(describe(ConfigResource.Type.TOPIC, "checked", false).get("retention.ms").readOnly());
        assertTrue(describe(ConfigResource.Type.TOPIC, "checked", true).get("retention.ms").documentation().contains("retain"));
    }

    private static DescribeClientQuotasResponseData quotas(DescribeClientQuotasRequestData.ComponentData... components)
            throws Exception {
        DescribeClientQuotasRequestData req = new DescribeClientQuotasRequestData();
        req.components().addAll(List.of(components));
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            return k.call(ApiKeys.DESCRIBE_CLIENT_QUOTAS, (short) 1, req);
        }
    }

    private static DescribeClientQuotasRequestData.ComponentData component(String type, byte matchType, String match) {
        return new DescribeClientQuotasRequestData.ComponentData().setEntityType(type).setMatchType(matchType).setMatch(match);
    }

    @Test
    void clientQuotasDescribeAsNoneAndFiltersAreCheckedAsKafkaChecksThem() throws Exception {
        for (short v = ApiKeys.DESCRIBE_CLIENT_QUOTAS.oldestVersion(); v <= ApiKeys.DESCRIBE_CLIENT_QUOTAS.latestVersion(); v++) {
            DescribeClientQuotasRequestData req = new DescribeClientQuotasRequestData();
            req.components().add(component("user", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null));
            try (RawKafka k = new RawKafka(node.kafkaPort())) {
                DescribeClientQuotasResponseData resp = k.call(ApiKeys.DESCRIBE_CLIENT_QUOTAS, v, req);
                assertEquals(Errors.NONE.code(), resp.errorCode(), "v" + v);
                assertTrue(resp.entries().isEmpty(), "v" + v);
            }
        }
        assertEquals(Errors.NONE.code(), quotas(component("client-id", DescribeClientQuotasRequest.MATCH_TYPE_EXACT, "app"),
                component("user", DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT, null)).errorCode());

        Map<String, DescribeClientQuotasResponseData> bad = Map.of(
                "INVALID_REQUEST: Request specified MATCH_TYPE_EXACT, but set match string to null.",
                quotas(component("user", DescribeClientQuotasRequest.MATCH_TYPE_EXACT, null)),
                "INVALID_REQUEST: Entity type user cannot appear more than once in the filter.",
                quotas(component("user", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null),
                        component("user", DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT, null)),
                "UNSUPPORTED_VERSION: Unsupported entity type group",
                quotas(component("group", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null)),
                "INVALID_REQUEST: Invalid entity filter component combination. IP filter component should not be used "
                        + "with user or clientId filter component.",
                quotas(component("ip", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null),
                        component("user", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null)));
        bad.forEach((expected, resp) -> assertEquals(expected, Errors.forCode(resp.errorCode()) + ": " + resp.errorMessage()));
    }

    @Test
    void scramCredentialsDescribeAsNone() throws Exception {
        try (RawKafka k = new RawKafka(node.kafkaPort())) {
            DescribeUserScramCredentialsResponseData all = k.call(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, (short) 0,
                    new DescribeUserScramCredentialsRequestData().setUsers(null));
            assertEquals(Errors.NONE.code(), all.errorCode());
            assertTrue(all.results().isEmpty());

            DescribeUserScramCredentialsRequestData named = new DescribeUserScramCredentialsRequestData();
            for (String u : List.of("alice", "bob", "alice")) {
                named.users().add(new DescribeUserScramCredentialsRequestData.UserName().setName(u));
            }
            DescribeUserScramCredentialsResponseData resp = k.call(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, (short) 0, named);
            assertEquals(List.of(
                            "alice DUPLICATE_RESOURCE: Cannot describe SCRAM credentials for the same user twice in a single request: alice",
                            "bob RESOURCE_NOT_FOUND: Attempt to describe a user credential that does not exist: bob"),
                    resp.results().stream().map(r -> r.user() + " " + Errors.forCode(r.errorCode()) + ": " + r.errorMessage()).toList());
        }
    }
}
