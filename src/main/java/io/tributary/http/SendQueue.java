package io.tributary.http;

import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A socket's bounded send queue: counts the bytes of text frames written to the WebSocket whose write
 * has not completed yet (they sit in Netty's outbound buffer because the peer is not reading), so the
 * bound ({@code http.ws.max.queued.bytes}) holds whatever Vert.x's own write queue does. Sources that can
 * pause (topic tails) check {@link #full()} before reading more and register {@link #whenDrained}; sources
 * that cannot (watch events) are ended with an {@code overflow} frame past the bound. Event loop of the
 * socket only.
 */
final class SendQueue {
    private final ServerWebSocket ws;
    private final long max;
    private long queued;
    private long sentFrames;
    private List<Runnable> drainWaiters = new ArrayList<>();

    SendQueue(ServerWebSocket ws, long max) {
        this.ws = ws;
        this.max = max;
    }

    long max() {
        return max;
    }

    long queued() {
        return queued;
    }

    boolean full() {
        return queued >= max;
    }

    /** Whether {@code bytes} more would still fit under the bound. */
    boolean fits(long bytes) {
        return queued + bytes <= max;
    }

    long sentFrames() {
        return sentFrames;
    }

    void send(JsonObject frame) {
        send(frame.encode());
    }

    void send(String text) {
        if (ws.isClosed()) {
            return;
        }
        // UTF-16 length as the estimate of the UTF-8 size: exact for the ASCII that JSON mostly is
        long n = text.length();
        queued += n;
        sentFrames++;
        ws.writeTextMessage(text).onComplete(ar -> {
            queued -= n;
            if (queued <= max / 2 && !drainWaiters.isEmpty()) {
                List<Runnable> run = drainWaiters;
                drainWaiters = new ArrayList<>();
                run.forEach(Runnable::run);
            }
        });
    }

    /** Runs {@code r} once the queue is at most half full (at once if it already is). */
    void whenDrained(Runnable r) {
        if (queued <= max / 2) {
            r.run();
        } else {
            drainWaiters.add(r);
        }
    }
}
