package io.tributary.http;

import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written record JSON is the JSON that Json.putBytes gives, for every kind of bytes; tokens old and new decode. */
class RecordFramesTest {
    private static JsonObject fields(String encoding, byte[] key, byte[] value, byte[] header) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(7L, key, value,
                new org.apache.kafka.common.header.Header[]{new RecordHeader("h\"1", header)}));
        RecordBatch batch = records.batches().iterator().next();
        Record r = batch.iterator().next();
        StringBuilder sb = new StringBuilder("{");
        new RecordFrames(encoding, null, null).appendFields(sb, 3, r, batch);
        return new JsonObject(sb.append('}').toString());
    }

    private static JsonObject expected(String encoding, byte[] key, byte[] value, byte[] header) {
        JsonObject o = new JsonObject().put("partition", 3).put("offset", 0L).put("timestamp", 7L).put("timestamp_type", "CreateTime");
        Json.putBytes(o, "key", key == null ? null : ByteBuffer.wrap(key), encoding);
        Json.putBytes(o, "value", value == null ? null : ByteBuffer.wrap(value), encoding);
        JsonObject h = new JsonObject().put("key", "h\"1");
        Json.putBytes(h, "value", header == null ? null : ByteBuffer.wrap(header), "json".equals(encoding) ? "utf8" : encoding);
        return o.put("headers", new io.vertx.core.json.JsonArray().add(h));
    }

    @Test
    void everyKindOfBytesIsWrittenAsJsonPutBytesWouldPutIt() {
        byte[][] samples = {null, new byte[0], "plain".getBytes(StandardCharsets.UTF_8),
                "quote \" backslash \\ newline \n tab \t bell \u0007 del \u007f".getBytes(StandardCharsets.UTF_8),
                "grüße, 日本, 😀".getBytes(StandardCharsets.UTF_8), {(byte) 0xff, (byte) 0xfe, 0x00, 0x41},
                "{\"a\":[1,2,{\"b\":null}]}".getBytes(StandardCharsets.UTF_8), "not json {".getBytes(StandardCharsets.UTF_8)};
        for (String encoding : new String[]{"utf8", "base64", "json"}) {
            for (byte[] key : samples) {
                for (byte[] value : samples) {
                    assertEquals(expected(encoding, key, value, value), fields(encoding, key, value, value),
                            encoding + " key " + (key == null ? null : Base64.getEncoder().encodeToString(key))
                                    + " value " + (value == null ? null : Base64.getEncoder().encodeToString(value)));
                }
            }
        }
    }

    @Test
    void tokensOfBothFormatsDecode() {
        Map<Integer, Long> next = new TreeMap<>(Map.of(0, 5L, 2, 9L));
        ResumeToken t = new ResumeToken("a.topic-with_odd.chars", next);
        assertEquals(t, ResumeToken.decode(t.encode()));
        String v1 = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("v1|a.topic-with_odd.chars|0:5,2:9".getBytes(StandardCharsets.UTF_8));
        assertEquals(t, ResumeToken.decode(v1), "a token handed out before the format changed still resumes");
    }
}
