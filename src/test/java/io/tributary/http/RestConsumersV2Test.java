package io.tributary.http;

import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.Poll;
import io.tributary.testing.Processes;
import io.tributary.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, must-show 4: Confluent REST Proxy v2's consumer-instance API, driven the way REST Proxy's own
 * quick start drives it (the JDK's HTTP client sending exactly its curl requests and headers), against
 * records a KafkaProducer wrote. The instance is a real group member: what it commits, Kafka's Admin and
 * {@code kafka-consumer-groups} show, and it shares partitions with a KafkaConsumer in the same group.
 */
class RestConsumersV2Test {
    static final String V2 = "application/vnd.kafka.v2+json";
    static final String JSON_V2 = "application/vnd.kafka.json.v2+json";
    static final String BINARY_V2 = "application/vnd.kafka.binary.v2+json";

    @TempDir
    static Path dir;
    static TestNode node;
    static Admin admin;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1", "group.initial.rebalance.delay.ms", "0"));
        admin = KafkaClientsSupport.admin(node.bootstrap());
    }

    @AfterAll
    static void stop() {
        admin.close();
        node.close();
    }

    /** One request as curl would send it: the method, optional Content-Type and Accept headers, optional body. */
    static Http.Response curl(String method, String url, String contentType, String accept, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = Http.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Http.Response(r.statusCode(), r.body(), r.headers().firstValue("content-type").orElse(""));
        } catch (Exception e) {
            throw new AssertionError(method + " " + url + " failed", e);
        }
    }

    static Map<TopicPartition, Long> committed(String group) {
        try {
            Map<TopicPartition, Long> out = new java.util.HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .forEach((tp, om) -> out.put(tp, om == null ? null : om.offset()));
            return out;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theQuickStartJsonFlowConsumesCommitsAndDeletes() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "jsontest", 1, Map.of());
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            p.send(new ProducerRecord<>("jsontest", null, "{\"foo\":\"bar\"}")).get();
        }
        String base = node.httpBase();
        // $ curl -X POST -H "Content-Type: application/vnd.kafka.v2+json" --data '{"name": "my_consumer_instance",
        //   "format": "json", "auto.offset.reset": "earliest"}' http://localhost:8082/consumers/my_json_consumer
        Http.Response created = curl("POST", base + "/consumers/my_json_consumer", V2, null,
                "{\"name\": \"my_consumer_instance\", \"format\": \"json\", \"auto.offset.reset\": \"earliest\"}");
        assertEquals(200, created.status(), created.body());
        assertEquals(V2, created.contentType());
        assertEquals(new JsonObject().put("instance_id", "my_consumer_instance")
                .put("base_uri", base + "/consumers/my_json_consumer/instances/my_consumer_instance"), created.json());
        String instance = created.json().getString("base_uri");

        // $ curl -X POST -H "Content-Type: application/vnd.kafka.v2+json" --data '{"topics":["jsontest"]}' .../subscription
        Http.Response subscribed = curl("POST", instance + "/subscription", V2, null, "{\"topics\":[\"jsontest\"]}");
        assertEquals(204, subscribed.status(), subscribed.body());
        assertEquals(new JsonObject().put("topics", new JsonArray().add("jsontest")),
                curl("GET", instance + "/subscription", null, V2, null).json());

        // $ curl -X GET -H "Accept: application/vnd.kafka.json.v2+json" .../records  (until the records arrive)
        JsonArray records = Poll.value(Duration.ofSeconds(30), "the produced record", () -> {
            Http.Response r = curl("GET", instance + "/records", null, JSON_V2, null);
            assertEquals(200, r.status(), r.body());
            assertEquals(JSON_V2, r.contentType());
            return new JsonArray(r.body());
        }, a -> !a.isEmpty());
        assertEquals(new JsonArray().add(new JsonObject().put("topic", "jsontest").putNull("key")
                .put("value", new JsonObject().put("foo", "bar")).put("partition", 0).put("offset", 0)), records);

        JsonObject assignments = curl("GET", instance + "/assignments", null, V2, null).json();
        assertEquals(new JsonArray().add(new JsonObject().put("topic", "jsontest").put("partition", 0)),
                assignments.getJsonArray("partitions"), "the group assigned the only partition");

        // Commit what was read (empty body: every position), as a REST Proxy client does after processing.
        Http.Response commit = curl("POST", instance + "/offsets", V2, null, null);
        assertEquals(200, commit.status(), commit.body());
        assertEquals(Map.of(new TopicPartition("jsontest", 0), 1L), committed("my_json_consumer"));
        JsonObject asked = curl("GET", instance + "/offsets", V2, V2,
                "{\"partitions\":[{\"topic\":\"jsontest\",\"partition\":0}]}").json();
        assertEquals(1L, asked.getJsonArray("offsets").getJsonObject(0).getLong("offset"), asked.encode());

        // The instance is a member of the group, as Kafka's own tool shows, with the committed offset.
        Processes.Result described = Processes.java("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                List.of("--bootstrap-server", node.bootstrap(), "--describe", "--group", "my_json_consumer"), null, 120);
        assertEquals(0, described.exitCode(), described.all());
        assertTrue(described.stdout().lines().anyMatch(l -> l.contains("jsontest") && l.matches(".*\\s1\\s+1\\s+0\\s.*")
                && l.contains("rest-my_consumer_instance") && l.contains("/127.0.0.1")), "kafka-consumer-groups shows offset 1,"
                + " end 1, lag 0 and the instance (from its client's address) as the partition's consumer:\n" + described.stdout());

        // $ curl -X DELETE -H "Content-Type: application/vnd.kafka.v2+json" .../instances/my_consumer_instance
        assertEquals(204, curl("DELETE", instance, V2, null, null).status());
        Http.Response gone = curl("GET", instance + "/records", null, JSON_V2, null);
        assertEquals(404, gone.status());
        assertEquals(new JsonObject().put("error_code", 40403).put("message", "Consumer instance not found."), gone.json());
        Poll.until(Duration.ofSeconds(30), "the instance left the group", () -> {
            try {
                return admin.describeConsumerGroups(List.of("my_json_consumer")).all().get().get("my_json_consumer")
                        .members().isEmpty();
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void aBinaryInstanceAssignsSeeksCommitsExplicitOffsetsAndReadsThemBack() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "bintest", 2, Map.of());
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("bintest", 1, "k" + i, "v" + i)).get();
            }
        }
        String instance = curl("POST", node.httpBase() + "/consumers/bin-group", V2, null, "{\"format\": \"binary\"}")
                .json().getString("base_uri");
        assertTrue(instance.contains("/consumers/bin-group/instances/rest-consumer-"), instance);
        assertEquals(204, curl("POST", instance + "/assignments", V2, null,
                "{\"partitions\":[{\"topic\":\"bintest\",\"partition\":1}]}").status());
        assertEquals(204, curl("POST", instance + "/positions", V2, null,
                "{\"offsets\":[{\"topic\":\"bintest\",\"partition\":1,\"offset\":4}]}").status());
        List<JsonObject> got = new ArrayList<>();
        Poll.until(Duration.ofSeconds(30), "records 4..9", () -> {
            new JsonArray(curl("GET", instance + "/records?timeout=500&max_bytes=10", null, BINARY_V2, null).body())
                    .forEach(o -> got.add((JsonObject) o));
            return got.size() >= 6;
        });
        assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L), got.stream().map(o -> o.getLong("offset")).toList(),
                "in order from the sought position, a few per response (max_bytes=10)");
        assertEquals("v4", new String(Base64.getDecoder().decode(got.get(0).getString("value")), StandardCharsets.UTF_8));
        assertEquals("k4", new String(Base64.getDecoder().decode(got.get(0).getString("key")), StandardCharsets.UTF_8));

        // Explicit offsets commit the offset after the record named, as REST Proxy does.
        assertEquals(200, curl("POST", instance + "/offsets", V2, null,
                "{\"offsets\":[{\"topic\":\"bintest\",\"partition\":1,\"offset\":6,\"metadata\":\"m\"}]}").status());
        assertEquals(Map.of(new TopicPartition("bintest", 1), 7L), committed("bin-group"));
        JsonObject c = curl("GET", instance + "/offsets", V2, V2, "{\"partitions\":[{\"topic\":\"bintest\",\"partition\":1}]}").json();
        assertEquals(new JsonObject().put("offsets", new JsonArray().add(new JsonObject().put("topic", "bintest")
                .put("partition", 1).put("offset", 7).put("metadata", "m"))), c);

        assertEquals(204, curl("POST", instance + "/positions/beginning", V2, null,
                "{\"partitions\":[{\"topic\":\"bintest\",\"partition\":1}]}").status());
        JsonArray first = Poll.value(Duration.ofSeconds(30), "a record from the beginning",
                () -> new JsonArray(curl("GET", instance + "/records", null, BINARY_V2, null).body()), a -> !a.isEmpty());
        assertEquals(0L, first.getJsonObject(0).getLong("offset"));
        assertEquals(204, curl("POST", instance + "/positions/end", V2, null,
                "{\"partitions\":[{\"topic\":\"bintest\",\"partition\":1}]}").status());
        assertEquals(new JsonArray(), new JsonArray(curl("GET", instance + "/records?timeout=200", null, BINARY_V2, null).body()),
                "at the end nothing is left to read");
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            p.send(new ProducerRecord<>("bintest", 1, "late", "appended")).get();
        }
        JsonArray late = new JsonArray(curl("GET", instance + "/records?timeout=20000", null, BINARY_V2, null).body());
        assertEquals(10L, late.getJsonObject(0).getLong("offset"), "a waiting read returns the append: " + late);
        assertEquals(204, curl("DELETE", instance, V2, null, null).status());
    }

    @Test
    void anInstanceAndAKafkaConsumerInOneGroupSharePartitions() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "sharedv2", 2, Map.of());
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>("sharedv2", i % 2, "k", "v" + i)).get();
            }
        }
        String instance = curl("POST", node.httpBase() + "/consumers/mixed", V2, null,
                "{\"name\":\"rest-side\",\"format\":\"binary\",\"auto.offset.reset\":\"earliest\",\"auto.commit.enable\":\"false\"}")
                .json().getString("base_uri");
        assertEquals(204, curl("POST", instance + "/subscription", V2, null, "{\"topic_pattern\":\"shared.2\"}").status());
        try (KafkaConsumer<String, String> k = KafkaClientsSupport.consumer(node.bootstrap(), Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "mixed", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))) {
            k.subscribe(List.of("sharedv2"));
            Set<TopicPartition> mine = Poll.value(Duration.ofSeconds(30), "the Kafka consumer gets one partition", () -> {
                k.poll(Duration.ofMillis(100));
                return k.assignment();
            }, a -> a.size() == 1);
            JsonArray restSide = Poll.value(Duration.ofSeconds(30), "the instance gets the other partition", () -> {
                k.poll(Duration.ofMillis(50));
                return curl("GET", instance + "/assignments", null, V2, null).json().getJsonArray("partitions");
            }, a -> a.size() == 1);
            int restPartition = restSide.getJsonObject(0).getInteger("partition");
            assertTrue(mine.stream().noneMatch(tp -> tp.partition() == restPartition), mine + " vs " + restSide);
            JsonArray recs = Poll.value(Duration.ofSeconds(30), "the instance's records", () -> {
                k.poll(Duration.ofMillis(50));
                return new JsonArray(curl("GET", instance + "/records", null, BINARY_V2, null).body());
            }, a -> !a.isEmpty());
            assertTrue(recs.stream().allMatch(o -> ((JsonObject) o).getInteger("partition") == restPartition), recs.encode());
            k.commitSync(Map.of(mine.iterator().next(), new OffsetAndMetadata(3)));
            assertEquals(200, curl("POST", instance + "/offsets", V2, null, "{\"offsets\":[{\"topic\":\"sharedv2\",\"partition\":"
                    + restPartition + ",\"offset\":4}]}").status());
            assertEquals(Map.of(mine.iterator().next(), 3L, new TopicPartition("sharedv2", restPartition), 5L), committed("mixed"),
                    "both members' commits, with their generation, in __consumer_offsets");
        }
        assertEquals(204, curl("DELETE", instance + "/subscription", V2, null, null).status());
        assertEquals(new JsonArray(), curl("GET", instance + "/assignments", null, V2, null).json().getJsonArray("partitions"));
        assertEquals(204, curl("DELETE", instance, V2, null, null).status());
    }

    @Test
    void theQuickStartsProduceStepWritesWhatAKafkaConsumerReads() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "v2produce", 2, Map.of());
        // $ curl -X POST -H "Content-Type: application/vnd.kafka.json.v2+json" -H "Accept: application/vnd.kafka.v2+json"
        //   --data '{"records":[{"value":{"foo":"bar"}}]}' "http://localhost:8082/topics/jsontest"
        Http.Response json = curl("POST", node.httpBase() + "/topics/v2produce", JSON_V2, V2,
                "{\"records\":[{\"value\":{\"foo\":\"bar\"},\"partition\":0}]}");
        assertEquals(200, json.status(), json.body());
        assertEquals(V2, json.contentType());
        assertEquals(new JsonObject().put("offsets", new JsonArray().add(new JsonObject().put("partition", 0).put("offset", 0)
                .putNull("error_code").putNull("error"))).putNull("key_schema_id").putNull("value_schema_id"), json.json());
        Http.Response binary = curl("POST", node.httpBase() + "/topics/v2produce/partitions/1", BINARY_V2, V2,
                "{\"records\":[{\"key\":\"a2V5\",\"value\":\"S2Fma2E=\"},{\"value\":\"bG9ncw==\"}]}");
        assertEquals(List.of(0L, 1L), binary.json().getJsonArray("offsets").stream()
                .map(o -> ((JsonObject) o).getLong("offset")).toList(), binary.body());
        try (KafkaConsumer<String, String> c = KafkaClientsSupport.consumer(node.bootstrap(), Map.of())) {
            assertEquals("{\"foo\":\"bar\"}", KafkaClientsSupport.readFrom(c, new TopicPartition("v2produce", 0), 0, 1, Duration.ofSeconds(30))
                    .get(0).value());
            var read = KafkaClientsSupport.readFrom(c, new TopicPartition("v2produce", 1), 0, 2, Duration.ofSeconds(30));
            assertEquals("key", read.get(0).key());
            assertEquals("Kafka", read.get(0).value());
            assertEquals("logs", read.get(1).value());
        }
        assertError(curl("POST", node.httpBase() + "/topics/v2produce", "application/vnd.kafka.avro.v2+json", V2,
                "{\"records\":[{\"value\":1}]}"), 415, 41500, "avro without a Schema Registry");
        assertError(curl("POST", node.httpBase() + "/topics/v2produce", V2, V2, "{\"records\":[{\"value\":1}]}"), 422, 42206,
                "no embedded format means binary, and 1 is no base64 string");
        assertError(curl("POST", node.httpBase() + "/topics/v2produce", BINARY_V2, V2,
                "{\"records\":[{\"value\":\"AAAA\"},{\"value\":\"not base64!\"}]}"), 422, 42206, "bad base64 (nothing written)");
        assertError(curl("POST", node.httpBase() + "/topics/nope", JSON_V2, V2, "{\"records\":[{\"value\":1}]}"), 404, 40401,
                "an unknown topic");
        assertError(curl("POST", node.httpBase() + "/topics/v2produce/partitions/9", JSON_V2, V2, "{\"records\":[{\"value\":1}]}"),
                404, 40402, "an unknown partition");
        assertError(curl("POST", node.httpBase() + "/topics/v2produce", JSON_V2, V2, "{\"records\":[]}"), 422, 42206, "no records");
        assertEquals(1L, node.node().logManager().partition(new TopicPartition("v2produce", 0)).logEndOffset(),
                "the refused requests wrote nothing");
        assertEquals(2L, node.node().logManager().partition(new TopicPartition("v2produce", 1)).logEndOffset());
    }

    static void assertError(Http.Response r, int status, int code, String what) {
        assertEquals(status, r.status(), what + ": " + r.body());
        assertEquals(code, r.json().getInteger("error_code"), what + ": " + r.body());
        assertTrue(!r.json().getString("message").isEmpty(), what);
    }

    @Test
    void badInputGetsRestProxysErrorsAndTheInstanceCarriesOn() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "errtest", 1, Map.of());
        String base = node.httpBase() + "/consumers/err-group";
        String missing = base + "/instances/nobody";
        for (String[] route : new String[][]{{"GET", "/subscription"}, {"POST", "/subscription"}, {"DELETE", "/subscription"},
                {"GET", "/assignments"}, {"POST", "/assignments"}, {"GET", "/records"}, {"POST", "/offsets"},
                {"POST", "/positions"}, {"POST", "/positions/beginning"}, {"POST", "/positions/end"}, {"DELETE", ""}}) {
            String body = route[1].equals("/subscription") ? "{\"topics\":[\"errtest\"]}"
                    : route[1].startsWith("/positions/") || route[1].equals("/assignments")
                    ? "{\"partitions\":[{\"topic\":\"errtest\",\"partition\":0}]}"
                    : route[1].equals("/positions") ? "{\"offsets\":[{\"topic\":\"errtest\",\"partition\":0,\"offset\":0}]}" : null;
            Http.Response r = curl(route[0], missing + route[1], body == null ? null : V2, V2, route[0].equals("GET") ? null : body);
            assertError(r, 404, 40403, route[0] + " " + route[1] + " of an unknown instance");
            assertEquals("Consumer instance not found.", r.json().getString("message"));
        }
        assertError(curl("POST", base, V2, null, "{\"format\":\"avro\"}"), 422, 42204, "avro without a Schema Registry");
        assertError(curl("POST", base, V2, null, "{\"format\":\"xml\"}"), 422, 42204, "an unknown format");
        assertError(curl("POST", base, V2, null, "{\"auto.offset.reset\":\"sometimes\"}"), 422, 42204, "a bad reset policy");
        assertError(curl("POST", base, V2, null, "{\"auto.commit.enable\":\"maybe\"}"), 422, 42204, "a bad auto commit");
        assertError(curl("POST", base, V2, null, "{\"colour\":\"red\"}"), 422, 42204, "an unknown property");
        assertError(curl("POST", base, V2, null, "{\"name\":\"a/b\"}"), 422, 42204, "a name unfit for a URL");
        assertError(curl("POST", base, "text/plain", null, "{}"), 415, 41500, "a text body");
        String instance = curl("POST", base, V2, null, "{\"name\":\"e1\",\"format\":\"binary\"}").json().getString("base_uri");
        assertError(curl("POST", base, V2, null, "{\"name\":\"e1\"}"), 409, 40902, "the same name twice in a group");

        assertError(curl("GET", instance + "/records", null, JSON_V2, null), 406, 40601, "json records from a binary instance");
        assertError(curl("GET", instance + "/records", null, "application/vnd.kafka.avro.v2+json", null), 406, 40601, "avro records");
        assertError(curl("GET", instance + "/records?timeout=soon", null, BINARY_V2, null), 400, 40000, "a timeout that is no number");
        assertError(curl("POST", instance + "/subscription", V2, null, "{}"), 422, 42206, "neither topics nor a pattern");
        assertError(curl("POST", instance + "/subscription", V2, null, "{\"topic_pattern\":\"(\"}"), 422, 42206, "a broken regex");
        assertError(curl("POST", instance + "/subscription", V2, null, "{\"topics\":[\"a/b\"]}"), 422, 42206, "an illegal topic");
        assertError(curl("POST", instance + "/assignments", V2, null, "{\"partitions\":[{\"topic\":\"nope\",\"partition\":0}]}"),
                404, 40401, "an unknown topic");
        assertError(curl("POST", instance + "/assignments", V2, null, "{\"partitions\":[{\"topic\":\"errtest\",\"partition\":7}]}"),
                404, 40402, "an unknown partition");
        assertError(curl("POST", instance + "/positions", V2, null, "{\"offsets\":[{\"topic\":\"errtest\",\"partition\":0,\"offset\":1}]}"),
                409, 40903, "a seek on a partition not assigned");
        assertEquals(204, curl("POST", instance + "/assignments", V2, null, "{\"partitions\":[{\"topic\":\"errtest\",\"partition\":0}]}").status());
        assertError(curl("POST", instance + "/positions", V2, null, "{\"offsets\":[{\"topic\":\"errtest\",\"partition\":0,\"offset\":-1}]}"),
                422, 42202, "a negative offset");
        assertError(curl("POST", instance + "/subscription", V2, null, "{\"topics\":[\"errtest\"]}"), 409, 40903,
                "a subscription on top of a manual assignment");
        assertTrue(committed("err-group").isEmpty(), "nothing committed by the refused requests");
        assertEquals(200, curl("GET", instance + "/records?timeout=0", null, BINARY_V2, null).status(), "the instance still serves");
        assertEquals(204, curl("DELETE", instance, V2, null, null).status());
        assertError(curl("DELETE", instance, V2, null, null), 404, 40403, "a second delete");
    }

    @Test
    void anIdleInstanceExpiresAfterConsumerInstanceTimeout(@TempDir Path other) throws Exception {
        try (TestNode n = TestNode.start(other, Map.of("offsets.topic.num.partitions", "1", "consumer.instance.timeout.ms", "1500",
                "group.initial.rebalance.delay.ms", "0"));
             Admin a = KafkaClientsSupport.admin(n.bootstrap())) {
            KafkaClientsSupport.createTopic(n.bootstrap(), "idle", 1, Map.of());
            String instance = curl("POST", n.httpBase() + "/consumers/idle-group", V2, null, "{\"name\":\"sleepy\"}")
                    .json().getString("base_uri");
            assertEquals(204, curl("POST", instance + "/subscription", V2, null, "{\"topics\":[\"idle\"]}").status());
            // Watched through Kafka's Admin, not through the instance (a request would keep it alive).
            Poll.until(Duration.ofSeconds(30), "the instance joined the group", () -> members(a, "idle-group") == 1);
            Poll.until(Duration.ofSeconds(30), "the idle instance expired and left the group", () -> members(a, "idle-group") == 0);
            Http.Response gone = curl("GET", instance + "/assignments", null, V2, null);
            assertEquals(404, gone.status(), gone.body());
            assertEquals(40403, gone.json().getInteger("error_code"));
        }
    }

    private static int members(Admin a, String group) {
        try {
            return a.describeConsumerGroups(List.of(group)).all().get().get(group).members().size();
        } catch (Exception e) {
            return -1;
        }
    }
}
