package io.tributary.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tributary.log.PartitionLog;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * REST v3 records: {@code POST /topics/{t}/records} (one record, or several JSON objects one after the
 * other in the body, each answered with its own delivery report line, in order) through
 * {@link RecordAppender} (the log's append, as Kafka's Produce), and reading by position,
 * {@code GET /topics/{t}/partitions/{p}/records?offset=&max_records=&timeout_ms=}, which waits up to
 * {@code timeout_ms} (at most 30 s) for records at the end of the log, woken by the append watcher.
 */
final class RestRecords {
    private static final int MAX_WAIT_MS = 30_000;
    private static final int READ_BYTES = 1024 * 1024;

    private final HttpFrontDoor door;
    private final RestTopics topics;

    RestRecords(HttpFrontDoor door, RestTopics topics) {
        this.door = door;
        this.topics = topics;
    }

    void mount(Router r) {
        r.post("/v3/clusters/:cluster/topics/:topic/records").handler(ctx -> Rest.guard(ctx, () -> produce(ctx)));
        r.get("/v3/clusters/:cluster/topics/:topic/partitions/:partition/records").handler(ctx -> Rest.guard(ctx, () -> read(ctx)));
    }

    // ---- produce ----

    private void produce(RoutingContext ctx) {
        TopicInfo t = topics.topicInfo(ctx);
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.startsWith("application/json")) {
            throw new Rest.Refused(HttpErrors.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
        }
        if (Topic.isInternal(t.name())) {
            throw new Rest.Refused(40301, "Cannot append to internal topic " + t.name());
        }
        List<JsonObject> requests = new ArrayList<>();
        byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        try (JsonParser p = new com.fasterxml.jackson.core.JsonFactory().createParser(body)) {
            JsonToken tok;
            while ((tok = p.nextToken()) != null) {
                if (tok != JsonToken.START_OBJECT) {
                    throw new Rest.Refused(HttpErrors.BAD_REQUEST, "the body is JSON objects, one per record");
                }
                int start = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                int end = (int) p.currentLocation().getByteOffset();
                requests.add(new JsonObject(io.vertx.core.buffer.Buffer.buffer(java.util.Arrays.copyOfRange(body, start, end))));
            }
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof Rest.Refused r) {
                throw r;
            }
            throw new Rest.Refused(HttpErrors.BAD_REQUEST, "malformed JSON: " + e.getMessage());
        }
        if (requests.isEmpty()) {
            throw new Rest.Refused(HttpErrors.BAD_REQUEST, "no record in the body");
        }
        if (requests.size() == 1) {
            one(t, requests.get(0)).onComplete(ar -> {
                JsonObject report = ar.result();
                int code = report.getInteger("error_code");
                Rest.ok(ctx, code == 200 ? 200 : code / 100, report);
            });
            return;
        }
        // A stream: every record in order, one report line each.
        ctx.response().setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        Future<Void> chain = Future.succeededFuture();
        for (JsonObject req : requests) {
            chain = chain.compose(v -> one(t, req).map(report -> {
                ctx.response().write(report.encode() + "\n");
                return null;
            }));
        }
        chain.onComplete(v -> ctx.response().end());
    }

    /** One record's delivery report (never a failed future: errors are reports too). */
    private Future<JsonObject> one(TopicInfo t, JsonObject b) {
        RecordAppender.Request req;
        try {
            byte[] key = data(b.getValue("key"), "key");
            byte[] value = data(b.getValue("value"), "value");
            List<Header> headers = new ArrayList<>();
            for (Object h : b.getJsonArray("headers", new JsonArray())) {
                if (!(h instanceof JsonObject ho) || !(ho.getValue("name") instanceof String name)) {
                    throw new RecordAppender.BadRecord(HttpErrors.INVALID_PAYLOAD, "headers are {\"name\", \"value\": base64}");
                }
                Object hv = ho.getValue("value");
                headers.add(new RecordHeader(name, hv == null ? null : Base64.getDecoder().decode(String.valueOf(hv))));
            }
            int partition = RecordAppender.Request.partition(t, b.getValue("partition_id"), key);
            long ts = System.currentTimeMillis();
            if (b.getValue("timestamp") instanceof String iso) {
                ts = Instant.parse(iso).toEpochMilli();
            }
            req = new RecordAppender.Request(t.name(), partition, key, value, headers, ts);
        } catch (RecordAppender.BadRecord e) {
            return Future.succeededFuture(error(e.code, e.getMessage()));
        } catch (RuntimeException e) {
            return Future.succeededFuture(error(HttpErrors.INVALID_PAYLOAD, "invalid record: " + e.getMessage()));
        }
        return RecordAppender.append(door.logs, req).map(info -> new JsonObject().put("error_code", 200)
                .put("cluster_id", door.clusterId).put("topic_name", t.name()).put("partition_id", req.partition())
                .put("offset", info.firstOffset()).put("timestamp", Instant.ofEpochMilli(req.timestamp()).toString())
                .put("key", size(b.getValue("key"), req.key())).put("value", size(b.getValue("value"), req.value())))
                .recover(e -> {
                    RecordAppender.BadRecord bad = RecordAppender.classify(e);
                    return Future.succeededFuture(error(bad.code, bad.getMessage()));
                });
    }

    private static JsonObject error(int code, String message) {
        return new JsonObject().put("error_code", code).put("message", message);
    }

    private static JsonObject size(Object spec, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        String type = spec instanceof JsonObject o ? o.getString("type", "JSON") : "JSON";
        return new JsonObject().put("type", type.toUpperCase(java.util.Locale.ROOT)).put("size", bytes.length);
    }

    /** {@code {"type": "BINARY"|"JSON"|"STRING", "data": ...}} (type defaults to JSON, as in REST Proxy). */
    private static byte[] data(Object spec, String what) throws RecordAppender.BadRecord {
        if (spec == null) {
            return null;
        }
        if (!(spec instanceof JsonObject o)) {
            throw new RecordAppender.BadRecord(HttpErrors.INVALID_PAYLOAD, what + " is {\"type\", \"data\"}");
        }
        Object data = o.getValue("data");
        if (data == null) {
            return null;
        }
        String type = String.valueOf(o.getValue("type", "JSON")).toUpperCase(java.util.Locale.ROOT);
        switch (type) {
            case "BINARY" -> {
                if (!(data instanceof String s)) {
                    throw new RecordAppender.BadRecord(HttpErrors.INVALID_PAYLOAD, what + ".data is a base64 string for BINARY");
                }
                try {
                    return Base64.getDecoder().decode(s);
                } catch (IllegalArgumentException e) {
                    throw new RecordAppender.BadRecord(HttpErrors.INVALID_PAYLOAD, what + ".data is not valid base64");
                }
            }
            case "STRING" -> {
                if (!(data instanceof String s)) {
                    throw new RecordAppender.BadRecord(HttpErrors.INVALID_PAYLOAD, what + ".data is a string for STRING");
                }
                return s.getBytes(StandardCharsets.UTF_8);
            }
            case "JSON" -> {
                return io.vertx.core.json.Json.encode(data).getBytes(StandardCharsets.UTF_8);
            }
            default -> throw new RecordAppender.BadRecord(HttpErrors.INVALID_PAYLOAD, what + ".type is BINARY, JSON or STRING");
        }
    }

    // ---- read by position ----

    private void read(RoutingContext ctx) {
        TopicInfo t = topics.topicInfo(ctx);
        int p = RestTopics.partitionParam(ctx, t);
        long offset = Rest.longParam(ctx, "offset", 0, null);
        int max = Rest.intParam(ctx, "max_records", 1, 10_000, 100);
        int timeout = Rest.intParam(ctx, "timeout_ms", 0, MAX_WAIT_MS, 0);
        TopicPartition tp = new TopicPartition(t.name(), p);
        PartitionLog log = door.logs.partition(tp);
        if (log == null) {
            throw new Rest.Refused(HttpErrors.PARTITION_NOT_FOUND, "This server does not host this topic-partition.");
        }
        if (offset < log.logStartOffset() || offset > log.highWatermark()) {
            throw new Rest.Refused(41601, "offset " + offset + " is outside [" + log.logStartOffset() + ", "
                    + log.highWatermark() + "]");
        }
        waitForData(ctx, tp, offset, timeout).compose(v -> door.logs.readToHeap(tp, offset, READ_BYTES, true)).onComplete(ar -> {
            if (ar.failed()) {
                Rest.fail(ctx, ar.cause());
                return;
            }
            JsonArray data = new JsonArray();
            long next = offset;
            outer:
            for (RecordBatch batch : ar.result().batches()) {
                if (batch.isControlBatch()) {
                    next = Math.max(next, batch.nextOffset());
                    continue;
                }
                for (Record r : batch) {
                    if (r.offset() < offset) {
                        continue;
                    }
                    if (data.size() >= max) {
                        break outer;
                    }
                    data.add(record(t.name(), p, r));
                    next = r.offset() + 1;
                }
                next = Math.max(next, batch.nextOffset());
            }
            Rest.ok(ctx, 200, new JsonObject().put("kind", "KafkaRecordList").put("cluster_id", door.clusterId)
                    .put("topic_name", t.name()).put("partition_id", p).put("data", data).put("next_offset", next));
        });
    }

    /** Completes at once when records are there, else on the next append or after {@code timeoutMs}. */
    private Future<Void> waitForData(RoutingContext ctx, TopicPartition tp, long offset, int timeoutMs) {
        PartitionLog log = door.logs.partition(tp);
        if (log == null || offset < log.highWatermark() || timeoutMs == 0) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        io.vertx.core.Context here = door.vertx.getOrCreateContext();
        Runnable[] unwatch = new Runnable[1];
        long timer = door.vertx.setTimer(timeoutMs, id -> {
            unwatch[0].run();
            p.tryComplete();
        });
        unwatch[0] = door.logs.watchAppends(tp, () -> here.runOnContext(v -> {
            door.vertx.cancelTimer(timer);
            unwatch[0].run();
            p.tryComplete();
        }));
        ctx.request().connection().closeHandler(v -> {
            door.vertx.cancelTimer(timer);
            unwatch[0].run();
        });
        if (offset < log.highWatermark()) { // appended between the check and the watch
            door.vertx.cancelTimer(timer);
            unwatch[0].run();
            p.tryComplete();
        }
        return p.future();
    }

    private static JsonObject record(String topic, int partition, Record r) {
        JsonArray headers = new JsonArray();
        for (Header h : r.headers()) {
            headers.add(new JsonObject().put("name", h.key()).put("value", h.value() == null ? null
                    : Base64.getEncoder().encodeToString(h.value())));
        }
        return new JsonObject().put("topic_name", topic).put("partition_id", partition).put("offset", r.offset())
                .put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString())
                .put("key", data(r.hasKey() ? r.key() : null)).put("value", data(r.hasValue() ? r.value() : null))
                .put("headers", headers);
    }

    private static JsonObject data(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        String s = Json.utf8OrNull(b);
        return s != null ? new JsonObject().put("type", "STRING").put("data", s)
                : new JsonObject().put("type", "BINARY").put("data", Json.base64(b));
    }
}
