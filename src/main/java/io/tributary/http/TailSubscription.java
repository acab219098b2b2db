package io.tributary.http;

import io.tributary.log.PartitionLog;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A topic tail over a WebSocket: where it starts (earliest, latest, offsets, a timestamp, a resume token, or
 * a consumer group's assignment and committed offsets through {@link GroupMember}) and how its records are
 * framed. Each partition has its own {@link TailCursor}, which reads on its own only while the socket's send
 * queue is below {@code http.ws.max.queued.bytes} and waits for the log's append watcher at the end, so a
 * slow browser slows only itself, the heap holds at most the bound plus two reads per partition, and an
 * empty or parked partition never holds back another. Frames are written as text straight from the
 * records ({@link RecordFrames}), without a JsonObject per record.
 *
 * <p>Every record frame carries the resume token after it; subscribing with that token continues with
 * the next record of every partition.
 */
final class TailSubscription implements WsConnection.Subscription, TailCursor.Owner {

    private final WsConnection conn;
    private final String id;
    private final String topic;
    /** Filters and renders the records. */
    private final RecordFrames frames;
    private final Object from;
    private final List<Integer> requested;
    /** A consumer group to join (null: a plain tail over the partitions asked for). */
    private final String group;
    /** One {@code records} frame per read instead of one {@code record} frame per record. */
    private final boolean batch;
    /** The group side of a tail with a {@code group}, else null. */
    private GroupTail groupTail;
    /** {@code commit: "ack"}: the group commits only what the client acknowledged. */
    private final boolean ackMode;
    private final Map<Integer, TailCursor> cursors = new TreeMap<>();
    private boolean active = true;
    /** The subscription id as a JSON string, and the token's fixed start. */
    private final String idJson;
    private final String tokenPrefix;
    /** Reused for the text of every frame. */
    private StringBuilder frame = new StringBuilder(1024);

    private TailSubscription(WsConnection conn, String id, String topic, List<Integer> partitions, Object from,
                             String encoding, String keyFilter, String valueFilter, String group, boolean batch,
                             boolean ackMode) {
        this.ackMode = ackMode;
        this.conn = conn;
        this.group = group;
        this.batch = batch;
        this.id = id;
        this.topic = topic;
        this.requested = partitions;
        this.from = from;
        this.frames = new RecordFrames(encoding, keyFilter, valueFilter);
        StringBuilder quoted = new StringBuilder();
        RecordFrames.string(quoted, id);
        this.idJson = quoted.toString();
        this.tokenPrefix = ResumeToken.prefix(topic);
    }

    static TailSubscription parse(WsConnection conn, String id, JsonObject t) {
        if (!(t.getValue("topic") instanceof String topic) || topic.isEmpty()) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "tail needs a string \"topic\"");
            return null;
        }
        TopicInfo info = conn.door.logs.manager().topics().get(topic);
        if (info == null) {
            conn.error(id, HttpErrors.TOPIC_NOT_FOUND, "Topic " + topic + " not found.");
            return null;
        }
        List<Integer> partitions = null;
        Object ps = t.getValue("partitions");
        if (ps != null) {
            if (!(ps instanceof JsonArray arr) || arr.isEmpty()) {
                conn.error(id, HttpErrors.INVALID_PAYLOAD, "\"partitions\" must be a non-empty list of numbers");
                return null;
            }
            partitions = new ArrayList<>();
            for (Object o : arr) {
                if (!(o instanceof Integer p) || p < 0 || p >= info.partitions()) {
                    conn.error(id, HttpErrors.PARTITION_NOT_FOUND, "partition " + o + " of " + topic + " not found");
                    return null;
                }
                if (!partitions.contains(p)) {
                    partitions.add(p);
                }
            }
        }
        Object encoding = t.getValue("encoding", "utf8");
        if (!List.of("utf8", "base64", "json").contains(encoding)) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "encoding must be utf8, base64 or json");
            return null;
        }
        JsonObject filter = t.getValue("filter") instanceof JsonObject f ? f : new JsonObject();
        Object key = filter.getValue("key");
        Object value = filter.getValue("value");
        if ((key != null && !(key instanceof String)) || (value != null && !(value instanceof String))) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "filter.key and filter.value are substrings");
            return null;
        }
        Object group = t.getValue("group");
        if (group != null && (!(group instanceof String g) || g.isEmpty() || g.length() > 249)) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "group is a consumer group id (1..249 characters)");
            return null;
        }
        if (group != null && (partitions != null || !(t.getValue("from", "latest") instanceof String))) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "a group tail takes the group's partitions and committed offsets:"
                    + " no partitions, and from is earliest or latest (for partitions without a committed offset)");
            return null;
        }
        Object batch = t.getValue("batch", false);
        if (!(batch instanceof Boolean)) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "batch is a boolean");
            return null;
        }
        Object commit = t.getValue("commit", "auto");
        if (!"auto".equals(commit) && !("ack".equals(commit) && group != null)) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "commit is \"auto\" or \"ack\", and only for a tail with a group");
            return null;
        }
        return new TailSubscription(conn, id, topic, partitions, t.getValue("from", "latest"), (String) encoding,
                (String) key, (String) value, (String) group, (Boolean) batch, "ack".equals(commit));
    }

    @Override
    public String id() {
        return id;
    }

    void start() {
        TopicInfo info = conn.door.logs.manager().topics().get(topic);
        if (info == null) {
            fail(HttpErrors.TOPIC_NOT_FOUND, "Topic " + topic + " not found.");
            return;
        }
        if (group != null) {
            groupTail = new GroupTail(this, conn, group, topic, "earliest".equals(from), ackMode);
            groupTail.start();
            return;
        }
        List<Integer> parts = requested;
        Map<Integer, Long> explicit = new TreeMap<>();
        Long timestamp = null;
        String position = null;
        try {
            if (from instanceof String s && (s.equals("earliest") || s.equals("latest"))) {
                position = s;
            } else if (from instanceof Number n) {
                long o = n.longValue();
                requireNonNegative(o);
                for (int p = 0; p < info.partitions(); p++) {
                    explicit.put(p, o);
                }
            } else if (from instanceof JsonObject o && o.getValue("offsets") instanceof JsonObject offsets) {
                for (String k : offsets.fieldNames()) {
                    int p = Integer.parseInt(k);
                    if (!(offsets.getValue(k) instanceof Number off)) {
                        throw new IllegalArgumentException("offset of partition " + k + " is not a number");
                    }
                    requireNonNegative(off.longValue());
                    explicit.put(p, off.longValue());
                }
                if (parts == null) {
                    parts = new ArrayList<>(explicit.keySet());
                }
            } else if (from instanceof JsonObject o && o.getValue("timestamp") instanceof Number ts) {
                timestamp = ts.longValue();
                requireNonNegative(timestamp);
            } else if (from instanceof JsonObject o && o.getValue("token") instanceof String token) {
                ResumeToken rt = ResumeToken.decode(token);
                if (!rt.topic().equals(topic)) {
                    throw new IllegalArgumentException("the resume token is for topic " + rt.topic());
                }
                explicit.putAll(rt.next());
                if (parts == null) {
                    parts = new ArrayList<>(explicit.keySet());
                }
            } else {
                throw new IllegalArgumentException("from must be earliest, latest, an offset, {\"offsets\": {...}},"
                        + " {\"timestamp\": ms} or {\"token\": \"...\"}");
            }
        } catch (IllegalArgumentException e) {
            fail(42202, e.getMessage());
            return;
        }
        if (parts == null) {
            parts = new ArrayList<>();
            for (int p = 0; p < info.partitions(); p++) {
                parts.add(p);
            }
        }
        List<Future<Void>> resolved = new ArrayList<>();
        for (int p : parts) {
            PartitionLog log = p < 0 || p >= info.partitions() ? null : conn.door.logs.partition(new TopicPartition(topic, p));
            if (log == null) {
                fail(HttpErrors.PARTITION_NOT_FOUND, "partition " + p + " of " + topic + " not found");
                return;
            }
            long start = explicit.containsKey(p) ? clamp(explicit.get(p), log)
                    : "earliest".equals(position) ? log.logStartOffset() : log.highWatermark();
            TailCursor c = new TailCursor(conn, this, new TopicPartition(topic, p), start);
            cursors.put(p, c);
            if (timestamp != null) {
                resolved.add(conn.door.logs.offsetForTimestamp(c.tp, timestamp).map(found -> {
                    c.next = found.map(t -> t.offset).orElse(log.highWatermark());
                    return null;
                }));
            }
        }
        Future.all(resolved).onComplete(ar -> {
            if (!active) {
                return;
            }
            if (ar.failed()) {
                fail(50000, "cannot position the tail: " + ar.cause().getMessage());
                return;
            }
            begin("subscribed", new JsonObject());
        });
    }

    /** Announces the cursors' positions, then starts every cursor. */
    private void begin(String frameType, JsonObject extra) {
        JsonObject positions = new JsonObject();
        cursors.values().forEach(c -> positions.put(Integer.toString(c.partition), c.next));
        conn.out.send(extra.put("type", frameType).put("id", id).put("topic", topic)
                .put("positions", positions).put("token", token()));
        cursors.values().forEach(TailCursor::start);
    }

    /** Stops every cursor; returns the next offset of each (what has been delivered). */
    private Map<Integer, Long> stopCursors() {
        Map<Integer, Long> at = delivered();
        for (TailCursor c : cursors.values()) {
            c.stop();
        }
        cursors.clear();
        return at;
    }

    Map<Integer, Long> delivered() {
        Map<Integer, Long> at = new TreeMap<>();
        cursors.values().forEach(c -> at.put(c.partition, c.next));
        return at;
    }

    /** A group's assignment ({@link GroupTail}): cursors at these positions, announced with an {@code assigned} frame. */
    void assign(Map<Integer, Long> positions, JsonObject describe) {
        if (!active) {
            return;
        }
        stopCursors();
        positions.forEach((p, o) -> cursors.put(p, new TailCursor(conn, this, new TopicPartition(topic, p), o)));
        begin("assigned", describe);
    }

    /** The group takes the partitions back: cursors stop, a {@code revoked} frame; answers what was delivered. */
    Map<Integer, Long> revoke() {
        Map<Integer, Long> at = stopCursors();
        if (active) {
            conn.out.send(new JsonObject().put("type", "revoked").put("id", id).put("topic", topic)
                    .put("partitions", new JsonArray(new ArrayList<>(at.keySet()))));
        }
        return at;
    }

    /** An {@code ack} frame for this subscription. */
    void onAck(JsonObject frame) {
        if (groupTail == null) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "ack frames need a group tail subscribed with \"commit\": \"ack\"");
        } else {
            groupTail.onAck(id, frame);
        }
    }

    private static void requireNonNegative(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("offsets and timestamps must not be negative, got " + v);
        }
    }

    private static long clamp(long offset, PartitionLog log) {
        return Math.max(log.logStartOffset(), Math.min(offset, log.highWatermark()));
    }

    @Override
    public boolean live(TailCursor c) {
        return active && cursors.get(c.partition) == c;
    }

    @Override
    public void failed(int code, String message) {
        fail(code, message);
    }

    @Override
    public void emit(TailCursor c, MemoryRecords records) {
        StringBuilder sb = frame;
        sb.setLength(0);
        if (batch) {
            sb.append("{\"type\":\"records\",\"id\":").append(idJson).append(",\"partition\":").append(c.partition)
                    .append(",\"records\":[");
        }
        int mark = sb.length();
        for (RecordBatch b : records.batches()) {
            if (b.isControlBatch()) {
                c.next = Math.max(c.next, b.nextOffset());
                continue;
            }
            for (Record r : b) {
                if (r.offset() < c.next) {
                    continue;
                }
                c.next = r.offset() + 1;
                if (!frames.matches(r)) {
                    continue;
                }
                if (batch) {
                    sb.append(sb.length() == mark ? "{" : ",{");
                } else {
                    sb.setLength(0);
                    sb.append("{\"type\":\"record\",\"id\":").append(idJson).append(',');
                }
                frames.appendFields(sb, c.partition, r, b);
                sb.append(",\"token\":\"");
                appendToken(sb);
                sb.append("\"}");
                if (!batch) {
                    conn.out.send(sb.toString());
                }
            }
            c.next = Math.max(c.next, b.nextOffset());
        }
        if (batch && sb.length() > mark) {
            sb.append("],\"token\":\"");
            appendToken(sb);
            conn.out.send(sb.append("\"}").toString());
        }
        if (sb.capacity() > 4 * TailCursor.READ_BYTES) {
            frame = new StringBuilder(1024); // do not keep an unusually large frame's buffer
        }
    }

    /** The position after what has been delivered, for every partition: only the moving cursor's entry differs. */
    private String token() {
        StringBuilder sb = new StringBuilder(64);
        appendToken(sb);
        return sb.toString();
    }

    private void appendToken(StringBuilder sb) {
        sb.append(tokenPrefix);
        boolean first = true;
        for (TailCursor c : cursors.values()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(c.partition).append(':').append(c.next);
        }
    }

    private void fail(int code, String message) {
        if (active) {
            cancel();
            conn.forget(id);
            conn.error(id, code, message);
        }
    }

    @Override
    public void cancel() {
        if (groupTail != null) {
            groupTail.close(); // commits what was delivered (or acknowledged), then leaves the group
        }
        active = false;
        stopCursors();
    }
}
