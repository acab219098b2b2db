package io.tributary.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small helpers the REST handlers share: bodies, parameters, v3 resource shapes, errors. */
final class Rest {
    private static final Logger LOG = LoggerFactory.getLogger(Rest.class);

    /** A request the handler refuses: the REST Proxy error code and message to answer. */
    static final class Refused extends RuntimeException {
        final int code;

        Refused(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private Rest() {
    }

    /** The body as a JSON object; refuses a wrong content type (415) or malformed JSON (400 / 42206). */
    static JsonObject body(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !(type.startsWith("application/json") || type.startsWith("application/vnd.kafka"))) {
            throw new Refused(HttpErrors.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json, got " + type);
        }
        String text = ctx.body() == null ? null : ctx.body().asString();
        if (text == null || text.isBlank()) {
            throw new Refused(HttpErrors.BAD_REQUEST, "request body is empty");
        }
        try {
            return new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            throw new Refused(HttpErrors.BAD_REQUEST, "request body is not a JSON object");
        }
    }

    static int intParam(RoutingContext ctx, String name, int min, int max, Integer fallback) {
        String v = ctx.pathParam(name) != null ? ctx.pathParam(name) : ctx.queryParams().get(name);
        if (v == null) {
            if (fallback == null) {
                throw new Refused(HttpErrors.BAD_REQUEST, name + " is required");
            }
            return fallback;
        }
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) {
                throw new Refused(HttpErrors.BAD_REQUEST, name + " must be in " + min + ".." + max + ", got " + v);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new Refused(HttpErrors.BAD_REQUEST, name + " must be an integer, got " + v);
        }
    }

    static long longParam(RoutingContext ctx, String name, long min, Long fallback) {
        String v = ctx.queryParams().get(name);
        if (v == null) {
            if (fallback == null) {
                throw new Refused(HttpErrors.BAD_REQUEST, name + " is required");
            }
            return fallback;
        }
        try {
            long l = Long.parseLong(v);
            if (l < min) {
                throw new Refused(HttpErrors.BAD_REQUEST, name + " must be at least " + min + ", got " + v);
            }
            return l;
        } catch (NumberFormatException e) {
            throw new Refused(HttpErrors.BAD_REQUEST, name + " must be an integer, got " + v);
        }
    }

    static void ok(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }

    static void noContent(RoutingContext ctx) {
        ctx.response().setStatusCode(204).end();
    }

    /** Answers a handler's future: its JSON, or the error it failed with. */
    static void reply(RoutingContext ctx, int status, Future<JsonObject> f) {
        f.onComplete(ar -> {
            if (ar.succeeded()) {
                if (ar.result() == null) {
                    noContent(ctx);
                } else {
                    ok(ctx, status, ar.result());
                }
            } else {
                fail(ctx, ar.cause());
            }
        });
    }

    static void fail(RoutingContext ctx, Throwable t) {
        if (t instanceof Refused r) {
            HttpErrors.send(ctx, r.code, r.getMessage());
        } else {
            LOG.error("HTTP {} {} failed", ctx.request().method(), ctx.request().path(), t);
            HttpErrors.send(ctx, HttpErrors.INTERNAL, "Internal error: " + t.getMessage());
        }
    }

    /** Runs a handler, turning a synchronous refusal into its error response. */
    static void guard(RoutingContext ctx, Runnable r) {
        try {
            r.run();
        } catch (Refused e) {
            HttpErrors.send(ctx, e.code, e.getMessage());
        }
    }

    /** A Kafka error as a REST Proxy one. */
    static Refused of(Errors e, String message) {
        String m = message == null || message.isEmpty() ? e.message() : message;
        return switch (e) {
            case UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID -> new Refused(HttpErrors.TOPIC_NOT_FOUND, m);
            case TOPIC_ALREADY_EXISTS -> new Refused(40002, m);
            case INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT,
                 INVALID_CONFIG, INVALID_REQUEST, POLICY_VIOLATION, UNSUPPORTED_VERSION -> new Refused(40003, m);
            case TOPIC_DELETION_DISABLED, TOPIC_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED -> new Refused(40301, m);
            case GROUP_ID_NOT_FOUND -> new Refused(HttpErrors.GROUP_NOT_FOUND, m);
            case NON_EMPTY_GROUP, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS -> new Refused(40901, m);
            case COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE -> new Refused(HttpErrors.UNAVAILABLE, m);
            default -> new Refused(HttpErrors.INTERNAL, e.name() + ": " + m);
        };
    }

    // ---- v3 shapes ----

    static JsonObject metadata(String self, String resourceName) {
        JsonObject m = new JsonObject().put("self", self);
        if (resourceName != null) {
            m.put("resource_name", resourceName);
        }
        return m;
    }

    static JsonObject related(String url) {
        return new JsonObject().put("related", url);
    }

    static JsonObject list(String kind, String self, JsonArray data) {
        return new JsonObject().put("kind", kind).put("metadata", new JsonObject().put("self", self).putNull("next"))
                .put("data", data);
    }
}
