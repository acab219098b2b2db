package io.tributary.http;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of each part of the node, as {@code server.Node} moves it through start and stop, for
 * {@code GET /ready}: the node is ready when every part is {@link State#UP}. Parts are reported in the
 * order they were declared. Thread-safe (the node sets states from its start chain, listeners read them).
 */
public final class Health {
    public enum State { STARTING, UP, STOPPING, DOWN, FAILED }

    private final Map<String, State> parts = new LinkedHashMap<>();
    private final Map<String, String> details = new LinkedHashMap<>();

    /** Declares the parts (all STARTING), in the order {@code /ready} lists them. */
    public Health(String... names) {
        for (String n : names) {
            parts.put(n, State.STARTING);
        }
    }

    public synchronized void set(String part, State state) {
        set(part, state, null);
    }

    public synchronized void set(String part, State state, String detail) {
        parts.put(part, state);
        if (detail == null) {
            details.remove(part);
        } else {
            details.put(part, detail);
        }
    }

    public synchronized boolean ready() {
        return parts.values().stream().allMatch(s -> s == State.UP);
    }

    /** {@code {"status": "UP"|"DOWN", "parts": {name: {"state": ..., "detail": ...}}}} */
    public synchronized JsonObject toJson() {
        JsonObject p = new JsonObject();
        parts.forEach((name, state) -> {
            JsonObject o = new JsonObject().put("state", state.name());
            String d = details.get(name);
            if (d != null) {
                o.put("detail", d);
            }
            p.put(name, o);
        });
        return new JsonObject().put("status", ready() ? "UP" : "DOWN").put("parts", p);
    }
}
