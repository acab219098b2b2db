package io.tributary.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tail's position: the next offset to deliver for each partition of one topic, as an opaque
 * URL-safe string ({@code base64url("v1|<topic>|<p>:<offset>,<p>:<offset>")}). Every record frame carries
 * the token after that record, so a client that stores the last token it processed resumes with no record
 * missed and none repeated.
 */
record ResumeToken(String topic, Map<Integer, Long> next) {
    private static final int MAX_LENGTH = 64 * 1024;

    String encode() {
        StringBuilder b = new StringBuilder("v1|").append(topic).append('|');
        boolean first = true;
        for (Map.Entry<Integer, Long> e : next.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append(e.getKey()).append(':').append(e.getValue());
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when the token is not one of ours */
    static ResumeToken decode(String token) {
        if (token == null || token.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("resume token missing or too long");
        }
        String s;
        try {
            s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("resume token is not base64url");
        }
        int a = s.indexOf('|');
        int b = s.lastIndexOf('|');
        if (!s.startsWith("v1|") || a == b) {
            throw new IllegalArgumentException("not a resume token of this server");
        }
        String topic = s.substring(a + 1, b);
        Map<Integer, Long> next = new TreeMap<>();
        String positions = s.substring(b + 1);
        if (!positions.isEmpty()) {
            for (String part : positions.split(",")) {
                int c = part.indexOf(':');
                try {
                    int p = Integer.parseInt(part.substring(0, c));
                    long o = Long.parseLong(part.substring(c + 1));
                    if (p < 0 || o < 0) {
                        throw new IllegalArgumentException("negative partition or offset in resume token");
                    }
                    next.put(p, o);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("malformed resume token");
                }
            }
        }
        return new ResumeToken(topic, next);
    }
}
