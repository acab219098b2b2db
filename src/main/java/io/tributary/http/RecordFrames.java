package io.tributary.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.nio.ByteBuffer;

/**
 * How a tail shows records: the key/value substring filter and the JSON of one record (partition, offset,
 * timestamp, key, value and headers in the tail's encoding: utf8, base64 or json). The resume token is
 * the subscription's to add. Stateless apart from its settings; used on the socket's event loop.
 */
final class RecordFrames {
    private final String encoding;
    private final String keyFilter;
    private final String valueFilter;

    RecordFrames(String encoding, String keyFilter, String valueFilter) {
        this.encoding = encoding;
        this.keyFilter = keyFilter;
        this.valueFilter = valueFilter;
    }

    /** True when the record passes both substring filters (a missing filter passes everything). */
    boolean matches(Record r) {
        return contains(r.key(), keyFilter) && contains(r.value(), valueFilter);
    }

    private static boolean contains(ByteBuffer bytes, String needle) {
        if (needle == null) {
            return true;
        }
        if (bytes == null) {
            return false;
        }
        String s = Json.utf8OrNull(bytes);
        return s != null && s.contains(needle);
    }

    /** A {@code record} frame of subscription {@code id}, without its token. */
    JsonObject frame(String id, int partition, Record r, RecordBatch batch) {
        JsonObject f = new JsonObject().put("type", "record").put("id", id).put("partition", partition)
                .put("offset", r.offset()).put("timestamp", r.timestamp())
                .put("timestamp_type", batch.timestampType().name);
        Json.putBytes(f, "key", r.hasKey() ? r.key() : null, encoding);
        Json.putBytes(f, "value", r.hasValue() ? r.value() : null, encoding);
        JsonArray headers = new JsonArray();
        for (Header h : r.headers()) {
            JsonObject ho = new JsonObject().put("key", h.key());
            Json.putBytes(ho, "value", h.value() == null ? null : ByteBuffer.wrap(h.value()),
                    "json".equals(encoding) ? "utf8" : encoding);
            headers.add(ho);
        }
        return f.put("headers", headers);
    }
}
