package io.tributary.http;

import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Heartbeats, the idle timeout, sockets per address, refused credentials: documented close codes. */
class WsLimitsTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static Vertx vertx;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1", "http.ws.heartbeat.ms", "100",
                "http.ws.idle.timeout.ms", "1500", "http.ws.max.connections.per.ip", "3"));
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
        node.close();
    }

    @Test
    void heartbeatsFlowAndASocketAnsweringPingsStaysOpen() {
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            for (int i = 0; i < 3; i++) {
                c.nextOfType("heartbeat");
            }
            // Vert.x answers the node's pings with pongs, which count as traffic: still open after the idle timeout
            long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
            Poll.until(Duration.ofSeconds(10), "2.5 s of heartbeats", () -> {
                c.nextOfType("heartbeat");
                return System.nanoTime() > until;
            });
            c.send(new JsonObject().put("type", "ping"));
            c.nextOfType("pong");
        }
    }

    @Test
    void aSilentSocketIsClosedWith4408() {
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.ws.pause(); // reads nothing, so it answers no ping
            Poll.until(Duration.ofSeconds(20), "idle close", () -> {
                c.ws.resume();
                boolean closed = c.closeCode != null;
                if (!closed) {
                    c.ws.pause();
                }
                return closed;
            });
            assertEquals((short) 4408, c.closeCode);
        }
    }

    @Test
    void moreSocketsFromOneAddressThanAllowedAreClosedWith4429() {
        WsClient a = WsClient.connect(vertx, node.httpPort());
        WsClient b = WsClient.connect(vertx, node.httpPort());
        WsClient c = WsClient.connect(vertx, node.httpPort());
        try (a; b; c; WsClient d = WsClient.connect(vertx, node.httpPort())) {
            Poll.until(Duration.ofSeconds(10), "the fourth socket closed", () -> d.closeCode != null);
            assertEquals((short) 4429, d.closeCode);
            a.send(new JsonObject().put("type", "ping"));
            a.nextOfType("pong");
        }
        // once they are gone a new one is admitted
        Poll.until(Duration.ofSeconds(10), "slots released", () -> {
            try (WsClient e = WsClient.connect(vertx, node.httpPort())) {
                e.send(new JsonObject().put("type", "ping"));
                e.nextOfType("pong");
                return true;
            } catch (AssertionError notYet) {
                return false;
            }
        });
    }

    @Test
    void refusedCredentialsCloseWith4401() {
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(new JsonObject().put("type", "init").put("auth", new JsonObject().put("scheme", "sasl").put("credentials", "x:y")));
            Poll.until(Duration.ofSeconds(10), "closed", () -> c.closeCode != null);
            assertEquals((short) 4401, c.closeCode);
        }
    }
}
