package io.tributary.http;

import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listener itself: health, readiness, JSON errors for unknown routes and wrong methods, static pages. */
class HttpBasicsTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, java.util.Map.of("offsets.topic.num.partitions", "3"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void healthAnswersUpWhileTheProcessServes() {
        Http.Response r = Http.get(node.httpBase() + "/health");
        assertEquals(200, r.status());
        assertEquals("UP", r.json().getString("status"));
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
    }

    @Test
    void readyListsEveryPartAndIs200OnceAllAreUp() {
        Http.Response r = Poll.value(Duration.ofSeconds(30), "ready 200", () -> Http.get(node.httpBase() + "/ready"),
                x -> x.status() == 200);
        JsonObject parts = r.json().getJsonObject("parts");
        for (String part : new String[]{"log", "coordination", "groups", "kafka", "zookeeper", "http"}) {
            assertEquals("UP", parts.getJsonObject(part).getString("state"), part + " in " + r.body());
        }
        assertEquals("UP", r.json().getString("status"));
    }

    @Test
    void unknownRouteIs404Json() {
        Http.Response r = Http.get(node.httpBase() + "/no/such/thing");
        assertEquals(404, r.status());
        assertEquals(40400, r.json().getInteger("error_code"));
        assertTrue(r.json().getString("message").contains("/no/such/thing"), r.body());
    }

    @Test
    void wrongMethodIs405Json() {
        Http.Response r = Http.call("DELETE", node.httpBase() + "/health", null, null);
        assertEquals(405, r.status(), r.body());
        assertEquals(40500, r.json().getInteger("error_code"));
    }

    @Test
    void wsWithoutUpgradeIsAJsonError() {
        Http.Response r = Http.get(node.httpBase() + "/ws");
        assertEquals(426, r.status(), r.body());
        assertEquals(42600, r.json().getInteger("error_code"));
    }

    @Test
    void livePagesAndOpenApiAreServedFromTheJar() {
        for (String p : new String[]{"/live/watch", "/live/tail"}) {
            Http.Response r = Http.get(node.httpBase() + p);
            assertEquals(200, r.status(), p);
            assertTrue(r.contentType().startsWith("text/html"), p + " " + r.contentType());
            assertTrue(r.body().contains("/live/live.js"), p);
        }
        Http.Response js = Http.get(node.httpBase() + "/live/live.js");
        assertEquals(200, js.status());
        Http.Response api = Http.get(node.httpBase() + "/openapi.yaml");
        assertEquals(200, api.status());
        assertTrue(api.body().startsWith("openapi: 3"), api.body());
    }
}
