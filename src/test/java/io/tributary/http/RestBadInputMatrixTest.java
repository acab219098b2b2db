package io.tributary.http;

import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, must-show 5, across every REST route that takes a body: malformed JSON, a wrong content type, a
 * body over http.max.body.bytes and a JSON value of the wrong shape each get an HTTP 4xx with a JSON
 * {@code {"error_code", "message"}} body; afterwards nothing was written (topics, records, offsets, znodes
 * as they were) and the node still serves.
 */
class RestBadInputMatrixTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static Admin admin;
    static String cluster;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1", "http.max.body.bytes", "4096"));
        admin = KafkaClientsSupport.admin(node.bootstrap());
        cluster = Http.get(node.httpBase() + "/v3/clusters").json().getJsonArray("data").getJsonObject(0).getString("cluster_id");
        KafkaClientsSupport.createTopic(node.bootstrap(), "held", 1, Map.of());
        try (KafkaConsumer<String, String> c = KafkaClientsSupport.consumer(node.bootstrap(), Map.of("group.id", "held-g"))) {
            c.commitSync(Map.of(new TopicPartition("held", 0), new OffsetAndMetadata(0)));
        }
        assertEquals(201, Http.call("POST", node.httpBase() + "/v1/znodes/held", "{\"data\":\"v0\"}", "application/json").status());
        assertEquals(200, Http.call("POST", node.httpBase() + "/consumers/held-v2", "{\"name\":\"held-i\"}",
                "application/vnd.kafka.v2+json").status());
    }

    @AfterAll
    static void stop() {
        admin.close();
        node.close();
    }

    record Route(String method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** The REST Proxy v2 consumer instance made in {@link #start}. */
    static final String V2 = "/consumers/held-v2/instances/held-i";

    static Stream<Route> bodyRoutes() {
        String c = "/v3/clusters/{cluster}";
        return Stream.of(
                new Route("POST", c + "/topics"),
                new Route("POST", c + "/topics/held/configs:alter"),
                new Route("POST", c + "/topics/held/records"),
                new Route("POST", c + "/consumer-groups/held-g/offsets:reset"),
                new Route("POST", "/v1/znodes/created-by-bad-input"),
                new Route("PUT", "/v1/znodes/held"),
                new Route("POST", "/consumers/held-v2"),
                new Route("POST", V2 + "/subscription"),
                new Route("POST", V2 + "/assignments"),
                new Route("POST", V2 + "/offsets"),
                new Route("GET", V2 + "/offsets"),
                new Route("POST", V2 + "/positions"),
                new Route("POST", V2 + "/positions/beginning"),
                new Route("POST", V2 + "/positions/end"),
                new Route("POST", "/topics/held"),
                new Route("POST", "/topics/held/partitions/0"));
    }

    private static String url(Route r) {
        return node.httpBase() + r.path().replace("{cluster}", cluster);
    }

    private static void assertJsonError(Http.Response resp, int status, Route r, String what) {
        assertEquals(status, resp.status(), r + " with " + what + ": " + resp.body());
        JsonObject body = resp.json();
        assertNotNull(body.getInteger("error_code"), r + " with " + what + ": error_code in " + resp.body());
        assertTrue(body.getString("message") != null && !body.getString("message").isEmpty(), resp.body());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodyRoutes")
    void malformedJsonIsA400WithAJsonError(Route r) {
        Http.Response resp = Http.call(r.method(), url(r), "{\"topic_name\": \"x\", ", "application/json");
        assertTrue(resp.status() == 400 || resp.status() == 422, r + ": " + resp.status() + " " + resp.body());
        assertJsonError(resp, resp.status(), r, "malformed JSON");
        assertNothingWritten();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodyRoutes")
    void aWrongContentTypeIs415(Route r) {
        assertJsonError(Http.call(r.method(), url(r), "{}", "text/plain"), 415, r, "text/plain");
        assertNothingWritten();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodyRoutes")
    void aBodyOverTheLimitIs413(Route r) {
        String big = "{\"data\":\"" + "x".repeat(5000) + "\"}";
        assertJsonError(Http.call(r.method(), url(r), big, "application/json"), 413, r, "a 5 KB body");
        assertNothingWritten();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodyRoutes")
    void aJsonArrayWhereAnObjectBelongsIsRefused(Route r) {
        Http.Response resp = Http.call(r.method(), url(r), "[1, 2, 3]", "application/json");
        assertTrue(resp.status() >= 400 && resp.status() < 500, r + ": " + resp.status() + " " + resp.body());
        assertJsonError(resp, resp.status(), r, "a JSON array");
        assertNothingWritten();
    }

    @Test
    void unknownRoutesAndMethodsAreJsonToo() {
        Http.Response missing = Http.get(node.httpBase() + "/v3/nothing-here");
        assertEquals(404, missing.status());
        assertNotNull(missing.json().getInteger("error_code"));
        Http.Response method = Http.call("PATCH", node.httpBase() + "/health", null, null);
        assertTrue(method.status() == 405 || method.status() == 404, method.status() + " " + method.body());
        assertNotNull(method.json().getInteger("error_code"));
    }

    private static void assertNothingWritten() {
        try {
            assertEquals(Set.of("held"), admin.listTopics().names().get(), "no topic created");
            TopicPartition tp = new TopicPartition("held", 0);
            assertEquals(0L, node.node().logManager().partition(tp).logEndOffset(), "no record appended");
            assertEquals(0L, admin.listConsumerGroupOffsets("held-g").partitionsToOffsetAndMetadata().get().get(tp).offset(),
                    "offsets unchanged");
            JsonObject held = Http.get(node.httpBase() + "/v1/znodes/held").json();
            assertEquals("v0", held.getString("data"), "znode data unchanged");
            assertEquals(0, held.getJsonObject("stat").getInteger("version"));
            assertEquals(404, Http.get(node.httpBase() + "/v1/znodes/created-by-bad-input").status(), "no znode created");
            assertEquals(200, Http.get(node.httpBase() + "/health").status());
            assertEquals(new JsonObject().put("topics", new io.vertx.core.json.JsonArray()),
                    Http.get(node.httpBase() + V2 + "/subscription").json(), "the v2 instance subscribed to nothing");
            assertEquals(new JsonObject().put("partitions", new io.vertx.core.json.JsonArray()),
                    Http.get(node.httpBase() + V2 + "/assignments").json(), "the v2 instance assigned nothing");
            assertTrue(admin.listConsumerGroupOffsets("held-v2").partitionsToOffsetAndMetadata().get().isEmpty(),
                    "the v2 instance committed nothing");
            assertEquals(List.of("retention.ms=604800000"), List.of("retention.ms=" + admin.describeConfigs(List.of(
                    new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "held")))
                    .all().get().values().iterator().next().get("retention.ms").value()), "topic config unchanged");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
