package io.tributary.kafka;

import io.tributary.testing.Processes;
import io.tributary.testing.Processes.Result;
import io.tributary.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kcat (librdkafka), installed by .ci/run, produces with every codec and reads everything back. */
class KcatTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        assertTrue(Processes.onPath("kcat"), "kcat must be installed (bin/install-test-deps installs it)");
        node = TestNode.start(dir);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void kcatBalancedConsumerReadsInAGroupAndCommits() throws Exception {
        String topic = "kcat-group";
        createTopic(node.bootstrap(), topic, 2, Map.of());
        List<String> lines = IntStream.range(0, 200).mapToObj(i -> "g-" + i).collect(Collectors.toList());
        Result produced = Processes.run(List.of("kcat", "-P", "-b", node.bootstrap(), "-t", topic, "-K", ":"),
                lines.stream().map(l -> l + ":" + l).collect(Collectors.joining("\n")) + "\n", 60);
        assertEquals(0, produced.exitCode(), produced.all());

        // -G: librdkafka's balanced consumer (JoinGroup/SyncGroup/Heartbeat/OffsetCommit); -e exits at the end.
        List<String> group = List.of("kcat", "-b", node.bootstrap(), "-G", "kcat-g", "-X", "auto.offset.reset=earliest",
                "-e", "-q", "-f", "%s\n", topic);
        Result first = Processes.run(group, null, 90);
        assertEquals(0, first.exitCode(), first.all());
        assertEquals(lines.stream().sorted().toList(), first.stdout().lines().sorted().toList(), "every record once");
        try (var admin = KafkaClientsSupport.admin(node.bootstrap())) {
            var offsets = admin.listConsumerGroupOffsets("kcat-g").partitionsToOffsetAndMetadata().get();
            long total = offsets.values().stream().mapToLong(o -> o.offset()).sum();
            assertEquals(200, total, "kcat committed the end of both partitions: " + offsets);
        }
        Result second = Processes.run(group, null, 90);
        assertEquals(0, second.exitCode(), second.all());
        assertEquals("", second.stdout().trim(), "a second run resumes at the committed end");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void kcatProducesCompressedAndConsumesEverything(String codec) throws Exception {
        String topic = "kcat-" + codec;
        createTopic(node.bootstrap(), topic, 1, Map.of());
        List<String> lines = IntStream.range(0, 1000).mapToObj(i -> codec + "-message-" + i + "-" + "z".repeat(i % 50))
                .collect(Collectors.toList());
        Result produced = Processes.run(List.of("kcat", "-P", "-b", node.bootstrap(), "-t", topic, "-p", "0", "-z", codec,
                "-X", "linger.ms=50"), String.join("\n", lines) + "\n", 60);
        assertEquals(0, produced.exitCode(), produced.all());

        Result consumed = Processes.run(List.of("kcat", "-C", "-b", node.bootstrap(), "-t", topic, "-p", "0",
                "-o", "beginning", "-e", "-q"), null, 60);
        assertEquals(0, consumed.exitCode(), consumed.all());
        assertEquals(lines, consumed.stdout().lines().collect(Collectors.toList()));

        Result meta = Processes.run(List.of("kcat", "-L", "-b", node.bootstrap(), "-t", topic), null, 30);
        assertTrue(meta.stdout().contains("topic \"" + topic + "\" with 1 partitions"), meta.all());
    }
}
