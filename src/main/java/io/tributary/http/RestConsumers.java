package io.tributary.http;

import io.tributary.group.OffsetAndMetadata;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Confluent REST Proxy v2's consumer-instance API, so an existing v2 client works unmodified:
 * {@code POST /consumers/{group}} creates an instance ({@link ConsumerInstance}); under
 * {@code /consumers/{group}/instances/{instance}}: {@code subscription} (POST/GET/DELETE),
 * {@code assignments} (POST/GET), {@code records} (GET, long-poll with {@code timeout} and
 * {@code max_bytes}, {@link ConsumerRead}), {@code offsets} (POST commits — offset + 1 of each given
 * record, or every position when the body is empty; GET answers the committed ones), {@code positions},
 * {@code positions/beginning}, {@code positions/end} (seeks), and DELETE of the instance. Bodies are
 * {@code application/vnd.kafka.v2+json} (or any {@code vnd.kafka} type, or {@code application/json});
 * answers are {@code application/vnd.kafka.v2+json}, records {@code application/vnd.kafka.<format>.v2+json};
 * errors are REST Proxy's ({@code 40403 Consumer instance not found.}, {@code 40601} format mismatch,
 * {@code 40902} instance exists, {@code 40903} illegal state, {@code 42204} invalid consumer configuration).
 */
final class RestConsumers {
    private static final long MAX_RESPONSE_BYTES = 64L * 1024 * 1024; // REST Proxy's consumer.request.max.bytes
    private static final long MAX_TIMEOUT_MS = 30_000;
    private static final Set<String> CONFIG_KEYS = Set.of("name", "id", "format", "auto.offset.reset",
            "auto.commit.enable", "fetch.min.bytes", "consumer.request.timeout.ms", "response.min.bytes", "request.waitms");
    private static final Pattern INSTANCE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private final HttpFrontDoor door;

    RestConsumers(HttpFrontDoor door) {
        this.door = door;
    }

    void mount(Router r) {
        String i = "/consumers/:group/instances/:instance";
        r.post("/consumers/:group").handler(ctx -> guard(ctx, () -> create(ctx)));
        r.delete(i).handler(ctx -> guard(ctx, () -> {
            door.consumers.delete(ctx.pathParam("group"), ctx.pathParam("instance"));
            ctx.response().setStatusCode(204).end();
        }));
        r.post(i + "/subscription").handler(ctx -> guard(ctx, () -> {
            JsonObject b = Rest.body(ctx);
            on(ctx, 204, c -> subscribe(c, b));
        }));
        r.get(i + "/subscription").handler(ctx -> on(ctx, 200, c -> Future.succeededFuture(
                new JsonObject().put("topics", new JsonArray(new ArrayList<>(c.subscribedTopics()))))));
        r.delete(i + "/subscription").handler(ctx -> on(ctx, 204, ConsumerInstance::unsubscribe));
        r.post(i + "/assignments").handler(ctx -> guard(ctx, () -> {
            List<TopicPartition> parts = partitions(Rest.body(ctx), true);
            on(ctx, 204, c -> c.assign(parts));
        }));
        r.get(i + "/assignments").handler(ctx -> on(ctx, 200, c -> Future.succeededFuture(
                new JsonObject().put("partitions", partitionsJson(c.assignment())))));
        r.get(i + "/records").handler(ctx -> guard(ctx, () -> records(ctx)));
        r.post(i + "/offsets").handler(ctx -> guard(ctx, () -> {
            Map<TopicPartition, OffsetAndMetadata> explicit = commitBody(ctx);
            on(ctx, 200, c -> c.commit(explicit));
        }));
        r.get(i + "/offsets").handler(ctx -> guard(ctx, () -> {
            List<TopicPartition> parts = partitions(Rest.body(ctx), false);
            on(ctx, 200, c -> c.committed(parts));
        }));
        r.post(i + "/positions").handler(ctx -> guard(ctx, () -> {
            Map<TopicPartition, Long> offsets = offsets(Rest.body(ctx), 0);
            on(ctx, 204, c -> c.seek(offsets));
        }));
        r.post(i + "/positions/beginning").handler(ctx -> guard(ctx, () -> {
            List<TopicPartition> parts = partitions(Rest.body(ctx), false);
            on(ctx, 204, c -> c.seekToEdge(parts, true));
        }));
        r.post(i + "/positions/end").handler(ctx -> guard(ctx, () -> {
            List<TopicPartition> parts = partitions(Rest.body(ctx), false);
            on(ctx, 204, c -> c.seekToEdge(parts, false));
        }));
    }

    // ---- answering ----

    private static void guard(RoutingContext ctx, Runnable r) {
        try {
            r.run();
        } catch (Rest.Refused e) {
            HttpErrors.send(ctx.response(), e.code, e.getMessage(), V2Format.V2);
        }
    }

