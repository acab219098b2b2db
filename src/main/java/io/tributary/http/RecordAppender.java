package io.tributary.http;

import io.tributary.log.LogAppendInfo;
import io.tributary.log.LogService;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One record from JSON onto a partition: the topic and partition checks Kafka's Produce makes (unknown
 * topic or partition, no writes to internal topics), the default partitioner's choice for a key (murmur2,
 * as a Kafka producer would put it), then {@link LogService#append} — the same engine path, validation and
 * idempotence code a Kafka client's batch takes (acks=1: answered once in the segment).
 */
final class RecordAppender {
    private RecordAppender() {
    }

    /** Bad input, with the REST Proxy style error code to answer. */
    static final class BadRecord extends Exception {
        final int code;

        BadRecord(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    record Request(String topic, int partition, byte[] key, byte[] value, List<Header> headers, long timestamp) {
        /**
         * {@code {"topic", "partition"?, "key"?, "value"?, "headers"?: {k: v} | [{"key","value"}], "encoding"?:
         * "utf8"|"base64"|"json"}}; with json the value (and key) may be any JSON, stored as its text.
         */
        static Request fromJson(JsonObject f, LogService logs) throws BadRecord {
            if (!(f.getValue("topic") instanceof String topic) || topic.isEmpty()) {
                throw new BadRecord(HttpErrors.INVALID_PAYLOAD, "produce needs a string \"topic\"");
            }
            TopicInfo info = logs.manager().topics().get(topic);
            if (info == null) {
                throw new BadRecord(HttpErrors.TOPIC_NOT_FOUND, "Topic " + topic + " not found.");
            }
            if (Topic.isInternal(topic)) {
                throw new BadRecord(40301, "Cannot append to internal topic " + topic);
            }
            Object enc = f.getValue("encoding", "utf8");
            if (!List.of("utf8", "base64", "json").contains(enc)) {
                throw new BadRecord(HttpErrors.INVALID_PAYLOAD, "encoding must be utf8, base64 or json");
            }
            byte[] key = bytes(f.getValue("key"), (String) enc, "key");
            byte[] value = bytes(f.getValue("value"), (String) enc, "value");
            List<Header> headers = new ArrayList<>();
            Object h = f.getValue("headers");
            if (h instanceof JsonObject ho) {
                for (String k : ho.fieldNames()) {
                    headers.add(new RecordHeader(k, bytes(ho.getValue(k), "utf8", "header " + k)));
                }
            } else if (h instanceof JsonArray ha) {
                for (Object e : ha) {
                    if (!(e instanceof JsonObject eo) || !(eo.getValue("key") instanceof String k)) {
                        throw new BadRecord(HttpErrors.INVALID_PAYLOAD, "each header is {\"key\": string, \"value\": ...}");
                    }
                    headers.add(new RecordHeader(k, bytes(eo.getValue("value"), "utf8", "header " + k)));
                }
            } else if (h != null) {
                throw new BadRecord(HttpErrors.INVALID_PAYLOAD, "headers is an object or a list");
            }
            int partition = partition(info, f.getValue("partition"), key);
            return new Request(topic, partition, key, value, headers, System.currentTimeMillis());
        }

        /** The partition asked for (checked), else the default partitioner's for the key, else any. */
        static int partition(TopicInfo info, Object p, byte[] key) throws BadRecord {
            if (p != null) {
                if (!(p instanceof Integer pi) || pi < 0 || pi >= info.partitions()) {
                    throw new BadRecord(HttpErrors.PARTITION_NOT_FOUND, "partition " + p + " of " + info.name() + " not found");
                }
                return pi;
            }
            if (key != null) {
                return BuiltInPartitioner.partitionForKey(key, info.partitions());
            }
            return ThreadLocalRandom.current().nextInt(info.partitions());
        }

        private static byte[] bytes(Object v, String encoding, String what) throws BadRecord {
            if (v == null) {
                return null;
            }
            if ("json".equals(encoding)) {
                return io.vertx.core.json.Json.encode(v).getBytes(StandardCharsets.UTF_8);
            }
            if (!(v instanceof String s)) {
                throw new BadRecord(HttpErrors.INVALID_PAYLOAD, what + " must be a string with encoding " + encoding);
            }
            if ("base64".equals(encoding)) {
                try {
                    return Base64.getDecoder().decode(s);
                } catch (IllegalArgumentException e) {
                    throw new BadRecord(HttpErrors.INVALID_PAYLOAD, what + " is not valid base64");
                }
            }
            return s.getBytes(StandardCharsets.UTF_8);
        }
    }

    static Future<LogAppendInfo> append(LogService logs, Request r) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(r.timestamp(), r.key(), r.value(), r.headers().toArray(new Header[0])));
        return logs.append(new TopicPartition(r.topic(), r.partition()), records, 0);
    }

    static BadRecord classify(Throwable t) {
        if (t instanceof RecordTooLargeException) {
            return new BadRecord(41301, t.getMessage());
        }
        if (t instanceof ApiException) {
            return new BadRecord(HttpErrors.UNPROCESSABLE, t.getClass().getSimpleName() + ": " + t.getMessage());
        }
        return new BadRecord(HttpErrors.INTERNAL, "append failed: " + t);
    }
}
