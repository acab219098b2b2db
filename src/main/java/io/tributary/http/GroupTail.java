package io.tributary.http;

import io.tributary.log.PartitionLog;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The consumer-group side of a tail with a {@code group} ({@link TailSubscription}): a {@link GroupMember}
 * whose assignment decides the partitions and whose committed offsets the positions (or {@code from},
 * earliest or latest, for a partition without one). What it commits — with the member's generation, every
 * second, before a revocation and when the tail ends — depends on {@code commit}:
 * <ul>
 *   <li>{@code auto} (default): what was delivered to the socket (at most once for a browser that crashes);</li>
 *   <li>{@code ack}: only what the client acknowledged with {@code ack} frames, a record's token or a
 *       partition and the offset of the last record it processed (at least once: what was delivered and not
 *       acknowledged is delivered again to whoever gets the partition next).</li>
 * </ul>
 * An acknowledgement for a partition the socket no longer holds is ignored: its offsets belong to the member
 * that has it now, and commits never cross a rebalance. Event loop of the socket only.
 */
final class GroupTail implements GroupMember.Listener {
    private final TailSubscription tail;
    private final WsConnection conn;
    private final String topic;
    private final boolean fromEarliest;
    private final boolean ackMode;
    private final GroupMember member;
    /** Ack mode: partition -> next offset acknowledged (starts at the assigned position). */
    private final Map<Integer, Long> acked = new TreeMap<>();

    GroupTail(TailSubscription tail, WsConnection conn, String group, String topic, boolean fromEarliest, boolean ackMode) {
        this.tail = tail;
        this.conn = conn;
        this.topic = topic;
        this.fromEarliest = fromEarliest;
        this.ackMode = ackMode;
        this.member = new GroupMember(conn.door, group, () -> List.of(topic), "websocket-" + conn.clientIp, "websocket",
                true, this);
    }

    void start() {
        member.start();
    }

    /** Commits (what was delivered, or acknowledged) and leaves the group. */
    void close() {
        member.close();
    }

    @Override
    public void assigned(int generation, List<TopicPartition> partitions, Map<TopicPartition, Long> committed) {
        Map<Integer, Long> positions = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            PartitionLog log = conn.door.logs.partition(tp);
            Long at = committed.get(tp);
            positions.put(tp.partition(), at != null ? at : log == null ? 0
                    : fromEarliest ? log.logStartOffset() : log.highWatermark());
        }
        acked.clear();
        acked.putAll(positions);
        tail.assign(positions, member.describe().put("commit", ackMode ? "ack" : "auto"));
    }

    @Override
    public Map<TopicPartition, Long> revoked() {
        Map<Integer, Long> delivered = tail.revoke();
        Map<TopicPartition, Long> commit = byPartition(ackMode ? acked : delivered);
        acked.clear();
        return commit;
    }

    @Override
    public Map<TopicPartition, Long> committable() {
        return byPartition(ackMode ? acked : tail.delivered());
    }

    @Override
    public void failed(int code, String message) {
        tail.failed(code, message);
    }

    /**
     * An {@code ack} frame: {@code token} (a record's resume token: everything before it is processed) or
     * {@code partition} and {@code offset} (the last record processed). Refused (an error frame) without
     * {@code commit: "ack"}, malformed, for another topic, or beyond what was delivered.
     */
    void onAck(String id, JsonObject frame) {
        if (!ackMode) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "ack frames need a group tail subscribed with \"commit\": \"ack\"");
            return;
        }
        Map<Integer, Long> next = new HashMap<>();
        if (frame.getValue("token") instanceof String token) {
            try {
                ResumeToken rt = ResumeToken.decode(token);
                if (!rt.topic().equals(topic)) {
                    throw new IllegalArgumentException("the token is for topic " + rt.topic());
                }
                next.putAll(rt.next());
            } catch (IllegalArgumentException e) {
                conn.error(id, 42202, e.getMessage());
                return;
            }
        } else if (frame.getValue("partition") instanceof Integer p && frame.getValue("offset") instanceof Number o
                && !(o instanceof Double) && o.longValue() >= 0) {
            next.put(p, o.longValue() + 1);
        } else {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "ack carries a \"token\", or a \"partition\" and the \"offset\" of the"
                    + " last record processed");
            return;
        }
        Map<Integer, Long> delivered = tail.delivered();
        for (Map.Entry<Integer, Long> e : next.entrySet()) {
            Long held = delivered.get(e.getKey());
            if (held != null && e.getValue() > held) {
                conn.error(id, 42202, "ack of partition " + e.getKey() + " up to " + e.getValue()
                        + " is beyond what was delivered (" + held + ")");
                return;
            }
        }
        next.forEach((p, o) -> {
            if (acked.containsKey(p) && delivered.containsKey(p)) { // only partitions the socket holds now
                acked.merge(p, o, Math::max);
            }
        });
    }

    private Map<TopicPartition, Long> byPartition(Map<Integer, Long> positions) {
        Map<TopicPartition, Long> out = new HashMap<>();
        positions.forEach((p, o) -> out.put(new TopicPartition(topic, p), o));
        return out;
    }
}
