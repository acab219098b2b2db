package io.tributary.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tail's position: the next offset to deliver for each partition of one topic, as an opaque
 * URL-safe string, {@code 2.<base64url(topic)>.<p>:<offset>,<p>:<offset>} — the topic part is fixed, so a tail
 * writes each record's token by appending the positions, without encoding it whole
 * ({@code TailSubscription.appendToken}). The first format, {@code base64url("v1|<topic>|<p>:<offset>,...")},
 * is still read. Every record frame carries the token after that record, so a client that stores the last
 * token it processed resumes with no record missed and none repeated.
 */
record ResumeToken(String topic, Map<Integer, Long> next) {
    private static final int MAX_LENGTH = 64 * 1024;

    /** The fixed start of every token of {@code topic}. */
    static String prefix(String topic) {
        return "2." + Base64.getUrlEncoder().withoutPadding().encodeToString(topic.getBytes(StandardCharsets.UTF_8)) + ".";
    }

    String encode() {
        StringBuilder b = new StringBuilder(prefix(topic));
        boolean first = true;
        for (Map.Entry<Integer, Long> e : next.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append(e.getKey()).append(':').append(e.getValue());
        }
        return b.toString();
    }

    /** @throws IllegalArgumentException when the token is not one of ours */
    static ResumeToken decode(String token) {
        if (token == null || token.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("resume token missing or too long");
        }
        String topic;
        String positions;
        if (token.startsWith("2.")) {
            int dot = token.indexOf('.', 2);
            if (dot < 0) {
                throw new IllegalArgumentException("malformed resume token");
            }
            try {
                topic = new String(Base64.getUrlDecoder().decode(token.substring(2, dot)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed resume token");
            }
            positions = token.substring(dot + 1);
        } else {
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
            topic = s.substring(a + 1, b);
            positions = s.substring(b + 1);
        }
        Map<Integer, Long> next = new TreeMap<>();
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
