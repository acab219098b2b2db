package io.tributary.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A test's WebSocket to {@code /ws} through Vert.x's WebSocket client; frames are queued as they arrive. */
final class WsClient implements AutoCloseable {
    final WebSocketClient client;
    final WebSocket ws;
    final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    volatile Short closeCode;
    volatile String closeReason;

    private WsClient(WebSocketClient client, WebSocket ws) {
        this.client = client;
        this.ws = ws;
    }

    static WsClient connect(Vertx vertx, int port) {
        return connect(vertx, port, null);
    }

    static WsClient connect(Vertx vertx, int port, String basicAuth) {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
        WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws");
        if (basicAuth != null) {
            o.addHeader("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString(basicAuth.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        BlockingQueue<JsonObject> early = new LinkedBlockingQueue<>();
        WebSocket ws;
        try {
            ws = client.connect(o).await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("WebSocket connect failed", e);
        }
        WsClient c = new WsClient(client, ws);
        try {
            ws.textMessageHandler(t -> c.frames.add(new JsonObject(t)));
            ws.closeHandler(v -> {
                c.closeCode = ws.closeStatusCode();
                c.closeReason = ws.closeReason();
            });
        } catch (IllegalStateException closedAlready) {
            // the node closed it right after the upgrade (a refused socket): keep its close code
            c.closeCode = ws.closeStatusCode();
            c.closeReason = ws.closeReason();
        }
        return c;
    }

    void send(JsonObject frame) {
        ws.writeTextMessage(frame.encode());
    }

    void sendText(String text) {
        ws.writeTextMessage(text);
    }

    /** Frames a {@link #next} call passed over, kept for later calls (frames of other subscriptions interleave). */
    private final java.util.ArrayDeque<JsonObject> stash = new java.util.ArrayDeque<>();

    /** The next frame matching {@code p} (earlier non-matching ones are kept for later calls), within 20 s. */
    JsonObject next(Predicate<JsonObject> p, String what) {
        for (java.util.Iterator<JsonObject> it = stash.iterator(); it.hasNext(); ) {
            JsonObject f = it.next();
            if (p.test(f)) {
                it.remove();
                return f;
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonObject f;
            try {
                f = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (f == null) {
                throw new AssertionError("no frame within 20 s: " + what);
            }
            if (p.test(f)) {
                return f;
            }
            if (!"heartbeat".equals(f.getString("type"))) {
                stash.addLast(f);
            }
        }
    }

    /** The next frame of subscription {@code id} (heartbeats and others skipped). */
    JsonObject nextFor(String id) {
        return next(f -> id.equals(f.getString("id")), "a frame for " + id);
    }

    JsonObject nextOfType(String type) {
        return next(f -> type.equals(f.getString("type")), "a " + type + " frame");
    }

    /** Every frame already received (no waiting) that matches. */
    List<JsonObject> drain(Predicate<JsonObject> p) {
        List<JsonObject> all = new ArrayList<>(stash);
        stash.clear();
        frames.drainTo(all);
        all.removeIf(p.negate());
        return all;
    }

    @Override
    public void close() {
        try {
            ws.close().await(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // already closed
        }
        client.close();
    }
}
