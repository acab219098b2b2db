package io.tributary.kafka;

import io.tributary.group.GroupConfig;
import io.tributary.testing.Processes;
import io.tributary.testing.Processes.Result;
import io.tributary.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer groups from clients in another language: kafka-python 2.0.2 and confluent-kafka on
 * librdkafka (Debian packages, see bin/install-test-deps), each splitting a topic between two members,
 * committing, and resuming from the committed offsets.
 */
class PythonGroupClientsTest {
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

    private static Result script(String name, String topic) {
        return Processes.python(name, List.of(node.bootstrap(), topic), 180);
    }

    @Test
    void kafkaPythonMembersSplitCommitAndResume() {
        Result r = script("kafka_python_group.py", "kp-groups");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("kafka-python group OK"), r.all());
    }

    @Test
    void librdkafkaMembersSplitCooperativelyCommitAndResume() {
        Result r = script("confluent_kafka_group.py", "rdk-groups");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("confluent-kafka group OK"), r.all());
    }
}