    /** Looks the instance up (40403), runs {@code op} on its context and answers with its JSON (or 204). */
    private <T> void on(RoutingContext ctx, int status, Function<ConsumerInstance, Future<T>> op) {
        guard(ctx, () -> {
            ConsumerInstance c = door.consumers.get(ctx.pathParam("group"), ctx.pathParam("instance"));
            c.call(() -> op.apply(c)).onComplete(ar -> {
                if (ar.failed()) {
                    fail(ctx, ar.cause());
                } else if (status == 204 || ar.result() == null) {
                    ctx.response().setStatusCode(204).end();
                } else {
                    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, V2Format.V2)
                            .end(ar.result() instanceof JsonObject o ? o.encode() : ((JsonArray) ar.result()).encode());
                }
            });
        });
    }

    private static void fail(RoutingContext ctx, Throwable t) {
        if (t instanceof Rest.Refused r) {
            HttpErrors.send(ctx.response(), r.code, r.getMessage(), V2Format.V2);
        } else {
            Rest.fail(ctx, t);
        }
    }

    // ---- create ----

    private void create(RoutingContext ctx) {
        String group = ctx.pathParam("group");
        JsonObject b = optionalBody(ctx);
        for (String k : b.fieldNames()) {
            if (!CONFIG_KEYS.contains(k)) {
                throw invalidConfig("unknown property \"" + k + "\"");
            }
        }
        String name = text(b, "name", text(b, "id", null));
        if (name != null && !INSTANCE_NAME.matcher(name).matches()) {
            throw invalidConfig("name must be 1..200 characters of [A-Za-z0-9._-]");
        }
        String formatName = text(b, "format", "binary").toLowerCase(Locale.ROOT);
        V2Format format = V2Format.forName(formatName);
        if (format == null) {
            throw invalidConfig(V2Format.NEED_SCHEMA_REGISTRY.contains(formatName)
                    ? "format " + formatName + " needs a Schema Registry, which this server does not have; use binary or json"
                    : "format must be binary or json, got " + formatName);
        }
        String reset = text(b, "auto.offset.reset", "latest").toLowerCase(Locale.ROOT);
        if (!List.of("earliest", "latest", "none").contains(reset)) {
            throw invalidConfig("auto.offset.reset must be earliest, latest or none, got " + reset);
        }
        String commit = text(b, "auto.commit.enable", "true").toLowerCase(Locale.ROOT);
        if (!commit.equals("true") && !commit.equals("false")) {
            throw invalidConfig("auto.commit.enable must be true or false, got " + commit);
        }
        long timeout = number(b, "consumer.request.timeout.ms", 1000);
        number(b, "fetch.min.bytes", -1);
        String id = name != null ? name : "rest-consumer-" + door.nodeId + "-" + java.util.UUID.randomUUID();
        ConsumerInstance c = new ConsumerInstance(door, door.vertx.getOrCreateContext(), group, id, format, reset,
                commit.equals("true"), Math.min(timeout, MAX_TIMEOUT_MS),
                "/" + (ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress()));
        door.consumers.add(c);
        String uri = ctx.request().absoluteURI();
        int q = uri.indexOf('?');
        uri = q >= 0 ? uri.substring(0, q) : uri;
        uri = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
        ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, V2Format.V2)
                .end(new JsonObject().put("instance_id", id).put("base_uri", uri + "/instances/" + id).encode());
    }

    private static Rest.Refused invalidConfig(String message) {
        return new Rest.Refused(42204, "Invalid consumer configuration: " + message);
    }

    /** A string-valued property (REST Proxy takes "true" and true, "1000" and 1000 alike). */
    private static String text(JsonObject b, String key, String fallback) {
        Object v = b.getValue(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof String || v instanceof Boolean || v instanceof Number) {
            return String.valueOf(v);
        }
        throw invalidConfig(key + " must be a string");
    }

    private static long number(JsonObject b, String key, long fallback) {
        String v = text(b, key, null);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw invalidConfig(key + " must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalidConfig(key + " must be a number, got " + v);
        }
    }

    /** The body when there is one (a create and a commit may have none). */
    private static JsonObject optionalBody(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        return text == null || text.isBlank() ? new JsonObject() : Rest.body(ctx);
    }

    // ---- records ----

    private void records(RoutingContext ctx) {
        ConsumerInstance c = door.consumers.get(ctx.pathParam("group"), ctx.pathParam("instance"));
        V2Format asked = V2Format.accepted(ctx.request().getHeader(HttpHeaders.ACCEPT), c.format);
        if (asked != c.format) {
            throw new Rest.Refused(40601, "The requested embedded data format does not match the deserializer for"
                    + " this consumer instance");
        }
        long timeout = Rest.longParam(ctx, "timeout", -1, -1L);
        long maxBytes = Rest.longParam(ctx, "max_bytes", -1, -1L);
        long wait = timeout < 0 ? c.requestTimeoutMs : Math.min(timeout, MAX_TIMEOUT_MS);
        long bytes = maxBytes <= 0 ? MAX_RESPONSE_BYTES : Math.min(maxBytes, MAX_RESPONSE_BYTES);
        c.call(() -> c.reader.read(wait, bytes)).onComplete(ar -> {
            if (ar.failed()) {
                fail(ctx, ar.cause());
            } else {
                ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, c.format.contentType)
                        .end(ar.result().encode());
            }
        });
    }

    // ---- bodies ----

    /** {@code {"subscription": {"topics": [...]} | {"topic_pattern": "..."}}}. */
    private static Future<Void> subscribe(ConsumerInstance c, JsonObject b) {
        Object topics = b.getValue("topics");
        Object pattern = b.getValue("topic_pattern");
        if ((topics == null) == (pattern == null)) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "the subscription needs exactly one of topics or topic_pattern");
        }
        if (pattern != null) {
            if (!(pattern instanceof String p) || p.isEmpty()) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "topic_pattern is a regular expression");
            }
            try {
                return c.subscribe(null, Pattern.compile(p));
            } catch (PatternSyntaxException e) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "topic_pattern is not a regular expression: " + e.getDescription());
            }
        }
        if (!(topics instanceof JsonArray list) || list.isEmpty()) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "topics is a non-empty list of topic names");
        }
        List<String> names = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String t)) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "topics is a list of topic names");
            }
            try {
                Topic.validate(t);
            } catch (RuntimeException e) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "invalid topic name " + t + ": " + e.getMessage());
            }
            if (!names.contains(t)) {
                names.add(t);
            }
        }
        return c.subscribe(names, null);
    }

    /** {@code {"partitions": [{"topic", "partition"}]}}; existing partitions only. */
    private List<TopicPartition> partitions(JsonObject b, boolean required) {
        Object ps = b.getValue("partitions");
        if (ps == null && !required) {
            return List.of();
        }
        if (!(ps instanceof JsonArray list)) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "partitions is a list of {\"topic\", \"partition\"}");
        }
        List<TopicPartition> out = new ArrayList<>();
        for (Object o : list) {
            TopicPartition tp = partition(o);
            if (!out.contains(tp)) {
                out.add(tp);
            }
        }
        return out;
    }

    private TopicPartition partition(Object o) {
        if (!(o instanceof JsonObject p) || !(p.getValue("topic") instanceof String topic)
                || !(p.getValue("partition") instanceof Integer partition)) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "a partition is {\"topic\": string, \"partition\": number}");
        }
        TopicInfo info = door.logs.manager().topics().get(topic);
        if (info == null) {
            throw new Rest.Refused(HttpErrors.TOPIC_NOT_FOUND, "Topic not found.");
        }
        if (partition < 0 || partition >= info.partitions()) {
            throw new Rest.Refused(HttpErrors.PARTITION_NOT_FOUND, "Partition not found.");
        }
        return new TopicPartition(topic, partition);
    }

    /** {@code {"offsets": [{"topic", "partition", "offset"}]}}, each offset plus {@code add}. */
    private Map<TopicPartition, Long> offsets(JsonObject b, long add) {
        if (!(b.getValue("offsets") instanceof JsonArray list)) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "offsets is a list of {\"topic\", \"partition\", \"offset\"}");
        }
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        for (Object o : list) {
            TopicPartition tp = partition(o);
            Object off = ((JsonObject) o).getValue("offset");
            if (!(off instanceof Number n) || n.longValue() < 0 || off instanceof Double || off instanceof Float) {
                throw new Rest.Refused(42202, "offset of " + tp + " must be a non-negative integer, got " + off);
            }
            out.put(tp, n.longValue() + add);
        }
        return out;
    }

    /** A commit's body: null (commit every position) when empty or without offsets, else offset + 1 of each. */
    private Map<TopicPartition, OffsetAndMetadata> commitBody(RoutingContext ctx) {
        JsonObject b = optionalBody(ctx);
        if (b.getValue("offsets") == null) {
            return null;
        }
        Map<TopicPartition, Long> next = offsets(b, 1); // REST Proxy commits the offset after each record named
        Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
        JsonArray list = b.getJsonArray("offsets");
        for (int k = 0; k < list.size(); k++) {
            Object md = list.getJsonObject(k).getValue("metadata");
            if (md != null && !(md instanceof String)) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "metadata is a string");
            }
            TopicPartition tp = partition(list.getValue(k));
            out.put(tp, new OffsetAndMetadata(next.get(tp), -1, md == null ? "" : (String) md, -1));
        }
        return out;
    }

    private static JsonArray partitionsJson(List<TopicPartition> parts) {
        JsonArray a = new JsonArray();
        parts.forEach(tp -> a.add(new JsonObject().put("topic", tp.topic()).put("partition", tp.partition())));
        return a;
    }
}
