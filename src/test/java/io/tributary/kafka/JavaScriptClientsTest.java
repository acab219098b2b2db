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
 * Kafka clients in JavaScript that nobody on the team wrote, from npm (bin/install-test-deps):
 * node-rdkafka 3.6.1 on the librdkafka 2.12 it bundles (so the all-topics Metadata request of librdkafka
 * 2.1+ and per-record produce errors are exercised, issue 8) and KafkaJS 2.2.4, which has its own protocol
 * code. Each script exits 0 and prints "... OK" only when every step it checks held.
 */
class JavaScriptClientsTest {
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

    @Test
    void nodeRdkafkaAdminProduceRecordErrorsAndAGroupOnARegexSubscription() {
        Result r = Processes.node("rdkafka_smoke.js", List.of(node.bootstrap(), "rdk"), 150);
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("librdkafka 2."), r.all());
        assertTrue(r.stdout().contains("record errors: 10 INVALID_RECORD, 90 INVALID_DIFFERENT_RECORD"), r.all());
        assertTrue(r.stdout().contains("node-rdkafka OK"), r.all());
    }

    @Test
    void kafkaJsAdminProduceAndATwoMemberGroupThatCommits() {
        Result r = Processes.node("kafkajs_smoke.js", List.of(node.bootstrap(), "kjs"), 150);
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("kafkajs OK"), r.all());
    }
}
