package io.tributary.http;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How a tail shows records: the key/value substring filter, and the JSON text of a record's fields
 * (partition, offset, timestamp, key, value and headers in the tail's encoding: utf8, base64 or json),
 * written straight into a {@link StringBuilder} — no JsonObject per record, and ASCII bytes (the common
 * case) go into the text without a decoder. The frame around them and the resume token are the
 * subscription's to add. Stateless apart from its settings; used on the socket's event loop.
 */
final class RecordFrames {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

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
        if (keyFilter == null && valueFilter == null) {
            return true; // without looking at the record (each key() and value() is a new buffer)
        }
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

    /**
     * Appends {@code "partition":..,"offset":..,"timestamp":..,"timestamp_type":..,"key":..,"value":..,"headers":[..]}
     * (no braces): a {@code record} frame's fields after {@code type} and {@code id}, before {@code token}.
     */
    void appendFields(StringBuilder sb, int partition, Record r, RecordBatch batch) {
        sb.append("\"partition\":").append(partition).append(",\"offset\":").append(r.offset())
                .append(",\"timestamp\":").append(r.timestamp()).append(",\"timestamp_type\":");
        string(sb, batch.timestampType().name);
        sb.append(',');
        bytes(sb, "key", r.hasKey() ? r.key() : null, encoding);
        sb.append(',');
        bytes(sb, "value", r.hasValue() ? r.value() : null, encoding);
        sb.append(",\"headers\":[");
        boolean first = true;
        for (Header h : r.headers()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append("{\"key\":");
            string(sb, h.key());
            sb.append(',');
            bytes(sb, "value", h.value() == null ? null : ByteBuffer.wrap(h.value()), "json".equals(encoding) ? "utf8" : encoding);
            sb.append('}');
        }
        sb.append(']');
    }

    /**
     * {@code "field":<text>} for bytes that are UTF-8 (as JSON itself under {@code json} when they parse),
     * else {@code "field_base64":"..."}; {@code "field":null} for none — what {@link Json#putBytes} gives.
     */
    void bytes(StringBuilder sb, String field, ByteBuffer bytes, String encoding) {
        if (bytes == null) {
            sb.append('"').append(field).append("\":null");
            return;
        }
        if (!"base64".equals(encoding)) {
            if ("json".equals(encoding)) {
                String s = Json.utf8OrNull(bytes);
                if (s != null) {
                    sb.append('"').append(field).append("\":");
                    try {
                        sb.append(io.vertx.core.json.Json.encode(io.vertx.core.json.Json.decodeValue(s)));
                    } catch (RuntimeException notJson) {
                        string(sb, s); // a value that is not JSON is sent as text
                    }
                    return;
                }
            } else {
                int mark = sb.length();
                sb.append('"').append(field).append("\":");
                if (asciiString(sb, bytes)) {
                    return;
                }
                String s = Json.utf8OrNull(bytes);
                if (s != null) {
                    string(sb, s);
                    return;
                }
                sb.setLength(mark);
            }
        }
        sb.append('"').append(field).append("_base64\":\"").append(Json.base64(bytes)).append('"');
    }

    /** Appends the bytes as a JSON string when all are ASCII; false (nothing appended) otherwise. */
    private boolean asciiString(StringBuilder sb, ByteBuffer bytes) {
        int n = bytes.remaining();
        byte[] a;
        int off;
        if (bytes.hasArray()) {
            a = bytes.array();
            off = bytes.arrayOffset() + bytes.position();
        } else {
            a = new byte[n];
            bytes.duplicate().get(a);
            off = 0;
        }
        boolean plain = true;
        for (int i = off, end = off + n; i < end; i++) {
            byte b = a[i];
            if (b < 0x20 || b == '"' || b == '\\') {
                if (b < 0) {
                    return false; // not ASCII: the caller decodes it as UTF-8
                }
                plain = false;
            }
        }
        sb.append('"');
        if (plain) {
            sb.append(new String(a, off, n, StandardCharsets.ISO_8859_1)); // two array copies for the common case
        } else {
            for (int i = off, end = off + n; i < end; i++) {
                escape(sb, (char) a[i]);
            }
        }
        sb.append('"');
        return true;
    }

    /** A JSON string literal. */
    static void string(StringBuilder sb, CharSequence s) {
        sb.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            escape(sb, s.charAt(i));
        }
        sb.append('"');
    }

    private static void escape(StringBuilder sb, char c) {
        if (c >= 0x20 && c != '"' && c != '\\') {
            sb.append(c);
            return;
        }
        switch (c) {
            case '"' -> sb.append("\\\"");
            case '\\' -> sb.append("\\\\");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            default -> sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
        }
    }
}
