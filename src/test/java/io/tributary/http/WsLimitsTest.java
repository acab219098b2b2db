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

    /**
     * A raw TCP client that completes the WebSocket handshake and then neither reads frames nor answers
     * pings: the node closes it with 4408 after the idle timeout.
     */
    @Test
    void aSilentSocketIsClosedWith4408() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.httpPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
            String status = readLine(in);
            assertEquals("HTTP/1.1 101 Switching Protocols", status);
            while (!readLine(in).isEmpty()) {
                // response headers
            }
            while (true) { // the node's frames (heartbeats, pings) until its close frame; none is answered
                int b0 = in.readUnsignedByte();
                int len = in.readUnsignedByte() & 0x7f;
                long n = len == 126 ? in.readUnsignedShort() : len == 127 ? in.readLong() : len;
                byte[] payload = new byte[(int) n];
                in.readFully(payload);
                if ((b0 & 0x0f) == 8) {
                    assertEquals(4408, ((payload[0] & 0xff) << 8) | (payload[1] & 0xff));
                    return;
                }
            }
        }
    }

    private static String readLine(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new java.io.EOFException();
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Test
    void moreSocketsFromOneAddressThanAllowedAreClosedWith4429() {
        // Sockets of other tests may still be closing on the node: retry until three new ones are all served.
        java.util.List<WsClient> three = new java.util.ArrayList<>();
        Poll.until(Duration.ofSeconds(90), "three sockets served", () -> {
            three.forEach(WsClient::close);
            three.clear();
            for (int i = 0; i < 3; i++) {
                three.add(WsClient.connect(vertx, node.httpPort()));
            }
            try {
                for (WsClient c : three) {
                    c.send(new JsonObject().put("type", "ping"));
                    c.nextOfType("pong");
                }
                return true;
            } catch (AssertionError notYet) {
                return false;
            }
        });
        try (WsClient d = WsClient.connect(vertx, node.httpPort())) {
            Poll.until(Duration.ofSeconds(10), "the fourth socket closed", () -> d.closeCode != null);
            assertEquals((short) 4429, d.closeCode);
            three.get(0).send(new JsonObject().put("type", "ping"));
            three.get(0).nextOfType("pong");
        } finally {
            three.forEach(WsClient::close);
        }
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
