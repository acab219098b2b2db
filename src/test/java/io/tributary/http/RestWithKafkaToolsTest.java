package io.tributary.http;

import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.Processes;
import io.tributary.testing.Processes.Result;
import io.tributary.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, must-show 4: what the REST API changes, Apache Kafka's own command-line tools (4.3.1, each in its
 * own JVM as the scripts run them) see — a topic created with a config, records produced, and a group's
 * offsets reset.
 */
class RestWithKafkaToolsTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static String cluster;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1", "group.initial.rebalance.delay.ms", "0"));
        cluster = Http.get(node.httpBase() + "/v3/clusters").json().getJsonArray("data").getJsonObject(0).getString("cluster_id");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static String v3(String path) {
        return node.httpBase() + "/v3/clusters/" + cluster + path;
    }

    private static Result tool(String mainClass, String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", node.bootstrap()));
        all.addAll(Arrays.asList(args));
        Result r = Processes.java(mainClass, all, null, 120);
        assertEquals(0, r.exitCode(), mainClass + " " + String.join(" ", all) + " failed:\n" + r.all());
        return r;
    }

    @Test
    void topicsRecordsAndGroupOffsetsChangedThroughRestAreSeenByKafkasTools() throws Exception {
        Http.Response created = Http.call("POST", v3("/topics"), new JsonObject().put("topic_name", "rest-tools")
                .put("partitions_count", 2).put("configs", new JsonArray()
                        .add(new JsonObject().put("name", "retention.ms").put("value", "7200000"))).encode(), "application/json");
        assertEquals(201, created.status(), created.body());
        String describe = tool("org.apache.kafka.tools.TopicCommand", "--describe", "--topic", "rest-tools").stdout();
        assertTrue(describe.contains("PartitionCount: 2"), describe);
        assertTrue(describe.contains("retention.ms=7200000"), describe);

        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            stream.append(new JsonObject().put("partition_id", i % 2)
                    .put("value", new JsonObject().put("type", "STRING").put("data", "r" + i)).encode()).append('\n');
        }
        Http.Response produced = Http.call("POST", v3("/topics/rest-tools/records"), stream.toString(), "application/json");
        assertEquals(200, produced.status(), produced.body());
        List<String> offsets = tool("org.apache.kafka.tools.GetOffsetShell", "--topic", "rest-tools").stdout().lines().sorted().toList();
        assertEquals(List.of("rest-tools:0:3", "rest-tools:1:3"), offsets);

        // A group that committed everything, then reset to earliest through REST.
        TopicPartition p0 = new TopicPartition("rest-tools", 0);
        TopicPartition p1 = new TopicPartition("rest-tools", 1);
        try (KafkaConsumer<String, String> c = KafkaClientsSupport.consumer(node.bootstrap(), Map.of("group.id", "rest-tools-g"))) {
            c.commitSync(Map.of(p0, new OffsetAndMetadata(3), p1, new OffsetAndMetadata(3)));
        }
        Http.Response reset = Http.call("POST", v3("/consumer-groups/rest-tools-g/offsets:reset"), new JsonObject()
                .put("topic", "rest-tools").put("to", "earliest").encode(), "application/json");
        assertEquals(200, reset.status(), reset.body());
        String groups = tool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--describe", "--group", "rest-tools-g").stdout();
        for (int p = 0; p < 2; p++) {
            int partition = p;
            String[] row = groups.lines().map(l -> l.trim().split("\\s+"))
                    .filter(r -> r.length >= 6 && r[1].equals("rest-tools") && r[2].equals(Integer.toString(partition)))
                    .findFirst().orElseThrow(() -> new AssertionError("no row for partition " + partition + ":\n" + groups));
            assertEquals("0", row[3], "CURRENT-OFFSET after the REST reset:\n" + groups);
            assertEquals("3", row[4], "LOG-END-OFFSET");
            assertEquals("3", row[5], "LAG");
        }

        Http.Response deleted = Http.call("DELETE", v3("/topics/rest-tools"), null, null);
        assertEquals(204, deleted.status(), deleted.body());
        String list = tool("org.apache.kafka.tools.TopicCommand", "--list").stdout();
        assertTrue(list.lines().noneMatch("rest-tools"::equals), "kafka-topics --list after the REST delete:\n" + list);
    }
}
