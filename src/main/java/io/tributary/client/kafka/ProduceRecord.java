package io.tributary.client.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A record to produce. Keys and values are bytes (the client serializes nothing itself).
 *
 * @param partition the partition, or null to choose one: murmur2 of the key (as kafka-clients does, so the same key
 *                  lands on the same partition with either client), or, without a key, the partition of the batch
 *                  being filled (sticky, as kafka-clients' built-in partitioner)
 * @param timestamp create time in ms, or null for now
 */
public record ProduceRecord(String topic, Integer partition, byte[] key, byte[] value, List<Header> headers,
                            Long timestamp) {
    public ProduceRecord {
        Objects.requireNonNull(topic, "topic");
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    public static ProduceRecord of(String topic, byte[] key, byte[] value) {
        return new ProduceRecord(topic, null, key, value, List.of(), null);
    }

    /** UTF-8 key and value; a null key is no key. */
    public static ProduceRecord of(String topic, String key, String value) {
        return of(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    public ProduceRecord withPartition(int p) {
        return new ProduceRecord(topic, p, key, value, headers, timestamp);
    }

    public ProduceRecord withHeader(String name, byte[] v) {
        List<Header> hs = new java.util.ArrayList<>(headers);
        hs.add(new RecordHeader(name, v));
        return new ProduceRecord(topic, partition, key, value, hs, timestamp);
    }

    /** Bytes this record takes in the producer's buffer (an estimate of its size in a batch). */
    int bufferBytes() {
        int n = 32 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            n += h.key().length() + (h.value() == null ? 0 : h.value().length) + 8;
        }
        return n;
    }
}
