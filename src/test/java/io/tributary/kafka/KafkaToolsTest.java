package io.tributary.kafka;

import io.tributary.testing.Processes;
import io.tributary.testing.Processes.Result;
import io.tributary.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Apache Kafka's own command-line tools (artifact kafka-tools, same version as our clients), each run
 * in its own JVM exactly as kafka-topics.sh and friends run them.
 */
class KafkaToolsTest {
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

    private static Result tool(String mainClass, String stdin, String... args) {
        Result r = Processes.java(mainClass, Arrays.asList(args), stdin, 120);
        assertEquals(0, r.exitCode(), mainClass + " " + String.join(" ", args) + " failed:\n" + r.all());
        return r;
    }

    private static Result topics(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", node.bootstrap()));
        all.addAll(Arrays.asList(args));
        return tool("org.apache.kafka.tools.TopicCommand", null, all.toArray(String[]::new));
    }

    /** On one node every partition is led by its only, preferred replica; kafka-log-dirs shows the data dir. */
    @Test
    void leaderElectionHasNothingToDoAndLogDirsShowTheDataDir() {
        topics("--create", "--topic", "dirs-topic", "--partitions", "2", "--replication-factor", "1");
        String elect = tool("org.apache.kafka.tools.LeaderElectionCommand", null, "--bootstrap-server", node.bootstrap(),
                "--election-type", "preferred", "--topic", "dirs-topic", "--partition", "1").stdout();
        assertTrue(elect.contains("Valid replica already elected for partitions dirs-topic-1"), elect);
        Result unknown = Processes.java("org.apache.kafka.tools.LeaderElectionCommand", List.of("--bootstrap-server",
                node.bootstrap(), "--election-type", "preferred", "--topic", "no-such-topic", "--partition", "0"), null, 120);
        assertTrue(unknown.all().contains("UnknownTopicOrPartitionException"), unknown.all());
        String dirs = tool("org.apache.kafka.tools.LogDirsCommand", null, "--bootstrap-server", node.bootstrap(),
                "--describe", "--topic-list", "dirs-topic").stdout();
        io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(dirs.lines().filter(l -> l.startsWith("{"))
                .findFirst().orElseThrow(() -> new AssertionError(dirs)));
        io.vertx.core.json.JsonObject dir = json.getJsonArray("brokers").getJsonObject(0).getJsonArray("logDirs").getJsonObject(0);
        assertTrue(dir.getString("logDir").startsWith("/"), dirs);
        assertEquals(List.of("dirs-topic-0", "dirs-topic-1"), dir.getJsonArray("partitions").stream()
                .map(o -> ((io.vertx.core.json.JsonObject) o).getString("partition")).sorted().toList(), dirs);
    }

    @Test
    void topicsCreateListDescribeAlterDelete() {
        topics("--create", "--topic", "tools-topic", "--partitions", "3", "--replication-factor", "1",
                "--config", "retention.ms=3600000");
        assertTrue(topics("--list").stdout().lines().anyMatch("tools-topic"::equals), "listed");

        String describe = topics("--describe", "--topic", "tools-topic").stdout();
        assertTrue(describe.contains("PartitionCount: 3"), describe);
        assertTrue(describe.contains("retention.ms=3600000"), describe);
        assertTrue(describe.contains("Leader: 1"), describe);

        topics("--alter", "--topic", "tools-topic", "--partitions", "5");
        assertTrue(topics("--describe", "--topic", "tools-topic").stdout().contains("PartitionCount: 5"));

        Result shrink = Processes.java("org.apache.kafka.tools.TopicCommand", List.of("--bootstrap-server", node.bootstrap(),
                "--alter", "--topic", "tools-topic", "--partitions", "2"), null, 120);
        assertTrue(shrink.all().contains("InvalidPartitionsException") || shrink.exitCode() != 0,
                "decreasing partitions is refused:\n" + shrink.all());

        topics("--delete", "--topic", "tools-topic");
        assertFalse(topics("--list").stdout().lines().anyMatch("tools-topic"::equals), "deleted");
    }

    @Test
    void consoleProducerThenGetOffsetsThenConsoleConsumer() {
        topics("--create", "--topic", "console", "--partitions", "1", "--replication-factor", "1");
        String lines = IntStream.range(0, 50).mapToObj(i -> "line-" + i).collect(Collectors.joining("\n")) + "\n";
        tool("org.apache.kafka.tools.ConsoleProducer", lines, "--bootstrap-server", node.bootstrap(), "--topic", "console");

        String offsets = tool("org.apache.kafka.tools.GetOffsetShell", null, "--bootstrap-server", node.bootstrap(),
                "--topic", "console").stdout().trim();
        assertEquals("console:0:50", offsets);
        String earliest = tool("org.apache.kafka.tools.GetOffsetShell", null, "--bootstrap-server", node.bootstrap(),
                "--topic", "console", "--time", "-2").stdout().trim();
        assertEquals("console:0:0", earliest);

        String consumed = tool("org.apache.kafka.tools.consumer.ConsoleConsumer", null, "--bootstrap-server", node.bootstrap(),
                "--topic", "console", "--partition", "0", "--offset", "earliest", "--max-messages", "50",
                "--timeout-ms", "30000").stdout();
        assertEquals(IntStream.range(0, 50).mapToObj(i -> "line-" + i).collect(Collectors.toList()),
                consumed.lines().collect(Collectors.toList()));
    }

    @Test
    void producerPerfTestWithAcksAll() {
        Result r = tool("org.apache.kafka.tools.ProducerPerformance", null, "--topic", "perf", "--num-records", "50000",
                "--record-size", "100", "--throughput", "-1", "--producer-props", "bootstrap.servers=" + node.bootstrap(), "acks=all");
        assertTrue(r.stdout().contains("50000 records sent"), r.all());
        long end = node.node().logManager().partition(new org.apache.kafka.common.TopicPartition("perf", 0)).logEndOffset();
        assertEquals(50000L, end, "every perf-test record is in the log");
    }
}
