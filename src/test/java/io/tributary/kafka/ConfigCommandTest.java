package io.tributary.kafka;

import io.tributary.log.LogConfig;
import io.tributary.testing.Processes;
import io.tributary.testing.Processes.Result;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.InvalidRecordException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Apache Kafka's own kafka-configs.sh (kafka.admin.ConfigCommand from kafka_2.13, the version of our
 * clients), run unmodified in its own JVM as the script runs it. The expected lines are what the same
 * commands print against an Apache Kafka 4.3 broker in KRaft mode with default settings (recorded
 * from one), except where a test says otherwise.
 */
class ConfigCommandTest {
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

    /** Runs kafka-configs.sh with {@code args}; returns its result whatever the exit code. */
    private static Result configs(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", node.bootstrap()));
        all.addAll(Arrays.asList(args));
        return Processes.java("kafka.admin.ConfigCommand", all, null, 120);
    }

    /** Runs kafka-configs.sh and requires success; returns what it printed, without log lines. */
    private static List<String> ok(String... args) {
        Result r = configs(args);
        assertEquals(0, r.exitCode(), "kafka-configs " + String.join(" ", args) + " failed:\n" + r.all());
        return r.stdout().lines().filter(l -> !l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")).toList();
    }

    /** Runs kafka-configs.sh, requires it to fail, and returns everything it printed. */
    private static String fails(String... args) {
        Result r = configs(args);
        assertEquals(1, r.exitCode(), "kafka-configs " + String.join(" ", args) + " should fail:\n" + r.all());
        return r.all();
    }

    private static LogConfig running(String topic) {
        return node.node().logManager().partition(new TopicPartition(topic, 0)).config();
    }

    private static void produceWithoutKey(String topic) throws Exception {
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            p.send(new ProducerRecord<>(topic, null, "no key")).get();
        }
    }

