package io.tributary.http;

import io.tributary.group.OffsetAndMetadata;
import io.tributary.log.TopicInfo;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A topic tail's membership in a Kafka consumer group, so browsers in one group share partitions with each
 * other and with Kafka consumers. It speaks the classic group protocol to the same group coordinator the
 * Kafka handlers use ({@link io.tributary.group.GroupService}): JoinGroup (protocol type {@code consumer},
 * the {@code range} assignor, a consumer-protocol subscription), SyncGroup (as leader it computes the range
 * assignment for every member's subscription), Heartbeat every second, LeaveGroup when the tail ends.
 * Eager rebalancing: on REBALANCE_IN_PROGRESS it commits what it has delivered, gives every partition up and
 * joins again. Offsets delivered to the socket are committed with the member's generation on each heartbeat
 * (the tail's "auto" commit). Runs on the socket's event loop.
 */
final class GroupTailMember {
    private static final int SESSION_TIMEOUT_MS = 30_000;
    private static final long HEARTBEAT_MS = 1_000;
    private static final String PROTOCOL = "range";

    /** What the member tells its tail. */
    interface Listener {
        /** Start delivering these partitions from these offsets. */
        void assigned(int generation, Map<Integer, Long> positions);

        /** Stop delivering; return the next offset of each partition delivered so far. */
        Map<Integer, Long> revoked();

        /** Positions delivered so far (for periodic commits). */
        Map<Integer, Long> delivered();

        void failed(int code, String message);
    }

    private final HttpFrontDoor door;
    private final String group;
    private final String topic;
    private final boolean fromEarliest;
    private final String clientId;
    private final Listener listener;
    private String memberId = "";
    private int generation = -1;
    private boolean assigned;
    private boolean joining;
    private boolean closed;
    private long timer = -1;
    private Map<Integer, Long> lastCommitted = Map.of();

    GroupTailMember(HttpFrontDoor door, String group, String topic, boolean fromEarliest, String clientId, Listener listener) {
        this.door = door;
        this.group = group;
        this.topic = topic;
        this.fromEarliest = fromEarliest;
        this.clientId = clientId;
        this.listener = listener;
    }

    void start() {
        timer = door.vertx.setPeriodic(HEARTBEAT_MS, id -> heartbeat());
        join();
    }

    private byte[] subscription() {
        return Utils.toArray(ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(topic))));
    }

    private void join() {
        if (closed || joining) {
            return;
        }
        joining = true;
        JoinGroupRequestData req = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setSessionTimeoutMs(SESSION_TIMEOUT_MS).setRebalanceTimeoutMs(SESSION_TIMEOUT_MS).setProtocolType("consumer");
        req.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(PROTOCOL).setMetadata(subscription()));
        door.groups.<JoinGroupResponseData>callAsync((c, done) -> c.joinGroup(req, (short) 9, clientId, "websocket", done))
                .onComplete(ar -> {
                    joining = false;
                    if (closed) {
                        return;
                    }
                    if (ar.failed()) {
                        listener.failed(50000, "JoinGroup failed: " + ar.cause().getMessage());
                        return;
                    }
                    JoinGroupResponseData r = ar.result();
                    Errors e = Errors.forCode(r.errorCode());
                    if (e == Errors.MEMBER_ID_REQUIRED) {
                        memberId = r.memberId();
                        join();
                    } else if (e == Errors.UNKNOWN_MEMBER_ID) {
                        memberId = "";
                        join();
                    } else if (e == Errors.COORDINATOR_LOAD_IN_PROGRESS || e == Errors.REBALANCE_IN_PROGRESS) {
                        door.vertx.setTimer(200, id -> join());
                    } else if (e != Errors.NONE) {
                        listener.failed(Rest.of(e, null).code, "JoinGroup: " + e.message());
                    } else {
                        memberId = r.memberId();
                        generation = r.generationId();
                        sync(r);
                    }
                });
    }

    private void sync(JoinGroupResponseData joined) {
        SyncGroupRequestData req = new SyncGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationId(generation).setProtocolType("consumer").setProtocolName(PROTOCOL);
        if (memberId.equals(joined.leader())) {
            rangeAssignment(joined).forEach((member, parts) -> req.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment()
                    .setMemberId(member).setAssignment(Utils.toArray(ConsumerProtocol.serializeAssignment(
                            new ConsumerPartitionAssignor.Assignment(parts))))));
        }
        door.groups.<SyncGroupResponseData>callAsync((c, done) -> c.syncGroup(req, done)).onComplete(ar -> {
            if (closed) {
                return;
            }
            if (ar.failed() || ar.result().errorCode() != 0) {
                join(); // the generation moved on (or failed): join again
                return;
            }
            byte[] bytes = ar.result().assignment();
            List<TopicPartition> mine = bytes == null || bytes.length == 0 ? List.of()
                    : ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(bytes)).partitions();
            startAssigned(mine);
        });
    }

    /** The range assignor: per topic, partitions split in order over the members subscribed to it, sorted by id. */
    private Map<String, List<TopicPartition>> rangeAssignment(JoinGroupResponseData joined) {
        Map<String, List<TopicPartition>> out = new TreeMap<>();
        Map<String, TreeSet<String>> membersByTopic = new TreeMap<>();
        for (JoinGroupResponseData.JoinGroupResponseMember m : joined.members()) {
            out.put(m.memberId(), new ArrayList<>());
            try {
                for (String t : ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(m.metadata())).topics()) {
                    membersByTopic.computeIfAbsent(t, k -> new TreeSet<>()).add(m.memberId());
                }
            } catch (RuntimeException ignored) {
                // a member whose metadata is not a consumer subscription gets nothing
            }
        }
        membersByTopic.forEach((t, members) -> {
            TopicInfo info = door.logs.manager().topics().get(t);
            if (info == null) {
                return;
            }
            int n = members.size();
            int per = info.partitions() / n;
            int extra = info.partitions() % n;
            int p = 0;
            int i = 0;
            for (String m : members) {
                int count = per + (i++ < extra ? 1 : 0);
                for (int k = 0; k < count; k++) {
                    out.get(m).add(new TopicPartition(t, p++));
                }
            }
        });
        return out;
    }

    private void startAssigned(List<TopicPartition> mine) {
        List<TopicPartition> parts = mine.stream().filter(tp -> tp.topic().equals(topic)).toList();
        door.groups.call(c -> c.fetchOffsets(group, parts)).onComplete(ar -> {
            if (closed) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = ar.succeeded() && ar.result() != null ? ar.result() : Map.of();
            Map<Integer, Long> positions = new TreeMap<>();
            for (TopicPartition tp : parts) {
                OffsetAndMetadata om = committed.get(tp);
                var log = door.logs.partition(tp);
                long start = om != null && om.offset() >= 0 ? om.offset()
                        : log == null ? 0 : fromEarliest ? log.logStartOffset() : log.highWatermark();
                positions.put(tp.partition(), start);
            }
            assigned = true;
            lastCommitted = new HashMap<>(positions);
            listener.assigned(generation, positions);
        });
    }

    private void heartbeat() {
        if (closed || joining || generation < 0) {
            return;
        }
        if (assigned) {
            commit(listener.delivered());
        }
        HeartbeatRequestData req = new HeartbeatRequestData().setGroupId(group).setMemberId(memberId).setGenerationId(generation);
        door.groups.call(c -> c.heartbeat(req)).onSuccess(e -> {
            if (closed || e == Errors.NONE) {
                return;
            }
            if (assigned) {
                assigned = false;
                commit(listener.revoked());
            }
            if (e == Errors.UNKNOWN_MEMBER_ID) {
                memberId = "";
            }
            generation = -1;
            join();
        });
    }

    private void commit(Map<Integer, Long> positions) {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        positions.forEach((p, o) -> {
            if (!o.equals(lastCommitted.get(p))) {
                commits.put(new TopicPartition(topic, p), new OffsetAndMetadata(o, -1, "", -1));
            }
        });
        if (commits.isEmpty() || generation < 0) {
            return;
        }
        Map<Integer, Long> sent = new HashMap<>(lastCommitted);
        positions.forEach(sent::put);
        lastCommitted = sent;
        String m = memberId;
        int g = generation;
        door.groups.<Map<TopicPartition, Errors>>callAsync((c, done) -> c.commitOffsets(group, m, null, g, commits, done));
    }

    /** Commits what was delivered and leaves the group (the tail ended or the socket closed). */
    void close() {
        if (closed) {
            return;
        }
        if (assigned) {
            commit(listener.delivered());
        }
        closed = true;
        door.vertx.cancelTimer(timer);
        if (!memberId.isEmpty()) {
            String m = memberId;
            door.groups.call(c -> c.leaveGroup(group, List.of(new MemberIdentity().setMemberId(m))));
        }
    }

    JsonObject describe() {
        return new JsonObject().put("group", group).put("member_id", memberId).put("generation", generation);
    }
}
