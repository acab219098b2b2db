package io.tributary.http;

import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** REST v3 clusters, brokers, topics, partitions and configs; Kafka's own Admin client sees the changes. */
class RestTopicsTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static Admin admin;
    static String cluster;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1", "http.max.body.bytes", "4096"));
        admin = KafkaClientsSupport.admin(node.bootstrap());
        cluster = Http.get(node.httpBase() + "/v3/clusters").json().getJsonArray("data").getJsonObject(0).getString("cluster_id");
    }

    @AfterAll
    static void stop() {
        admin.close();
        node.close();
    }

    String v3(String path) {
        return node.httpBase() + "/v3/clusters/" + cluster + path;
    }

    static Http.Response post(String url, JsonObject body) {
        return Http.call("POST", url, body.encode(), "application/json");
    }

    @Test
    void clustersAndBrokers() throws Exception {
        assertEquals(admin.describeCluster().clusterId().get(), cluster);
        JsonObject c = Http.get(v3("")).json();
        assertEquals("KafkaCluster", c.getString("kind"));
        JsonObject brokers = Http.get(v3("/brokers")).json();
        assertEquals(1, brokers.getJsonArray("data").getJsonObject(0).getInteger("broker_id"));
        assertEquals(node.kafkaPort(), brokers.getJsonArray("data").getJsonObject(0).getInteger("port"));
        assertEquals(40400, Http.get(node.httpBase() + "/v3/clusters/nope").json().getInteger("error_code"));
        assertEquals(404, Http.get(v3("/brokers/7")).status());
    }

    @Test
    void topicsAreCreatedDescribedAndDeletedAsKafkasToolsSeeThem() throws Exception {
        Http.Response created = post(v3("/topics"), new JsonObject().put("topic_name", "rest-topic").put("partitions_count", 3)
                .put("configs", new JsonArray().add(new JsonObject().put("name", "retention.ms").put("value", "3600000"))));
        assertEquals(201, created.status(), created.body());
        assertEquals(3, created.json().getInteger("partitions_count"));
        assertTrue(admin.listTopics().names().get().contains("rest-topic"), "Kafka's Admin lists the topic");
        Config cfg = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "rest-topic"))).all().get()
                .values().iterator().next();
        assertEquals("3600000", cfg.get("retention.ms").value());

        Http.Response again = post(v3("/topics"), new JsonObject().put("topic_name", "rest-topic").put("partitions_count", 1));
        assertEquals(400, again.status());
        assertEquals(40002, again.json().getInteger("error_code"));
        Http.Response illegal = post(v3("/topics"), new JsonObject().put("topic_name", "bad/name").put("partitions_count", 1));
        assertEquals(40003, illegal.json().getInteger("error_code"), illegal.body());
        Http.Response zero = post(v3("/topics"), new JsonObject().put("topic_name", "zero").put("partitions_count", 0));
        assertEquals(40003, zero.json().getInteger("error_code"), zero.body());
        Http.Response rf = post(v3("/topics"), new JsonObject().put("topic_name", "rf").put("replication_factor", 3));
        assertEquals(40003, rf.json().getInteger("error_code"), rf.body());
        Http.Response badConfig = post(v3("/topics"), new JsonObject().put("topic_name", "badcfg").put("configs",
                new JsonArray().add(new JsonObject().put("name", "retention.ms").put("value", "soon"))));
        assertEquals(40003, badConfig.json().getInteger("error_code"), badConfig.body());
        assertFalse(admin.listTopics().names().get().contains("badcfg"), "nothing was created");

        JsonObject described = Http.get(v3("/topics/rest-topic")).json();
        assertEquals("rest-topic", described.getString("topic_name"));
        assertFalse(described.getBoolean("is_internal"));
        Set<String> listed = new java.util.HashSet<>();
        Http.get(v3("/topics")).json().getJsonArray("data").forEach(t -> listed.add(((JsonObject) t).getString("topic_name")));
        assertTrue(listed.contains("rest-topic"), listed.toString());

        assertEquals(204, Http.call("DELETE", v3("/topics/rest-topic"), null, null).status());
        assertFalse(admin.listTopics().names().get().contains("rest-topic"));
        Http.Response gone = Http.get(v3("/topics/rest-topic"));
        assertEquals(404, gone.status());
        assertEquals(40401, gone.json().getInteger("error_code"));
        assertEquals(40401, Http.call("DELETE", v3("/topics/rest-topic"), null, null).json().getInteger("error_code"));
    }

    @Test
    void partitionsCarryTheirEarliestAndLatestOffsets() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "offsets-topic", 2, Map.of());
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>("offsets-topic", 1, null, "v" + i)).get();
            }
        }
        JsonArray parts = Http.get(v3("/topics/offsets-topic/partitions")).json().getJsonArray("data");
        assertEquals(2, parts.size());
        JsonObject p1 = Http.get(v3("/topics/offsets-topic/partitions/1")).json();
        assertEquals(0L, p1.getLong("earliest_offset"));
        assertEquals(5L, p1.getLong("latest_offset"));
        assertEquals(40402, Http.get(v3("/topics/offsets-topic/partitions/2")).json().getInteger("error_code"));
        assertEquals(400, Http.get(v3("/topics/offsets-topic/partitions/x")).status());
    }

    @Test
    void topicConfigsAreListedAndAlteredThroughKafkasValidation() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "cfg-topic", 1, Map.of());
        JsonObject list = Http.get(v3("/topics/cfg-topic/configs")).json();
        assertTrue(list.getJsonArray("data").size() > 10, list.encode());
        JsonObject one = Http.get(v3("/topics/cfg-topic/configs/cleanup.policy")).json();
        assertEquals("delete", one.getString("value"));
        assertTrue(one.getBoolean("is_default"));

        Http.Response altered = post(v3("/topics/cfg-topic/configs:alter"), new JsonObject().put("data", new JsonArray()
                .add(new JsonObject().put("name", "retention.ms").put("value", "120000"))
                .add(new JsonObject().put("name", "cleanup.policy").put("value", "compact"))));
        assertEquals(204, altered.status(), altered.body());
        Config cfg = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "cfg-topic"))).all().get()
                .values().iterator().next();
        assertEquals("120000", cfg.get("retention.ms").value());
        assertEquals("compact", cfg.get("cleanup.policy").value());
        JsonObject after = Http.get(v3("/topics/cfg-topic/configs/retention.ms")).json();
        assertEquals("DYNAMIC_TOPIC_CONFIG", after.getString("source"));

        Http.Response bad = post(v3("/topics/cfg-topic/configs:alter"), new JsonObject().put("data", new JsonArray()
                .add(new JsonObject().put("name", "retention.ms").put("value", "-7x"))));
        assertEquals(400, bad.status(), bad.body());
        Http.Response unknown = post(v3("/topics/cfg-topic/configs:alter"), new JsonObject().put("data", new JsonArray()
                .add(new JsonObject().put("name", "no.such.config").put("value", "1"))));
        assertEquals(400, unknown.status(), unknown.body());
        assertEquals(204, post(v3("/topics/cfg-topic/configs:alter"), new JsonObject().put("data", new JsonArray()
                .add(new JsonObject().put("name", "retention.ms").put("operation", "DELETE")))).status());
        assertEquals("DEFAULT_CONFIG", Http.get(v3("/topics/cfg-topic/configs/retention.ms")).json().getString("source"));
    }

    @Test
    void badBodiesGetTheDocumentedErrors() {
        Http.Response type = Http.call("POST", v3("/topics"), "{\"topic_name\":\"x\"}", "text/plain");
        assertEquals(415, type.status(), type.body());
        assertEquals(41500, type.json().getInteger("error_code"));
        Http.Response malformed = Http.call("POST", v3("/topics"), "{\"topic_name\":", "application/json");
        assertEquals(400, malformed.status());
        assertEquals(40000, malformed.json().getInteger("error_code"));
        Http.Response big = Http.call("POST", v3("/topics"), "{\"topic_name\":\"" + "x".repeat(10_000) + "\"}", "application/json");
        assertEquals(413, big.status());
        assertEquals(41300, big.json().getInteger("error_code"));
        Http.Response missing = post(v3("/topics"), new JsonObject().put("partitions_count", 1));
        assertEquals(42206, missing.json().getInteger("error_code"));
        assertEquals(405, Http.call("PUT", v3("/topics"), "{}", "application/json").status());
    }
}