    @Test
    void describeTopicListsOverridesAndAllListsEveryConfigWithKafkasSynonyms() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "described", 1, Map.of("segment.bytes", "2097152"));

        assertEquals(List.of("Dynamic configs for topic described are:",
                        "  segment.bytes=2097152 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.bytes=2097152, "
                                + "DEFAULT_CONFIG:log.segment.bytes=1073741824}"),
                ok("--describe", "--entity-type", "topics", "--entity-name", "described"));

        List<String> all = ok("--describe", "--entity-type", "topics", "--entity-name", "described", "--all");
        assertEquals("All configs for topic described are:", all.get(0));
        for (String line : List.of(
                "  cleanup.policy=delete sensitive=false synonyms={DEFAULT_CONFIG:log.cleanup.policy=delete}",
                "  flush.ms=9223372036854775807 sensitive=false synonyms={}",
                "  follower.replication.throttled.replicas= sensitive=false synonyms={}",
                "  local.retention.ms=-2 sensitive=false synonyms={DEFAULT_CONFIG:log.local.retention.ms=-2}",
                "  max.message.bytes=1048588 sensitive=false synonyms={DEFAULT_CONFIG:message.max.bytes=1048588}",
                "  remote.storage.enable=false sensitive=false synonyms={}",
                // Kafka lists log.retention.hours only after log.retention.ms, which is unset: no synonym.
                "  retention.ms=604800000 sensitive=false synonyms={}",
                "  segment.ms=604800000 sensitive=false synonyms={}")) {
            assertTrue(all.contains(line), "missing " + line + " in\n" + String.join("\n", all));
        }
        // Kafka 4.3 reports the same 33 topic configs. Its min.insync.replicas line also shows a
        // DYNAMIC_DEFAULT_BROKER_CONFIG synonym, a cluster-wide default its KRaft controller creates itself
        // when eligible leader replicas are enabled; Tributary has no such default to report.
        assertEquals(1 + 33, all.size(), String.join("\n", all));
    }

    @Test
    void alterTopicAddThenDeleteConfigChangesDescribeAndTheRunningLog() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "altered", 1, Map.of());
        produceWithoutKey("altered");

        assertEquals(List.of("Completed updating config for topic altered."),
                ok("--alter", "--entity-type", "topics", "--entity-name", "altered",
                        "--add-config", "retention.ms=1000,cleanup.policy=[compact,delete]"));
        assertEquals(List.of("Dynamic configs for topic altered are:",
                        "  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, "
                                + "DEFAULT_CONFIG:log.cleanup.policy=delete}",
                        "  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}"),
                ok("--describe", "--entity-type", "topics", "--entity-name", "altered"));
        assertEquals(1000L, running("altered").retentionMs());
        ExecutionException keyless = assertThrows(ExecutionException.class, () -> produceWithoutKey("altered"));
        assertInstanceOf(InvalidRecordException.class, keyless.getCause(), "a compacted topic refuses records without key");

        ok("--alter", "--entity-type", "topics", "--entity-name", "altered", "--delete-config", "retention.ms,cleanup.policy");
        assertEquals(List.of("Dynamic configs for topic altered are:"),
                ok("--describe", "--entity-type", "topics", "--entity-name", "altered"));
        assertEquals(604800000L, running("altered").retentionMs(), "back to the broker default");
        produceWithoutKey("altered");
    }

    @Test
    void describeBrokerForThisNodeTheClusterDefaultAndBoth() {
        assertEquals(List.of("Dynamic configs for broker 1 are:"), ok("--describe", "--entity-type", "brokers", "--entity-name", "1"));
        assertEquals(List.of("Default configs for brokers in the cluster are:"),
                ok("--describe", "--entity-type", "brokers", "--entity-default"));
        assertEquals(List.of("Dynamic configs for broker 1 are:", "Default configs for brokers in the cluster are:"),
                ok("--describe", "--entity-type", "brokers"));

        List<String> all = ok("--describe", "--entity-type", "brokers", "--entity-name", "1", "--all");
        assertEquals("All configs for broker 1 are:", all.get(0));
        for (String line : List.of(
                "  log.retention.ms=null sensitive=false synonyms={}",
                "  log.retention.hours=168 sensitive=false synonyms={DEFAULT_CONFIG:log.retention.hours=168}",
                "  log.roll.ms=null sensitive=false synonyms={}",
                "  log.segment.bytes=1073741824 sensitive=false synonyms={DEFAULT_CONFIG:log.segment.bytes=1073741824}",
                "  log.cleanup.policy=delete sensitive=false synonyms={DEFAULT_CONFIG:log.cleanup.policy=delete}",
                "  node.id=1 sensitive=false synonyms={STATIC_BROKER_CONFIG:node.id=1}",
                "  log.dirs=" + dir + " sensitive=false synonyms={STATIC_BROKER_CONFIG:log.dirs=" + dir + "}")) {
            assertTrue(all.contains(line), "missing " + line + " in\n" + String.join("\n", all));
        }
    }

    @Test
    void alterBrokerForThisNodeAndClusterWideReachesTopicsThenDeleteConfigUndoesIt() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "follower", 1, Map.of());
        try {
            assertEquals(List.of("Completed updating config for broker 1."),
                    ok("--alter", "--entity-type", "brokers", "--entity-name", "1", "--add-config", "log.retention.ms=3600000"));
            assertEquals(List.of("Dynamic configs for broker 1 are:",
                            "  log.retention.ms=3600000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=3600000, "
                                    + "DEFAULT_CONFIG:log.retention.hours=168}"),
                    ok("--describe", "--entity-type", "brokers", "--entity-name", "1"));

            assertEquals(List.of("Completed updating default config for brokers in the cluster."),
                    ok("--alter", "--entity-type", "brokers", "--entity-default",
                            "--add-config", "log.retention.ms=7200000,log.segment.bytes=2097152"));
            assertEquals(List.of("Dynamic configs for broker 1 are:",
                            "  log.retention.ms=3600000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=3600000, "
                                    + "DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000, DEFAULT_CONFIG:log.retention.hours=168}",
                            "Default configs for brokers in the cluster are:",
                            "  log.retention.ms=7200000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000}",
                            "  log.segment.bytes=2097152 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.segment.bytes=2097152}"),
                    ok("--describe", "--entity-type", "brokers"));

            List<String> topic = ok("--describe", "--entity-type", "topics", "--entity-name", "follower", "--all");
            assertTrue(topic.contains("  retention.ms=3600000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=3600000, "
                    + "DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=7200000, DEFAULT_CONFIG:log.retention.hours=168}"), String.join("\n", topic));
            assertTrue(topic.contains("  segment.bytes=2097152 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.segment.bytes=2097152, "
                    + "DEFAULT_CONFIG:log.segment.bytes=1073741824}"), String.join("\n", topic));
            assertEquals(3600000L, running("follower").retentionMs(), "this node's value wins over the cluster default");
            assertEquals(2097152L, running("follower").segmentBytes());

            ok("--alter", "--entity-type", "brokers", "--entity-name", "1", "--delete-config", "log.retention.ms");
            assertEquals(7200000L, running("follower").retentionMs(), "the cluster default is next");
        } finally {
            ok("--alter", "--entity-type", "brokers", "--entity-name", "1", "--delete-config", "log.retention.ms");
            ok("--alter", "--entity-type", "brokers", "--entity-default", "--delete-config", "log.retention.ms,log.segment.bytes");
        }
        assertEquals(List.of("Dynamic configs for broker 1 are:", "Default configs for brokers in the cluster are:"),
                ok("--describe", "--entity-type", "brokers"));
        assertEquals(604800000L, running("follower").retentionMs(), "Kafka's default again");
        assertEquals(1073741824L, running("follower").segmentBytes());
    }

    @Test
    void unknownTopicIsReportedAsKafkaReportsIt() {
        assertTrue(fails("--alter", "--entity-type", "topics", "--entity-name", "nope", "--add-config", "retention.ms=1000")
                        .contains("org.apache.kafka.common.errors.UnknownTopicOrPartitionException: The topic 'nope' does not exist."),
                "UNKNOWN_TOPIC_OR_PARTITION with Kafka's message");
        assertEquals(List.of("The topic 'nope' doesn't exist and doesn't have dynamic config."),
                ok("--describe", "--entity-type", "topics", "--entity-name", "nope"));
    }

    @Test
    void invalidValuesAreRefusedWithKafkasErrorsAndChangeNothing() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "guarded", 1, Map.of());
        String topic = fails("--alter", "--entity-type", "topics", "--entity-name", "guarded", "--add-config", "retention.ms=abc");
        assertTrue(topic.contains("org.apache.kafka.common.errors.InvalidConfigurationException: "
                + "Invalid value abc for configuration retention.ms: Not a number of type LONG"), topic);
        String unknown = fails("--alter", "--entity-type", "topics", "--entity-name", "guarded", "--add-config", "foo.bar=1");
        assertTrue(unknown.contains("org.apache.kafka.common.errors.InvalidConfigurationException: Unknown topic config name: foo.bar"), unknown);
        String tiered = fails("--alter", "--entity-type", "topics", "--entity-name", "guarded", "--add-config", "remote.storage.enable=true");
        assertTrue(tiered.contains("org.apache.kafka.common.errors.InvalidConfigurationException: Tiered Storage functionality "
                + "is disabled in the broker. Topic cannot be configured with remote log storage."), tiered);
        assertEquals(List.of("Dynamic configs for topic guarded are:"),
                ok("--describe", "--entity-type", "topics", "--entity-name", "guarded"));

        // A bad broker value is INVALID_REQUEST in Kafka (KAFKA-13609), for this node and cluster-wide alike.
        for (String entity : List.of("--entity-name=1", "--entity-default")) {
            String broker = fails("--alter", "--entity-type", "brokers", entity, "--add-config", "log.retention.ms=abc");
            assertTrue(broker.contains("org.apache.kafka.common.errors.InvalidRequestException: "
                    + "Invalid value abc for configuration log.retention.ms: Not a number of type LONG"), broker);
        }
        String small = fails("--alter", "--entity-type", "brokers", "--entity-name", "1", "--add-config", "log.segment.bytes=100");
        assertTrue(small.contains("org.apache.kafka.common.errors.InvalidRequestException: "
                + "Invalid value 100 for configuration log.segment.bytes: Value must be at least 1048576"), small);
        assertEquals(List.of("Dynamic configs for broker 1 are:", "Default configs for brokers in the cluster are:"),
                ok("--describe", "--entity-type", "brokers"));
    }

    @Test
    void readOnlyBrokerConfigsAreRefusedAsKafkaRefusesThem() {
        for (String name : List.of("log.dirs=/elsewhere", "log.retention.hours=2")) {
            String out = fails("--alter", "--entity-type", "brokers", "--entity-name", "1", "--add-config", name);
            String key = name.substring(0, name.indexOf('='));
            assertTrue(out.contains("org.apache.kafka.common.errors.InvalidRequestException: "
                    + "Cannot update these configs dynamically: [" + key + "]"), out);
        }
        String clusterWide = fails("--alter", "--entity-type", "brokers", "--entity-default", "--add-config", "log.dirs=/elsewhere");
        assertTrue(clusterWide.contains("Cannot update these configs dynamically: [log.dirs]"), clusterWide);
    }

    @Test
    void brokerLoggersAreListedAndTheirLevelsChangeAtRuntime() {
        List<String> loggers = ok("--describe", "--entity-type", "broker-loggers", "--entity-name", "1");
        assertEquals("Dynamic configs for broker-logger 1 are:", loggers.get(0));
        // The levels of this test JVM's logback-test.xml, where the node runs.
        assertTrue(loggers.contains("  root=WARN sensitive=false synonyms={}"), String.join("\n", loggers));
        assertTrue(loggers.contains("  io.tributary.server.Node=INFO sensitive=false synonyms={}"), String.join("\n", loggers));

        assertEquals(List.of("Completed updating config for broker-logger 1."), ok("--alter", "--entity-type", "broker-loggers",
                "--entity-name", "1", "--add-config", "io.tributary.server.Node=DEBUG"));
        try {
            assertTrue(ok("--describe", "--entity-type", "broker-loggers", "--entity-name", "1")
                    .contains("  io.tributary.server.Node=DEBUG sensitive=false synonyms={}"));
            assertTrue(org.slf4j.LoggerFactory.getLogger(io.tributary.server.Node.class).isDebugEnabled());
            String level = fails("--alter", "--entity-type", "broker-loggers", "--entity-name", "1", "--add-config", "root=LOUD");
            assertTrue(level.contains("org.apache.kafka.common.errors.InvalidConfigurationException: Cannot set the log level of "
                    + "root to LOUD as it is not a supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN"), level);
            String root = fails("--alter", "--entity-type", "broker-loggers", "--entity-name", "1", "--delete-config", "root");
            assertTrue(root.contains("org.apache.kafka.common.errors.InvalidRequestException: "
                    + "Removing the log level of the root logger is not allowed"), root);
        } finally {
            ok("--alter", "--entity-type", "broker-loggers", "--entity-name", "1", "--delete-config", "io.tributary.server.Node");
        }
        assertTrue(ok("--describe", "--entity-type", "broker-loggers", "--entity-name", "1")
                .contains("  io.tributary.server.Node=INFO sensitive=false synonyms={}"), "inherits again");
    }

    @Test
    void clientQuotasAndScramCredentialsDescribeAsNoneAndCannotBeSet() {
        assertEquals(List.of(), ok("--describe", "--entity-type", "users"));
        assertEquals(List.of(), ok("--describe", "--entity-type", "clients"));
        assertEquals(List.of(), ok("--describe", "--entity-type", "users", "--entity-name", "alice",
                "--entity-type", "clients", "--entity-name", "app"));
        assertEquals(List.of(), ok("--describe", "--entity-type", "ips"));
        // Kafka would store the quota; Tributary enforces none and says so with a clean client-side error.
        String quota = fails("--alter", "--entity-type", "clients", "--entity-name", "app", "--add-config", "producer_byte_rate=1024");
        assertTrue(quota.contains("UnsupportedVersionException: The node does not support ALTER_CLIENT_QUOTAS"), quota);
    }
}
