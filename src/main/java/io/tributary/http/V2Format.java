package io.tributary.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;

/**
 * The embedded formats of REST Proxy v2 consumer instances that need no Schema Registry: {@code binary}
 * (keys and values as base64 strings) and {@code json} (keys and values are JSON documents, embedded as
 * they are). Avro, JSON Schema and Protobuf need a Schema Registry, which this server does not have.
 */
enum V2Format {
    BINARY("binary"),
    JSON("json");

    /** Content type of responses without embedded data, and of request bodies. */
    static final String V2 = "application/vnd.kafka.v2+json";
    /** Formats REST Proxy knows that this server cannot serve. */
    static final List<String> NEED_SCHEMA_REGISTRY = List.of("avro", "jsonschema", "protobuf");

    final String name;
    /** {@code application/vnd.kafka.<name>.v2+json}: the records response's type. */
    final String contentType;

    V2Format(String name) {
        this.name = name;
        this.contentType = "application/vnd.kafka." + name + ".v2+json";
    }

    static V2Format forName(String name) {
        for (V2Format f : values()) {
            if (f.name.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        return null;
    }

    /**
     * The format an {@code Accept} header asks for: the first embedded format named in it, or
     * {@code fallback} when it names none (no header, any type, {@code application/vnd.kafka.v2+json},
     * {@code application/json}). A format this server does not serve answers null.
     */
    static V2Format accepted(String accept, V2Format fallback) {
        if (accept == null) {
            return fallback;
        }
        for (String part : accept.split(",")) {
            String type = part.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (type.startsWith("application/vnd.kafka.") && type.endsWith(".v2+json")) {
                String embedded = type.substring("application/vnd.kafka.".length(), type.length() - ".v2+json".length());
                return forName(embedded);
            }
        }
        return fallback;
    }

    /** A key or value as this format embeds it; refuses bytes that are not what the format expects. */
    Object embed(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        if (this == BINARY) {
            return Json.base64(bytes);
        }
        String text = Json.utf8OrNull(bytes);
        if (text == null) {
            throw new IllegalArgumentException("not UTF-8, so not JSON");
        }
        try {
            return io.vertx.core.json.Json.decodeValue(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + abbreviate(text));
        }
    }

    /** Bytes of a key or value as REST Proxy counts them against {@code max_bytes}. */
    static long size(ByteBuffer bytes) {
        return bytes == null ? 0 : bytes.remaining();
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
