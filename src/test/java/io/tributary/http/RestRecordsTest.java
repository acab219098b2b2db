package io.tributary.http;

import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** REST v3 produce (one record and a stream) and read by position (with long-poll), against kafka-clients. */
class RestRecordsTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static String cluster;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1"));
        cluster = Http.get(node.httpBase() + "/v3/clusters").json().getJsonArray("data").getJsonObject(0).getString("cluster_id");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    String v3(String path) {
        return node.httpBase() + "/v3/clusters/" + cluster + path;
    }

    @Test
    void producedRecordsAreReadByAKafkaConsumer() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "rest-produce", 2, Map.of());
        JsonObject one = new JsonObject().put("partition_id", 1).put("key", new JsonObject().put("type", "STRING").put("data", "k1"))
                .put("value", new JsonObject().put("type", "JSON").put("data", new JsonObject().put("n", 1)))
                .put("headers", new JsonArray().add(new JsonObject().put("name", "h").put("value", "aGk=")));
        Http.Response r = Http.call("POST", v3("/topics/rest-produce/records"), one.encode(), "application/json");
        assertEquals(200, r.status(), r.body());
        assertEquals(200, r.json().getInteger("error_code"));
        assertEquals(1, r.json().getInteger("partition_id"));
        assertEquals(0L, r.json().getLong("offset"));

        String stream = new JsonObject().put("partition_id", 0).put("value", new JsonObject().put("type", "BINARY").put("data", "AAEC")).encode()
                + "\n" + new JsonObject().put("partition_id", 0).put("value", new JsonObject().put("type", "STRING").put("data", "two")).encode()
                + new JsonObject().put("partition_id", 9).put("value", new JsonObject().put("type", "STRING").put("data", "bad")).encode();
        Http.Response s = Http.call("POST", v3("/topics/rest-produce/records"), stream, "application/json");
        assertEquals(200, s.status(), s.body());
        List<JsonObject> reports = s.body().lines().map(JsonObject::new).toList();
        assertEquals(3, reports.size(), s.body());
        assertEquals(0L, reports.get(0).getLong("offset"));
        assertEquals(1L, reports.get(1).getLong("offset"));
        assertEquals(40402, reports.get(2).getInteger("error_code"));

        try (KafkaConsumer<String, String> c = KafkaClientsSupport.consumer(node.bootstrap(), Map.of())) {
            ConsumerRecord<String, String> rec = KafkaClientsSupport.readFrom(c, new TopicPartition("rest-produce", 1), 0, 1,
                    Duration.ofSeconds(20)).get(0);
            assertEquals("k1", rec.key());
            assertEquals("{\"n\":1}", rec.value());
            assertEquals("hi", new String(rec.headers().lastHeader("h").value(), StandardCharsets.UTF_8));
            List<ConsumerRecord<String, String>> p0 = KafkaClientsSupport.readFrom(c, new TopicPartition("rest-produce", 0), 0, 2,
                    Duration.ofSeconds(20));
            assertEquals("two", p0.get(1).value());
        }
    }

    @Test
    void readByPositionAndLongPoll() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "rest-read", 1, Map.of());
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>("rest-read", 0, "k" + i, "v" + i)).get();
            }
            JsonObject page = Http.get(v3("/topics/rest-read/partitions/0/records?offset=1&max_records=3")).json();
            JsonArray data = page.getJsonArray("data");
            assertEquals(3, data.size(), page.encode());
            assertEquals(1L, data.getJsonObject(0).getLong("offset"));
            assertEquals("v3", data.getJsonObject(2).getJsonObject("value").getString("data"));
            assertEquals(4L, page.getLong("next_offset"));

            JsonObject atEnd = Http.get(v3("/topics/rest-read/partitions/0/records?offset=5")).json();
            assertEquals(0, atEnd.getJsonArray("data").size());

            CompletableFuture<Http.Response> waiting = CompletableFuture.supplyAsync(() ->
                    Http.get(v3("/topics/rest-read/partitions/0/records?offset=5&timeout_ms=20000")));
            // (whether the request reached the node before the append or after, it must answer with the record)
            p.send(new ProducerRecord<>("rest-read", 0, "late", "arrived")).get();
            JsonArray woken = waiting.get().json().getJsonArray("data");
            assertEquals("arrived", woken.getJsonObject(0).getJsonObject("value").getString("data"), "woken by the append");
        }
        assertEquals(400, Http.get(v3("/topics/rest-read/partitions/0/records?offset=-1")).status());
        assertEquals(416, Http.get(v3("/topics/rest-read/partitions/0/records?offset=99")).status());
        assertEquals(400, Http.get(v3("/topics/rest-read/partitions/0/records")).status());
        assertEquals(404, Http.get(v3("/topics/nope/partitions/0/records?offset=0")).status());
    }

    @Test
    void badRecordsGetErrorsAndNothingIsWritten() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "rest-bad", 1, Map.of());
        Http.Response b64 = Http.call("POST", v3("/topics/rest-bad/records"),
                new JsonObject().put("value", new JsonObject().put("type", "BINARY").put("data", "@@@")).encode(), "application/json");
        assertEquals(422, b64.status(), b64.body());
        Http.Response type = Http.call("POST", v3("/topics/rest-bad/records"), "{}", "text/plain");
        assertEquals(415, type.status());
        Http.Response broken = Http.call("POST", v3("/topics/rest-bad/records"), "{\"value\":", "application/json");
        assertEquals(400, broken.status());
        Http.Response internal = Http.call("POST", v3("/topics/__consumer_offsets/records"), "{}", "application/json");
        assertEquals(403, internal.status());
        assertEquals(0L, node.node().logManager().partition(new TopicPartition("rest-bad", 0)).logEndOffset());
        assertFalse(Http.get(v3("/topics/rest-bad/partitions/0")).body().isEmpty());
    }
}
