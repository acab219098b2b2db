package io.tributary.http;

import io.vertx.core.json.JsonObject;
import org.apache.zookeeper.data.Stat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** JSON shapes shared by the WebSocket frames and the REST bodies: stats, bytes as utf-8 or base64. */
final class Json {
    private Json() {
    }

    static JsonObject stat(Stat s) {
        return new JsonObject()
                .put("czxid", s.getCzxid()).put("mzxid", s.getMzxid()).put("pzxid", s.getPzxid())
                .put("ctime", s.getCtime()).put("mtime", s.getMtime())
                .put("version", s.getVersion()).put("cversion", s.getCversion()).put("aversion", s.getAversion())
                .put("ephemeral_owner", s.getEphemeralOwner()).put("data_length", s.getDataLength())
                .put("num_children", s.getNumChildren());
    }

    /** The text of {@code bytes} when they are valid UTF-8, else null. */
    static String utf8OrNull(ByteBuffer bytes) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.duplicate());
            return cb.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String base64(ByteBuffer bytes) {
        ByteBuffer d = bytes.duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /**
     * Puts {@code bytes} under {@code field}: as text when {@code encoding} is utf8 and they are valid
     * UTF-8, else base64 under {@code field + "_base64"} (so a reader never sees mangled bytes); null stays null.
     */
    static void putBytes(JsonObject o, String field, ByteBuffer bytes, String encoding) {
        if (bytes == null) {
            o.putNull(field);
            return;
        }
        if (!"base64".equals(encoding)) {
            String s = utf8OrNull(bytes);
            if (s != null) {
                if ("json".equals(encoding)) {
                    try {
                        o.put(field, io.vertx.core.json.Json.decodeValue(s));
                        return;
                    } catch (RuntimeException notJson) {
                        // fall through: a value that is not JSON is sent as text
                    }
                }
                o.put(field, s);
                return;
            }
        }
        o.put(field + "_base64", base64(bytes));
    }
}
