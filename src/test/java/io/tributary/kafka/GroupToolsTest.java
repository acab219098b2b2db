package io.tributary.kafka;

import io.tributary.group.GroupConfig;
import io.tributary.testing.Processes;
import io.tributary.testing.Processes.Result;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static io.tributary.kafka.KafkaClientsSupport.producer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka's consumer-group tooling, each tool in its own JVM as kafka-consumer-groups.sh and
 * kafka-console-consumer.sh run it: the console consumer in a group commits, the group command lists,
 * describes (current offset, log end, lag), resets to earliest and deletes.
 */
class GroupToolsTest {
    private static final String GROUP_COMMAND = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    private static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";

    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of(GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0",
                GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "5"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static Result tool(String mainClass, String... args) {
        Result r = Processes.java(mainClass, Arrays.asList(args), null, 120);
        assertEquals(0, r.exitCode(), mainClass + " " + String.join(" ", args) + " failed:\n" + r.all());
        return r;
    }

    private static Result groups(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", node.bootstrap()));
        all.addAll(Arrays.asList(args));
        return tool(GROUP_COMMAND, all.toArray(String[]::new));
    }

    private static List<String> consume(String group, int count) {
        return tool(CONSOLE_CONSUMER, "--bootstrap-server", node.bootstrap(), "--topic", "tools-g", "--group", group,
                "--from-beginning", "--max-messages", Integer.toString(count), "--timeout-ms", "30000")
                .stdout().lines().toList();
    }

    /** The --describe row of one partition: [GROUP, TOPIC, PARTITION, CURRENT-OFFSET, LOG-END-OFFSET, LAG, ...]. */
    private static String[] row(String describe, int partition) {
        Optional<String[]> row = describe.lines().map(l -> l.trim().split("\\s+"))
                .filter(c -> c.length >= 6 && c[1].equals("tools-g") && c[2].equals(Integer.toString(partition))).findFirst();
        assertTrue(row.isPresent(), "no row for partition " + partition + " in:\n" + describe);
        return row.get();
    }

    @Test
    void consoleConsumerInAGroupThenListDescribeResetAndDelete() throws Exception {
        createTopic(node.bootstrap(), "tools-g", 2, Map.of());
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>("tools-g", i % 2, null, "m" + i)).get();
            }
        }
        List<String> first = consume("cg", 20);
        assertEquals(20, first.size(), "console consumer read everything once: " + first);

        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
            for (int i = 20; i < 25; i++) {
                p.send(new ProducerRecord<>("tools-g", 0, null, "m" + i)).get();
            }
        }
        assertTrue(groups("--list").stdout().lines().anyMatch("cg"::equals), "--list shows the group");

        String describe = groups("--describe", "--group", "cg").stdout();
        String[] p0 = row(describe, 0);
        String[] p1 = row(describe, 1);
        assertEquals(List.of("10", "15", "5"), List.of(p0[3], p0[4], p0[5]), "partition 0: current offset, log end, lag\n" + describe);
        assertEquals(List.of("10", "10", "0"), List.of(p1[3], p1[4], p1[5]), "partition 1: current offset, log end, lag\n" + describe);

        String reset = groups("--reset-offsets", "--group", "cg", "--topic", "tools-g", "--to-earliest", "--execute").stdout();
        assertTrue(reset.contains("tools-g"), reset);
        describe = groups("--describe", "--group", "cg").stdout();
        assertEquals("0", row(describe, 0)[3], describe);
        assertEquals("0", row(describe, 1)[3], describe);
        assertEquals(25, consume("cg", 25).size(), "after the reset the group reads from the beginning again");

        String deleted = groups("--delete", "--group", "cg").stdout();
        assertTrue(deleted.contains("successful"), deleted);
        assertFalse(groups("--list").stdout().lines().anyMatch("cg"::equals), "--list no longer shows the group");
    }
}
