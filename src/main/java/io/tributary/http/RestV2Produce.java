package io.tributary.http;

import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.common.internals.Topic;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * REST Proxy v2's produce, the first step of its quick start: {@code POST /topics/{topic}} and
 * {@code POST /topics/{topic}/partitions/{partition}} with {@code {"records": [{"key"?, "value", "partition"?}]}}
 * in the embedded format the content type names — {@code application/vnd.kafka.json.v2+json} (keys and values
 * are JSON, stored as their text) or {@code application/vnd.kafka.binary.v2+json} (base64; also what a content
 * type without an embedded format means, as in REST Proxy). Every record is
 * checked before any is written, then appended in order through {@link RecordAppender} (the Kafka Produce
 * path); the answer is {@code {"offsets": [{"partition", "offset", "error_code", "error"}], "key_schema_id":
 * null, "value_schema_id": null}}, a failed record carrying error_code 1 (or 2 when retrying may help).
 */
final class RestV2Produce {
    private static final List<String> GENERIC = List.of(V2Format.V2, "application/vnd.kafka+json", "application/json");

    private final HttpFrontDoor door;

    RestV2Produce(HttpFrontDoor door) {
        this.door = door;
    }

    void mount(Router r) {
        r.post("/topics/:topic").handler(ctx -> guard(ctx, () -> produce(ctx, null)));
        r.post("/topics/:topic/partitions/:partition").handler(ctx -> guard(ctx, () -> produce(ctx, ctx.pathParam("partition"))));
    }

    private static void guard(RoutingContext ctx, Runnable r) {
        try {
            r.run();
        } catch (Rest.Refused e) {
            HttpErrors.send(ctx.response(), e.code, e.getMessage(), V2Format.V2);
        }
    }

    private void produce(RoutingContext ctx, String partitionParam) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        String t = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
        // REST Proxy: "if the embedded format is omitted, binary is assumed" (application/json, vnd.kafka+json...).
        V2Format format = t.equals(V2Format.JSON.contentType) ? V2Format.JSON
                : t.equals(V2Format.BINARY.contentType) || GENERIC.contains(t) ? V2Format.BINARY : null;
        if (format == null) {
            throw new Rest.Refused(HttpErrors.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be " + V2Format.JSON.contentType
                    + " or " + V2Format.BINARY.contentType + " (avro, jsonschema, protobuf need a Schema Registry), got " + type);
        }
        JsonObject body = Rest.body(ctx);
        String topic = ctx.pathParam("topic");
        TopicInfo info = door.logs.manager().topics().get(topic);
        if (info == null) {
            throw new Rest.Refused(HttpErrors.TOPIC_NOT_FOUND, "Topic not found.");
        }
        if (Topic.isInternal(topic)) {
            throw new Rest.Refused(40301, "Cannot append to internal topic " + topic);
        }
        Integer fixed = null;
        if (partitionParam != null) {
            fixed = Rest.intParam(ctx, "partition", 0, Integer.MAX_VALUE, null);
            if (fixed >= info.partitions()) {
                throw new Rest.Refused(HttpErrors.PARTITION_NOT_FOUND, "Partition not found.");
            }
        }
        if (!(body.getValue("records") instanceof JsonArray records) || records.isEmpty()) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "records is a non-empty list of {\"key\"?, \"value\", \"partition\"?}");
        }
        for (String schema : List.of("key_schema", "value_schema", "key_schema_id", "value_schema_id")) {
            if (body.getValue(schema) != null) {
                throw new Rest.Refused(42205, schema + " needs a Schema Registry, which this server does not have");
            }
        }
        long now = System.currentTimeMillis();
        List<RecordAppender.Request> requests = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            if (!(records.getValue(i) instanceof JsonObject rec)) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "records[" + i + "] is not an object");
            }
            byte[] key = embedded(format, rec, "key", i);
            byte[] value = embedded(format, rec, "value", i);
            Object p = fixed != null ? fixed : rec.getValue("partition");
            try {
                requests.add(new RecordAppender.Request(topic, RecordAppender.Request.partition(info, p, key), key, value,
                        List.of(), now));
            } catch (RecordAppender.BadRecord e) {
                throw new Rest.Refused(e.code, "records[" + i + "]: " + e.getMessage());
            }
        }
        JsonArray offsets = new JsonArray();
        Future<Void> chain = Future.succeededFuture();
        for (RecordAppender.Request req : requests) { // in order, one after the other, as a producer's batch keeps them
            chain = chain.compose(v -> RecordAppender.append(door.logs, req).map(info1 -> {
                offsets.add(new JsonObject().put("partition", req.partition()).put("offset", info1.firstOffset())
                        .putNull("error_code").putNull("error"));
                return (Void) null;
            }).recover(e -> {
                RecordAppender.BadRecord bad = RecordAppender.classify(e);
                offsets.add(new JsonObject().putNull("partition").putNull("offset")
                        .put("error_code", bad.code >= 50000 ? 2 : 1).put("error", bad.getMessage()));
                return Future.succeededFuture();
            }));
        }
        chain.onComplete(v -> ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, V2Format.V2)
                .end(new JsonObject().put("offsets", offsets).putNull("key_schema_id").putNull("value_schema_id").encode()));
    }

    /** A key or value in the request's embedded format; null when absent or null. */
    private static byte[] embedded(V2Format format, JsonObject rec, String field, int i) {
        Object v = rec.getValue(field);
        if (v == null) {
            return null;
        }
        if (format == V2Format.JSON) {
            return io.vertx.core.json.Json.encode(v).getBytes(StandardCharsets.UTF_8);
        }
        if (!(v instanceof String s)) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "records[" + i + "]." + field + " is a base64 string");
        }
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "records[" + i + "]." + field + " is not valid base64");
        }
    }
}
