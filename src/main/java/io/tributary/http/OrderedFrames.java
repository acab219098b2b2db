package io.tributary.http;

import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;

/**
 * The ordered stream of a socket's watch frames: an event's place is reserved when it arrives from the
 * engine (in zxid order), and its frame is written once it and every frame before it are filled — an
 * event with {@code include: "data"}, or a recursive watch's ACL check, waits for a read while later events
 * may already be known. Reserved bytes count against the socket's bound before they are written, so the
 * overflow check sees them. Event loop of the socket only.
 */
final class OrderedFrames {
    /** A place in the stream; filled later, sent in order. */
    static final class Slot {
        private JsonObject frame;
        private boolean filled;
        final long estimate;

        Slot(long estimate) {
            this.estimate = estimate;
        }
    }

    private final SendQueue out;
    private final ArrayDeque<Slot> ordered = new ArrayDeque<>();
    private long reserved;
    private boolean closed;

    OrderedFrames(SendQueue out) {
        this.out = out;
    }

    /** Reserves the next place, counting {@code estimate} bytes against the bound. */
    Slot reserve(long estimate) {
        Slot s = new Slot(estimate);
        ordered.addLast(s);
        reserved += estimate;
        return s;
    }

    /** Bytes reserved for frames not yet written. */
    long reservedBytes() {
        return reserved;
    }

    /** Fills a slot (null: nothing to send for it) and writes every filled slot at the head, in order. */
    void fill(Slot slot, JsonObject frame) {
        slot.frame = frame;
        slot.filled = true;
        while (!ordered.isEmpty() && ordered.peekFirst().filled) {
            Slot s = ordered.pollFirst();
            reserved -= s.estimate;
            if (s.frame != null && !closed) {
                out.send(s.frame);
            }
        }
    }

    /** The socket closed: nothing more is written. */
    void close() {
        closed = true;
        ordered.clear();
    }
}
