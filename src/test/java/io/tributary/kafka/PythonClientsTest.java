package io.tributary.kafka;

import io.tributary.testing.Processes;
import io.tributary.testing.Processes.Result;
import io.tributary.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients nobody on the team wrote, in another language: kafka-python 2.0.2 (which guesses the broker
 * version from ApiVersions) and confluent-kafka on librdkafka, both from Debian packages installed by
 * bin/install-test-deps, run with the system interpreter.
 */
class PythonClientsTest {
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

    private static Result script(String name, String topic) {
        return Processes.python(name, List.of(node.bootstrap(), topic), 120);
    }

    @Test
    void kafkaPythonProducesAndConsumes() {
        Result r = script("kafka_python_smoke.py", "from-kafka-python");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("kafka-python OK"), r.all());
    }

    @Test
    void confluentKafkaProducesIdempotentZstdAndConsumes() {
        Result r = script("confluent_kafka_smoke.py", "from-librdkafka");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("confluent-kafka OK"), r.all());
    }
}
