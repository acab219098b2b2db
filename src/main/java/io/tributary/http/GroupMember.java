package io.tributary.http;

import io.tributary.group.OffsetAndMetadata;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
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
import java.util.function.Supplier;

/**
 * A member of a Kafka consumer group on behalf of an HTTP client — a WebSocket group tail or a REST Proxy
 * v2 consumer instance — so they share partitions with each other and with Kafka consumers. It speaks the
 * classic group protocol to the same group coordinator the Kafka handlers use
 * ({@link io.tributary.group.GroupService}): JoinGroup (protocol type {@code consumer}, the {@code range}
 * assignor, a consumer-protocol subscription of the topics {@code topics} names at that moment), SyncGroup
 * (as leader it computes the range assignment for every member's subscription), Heartbeat every second,
 * LeaveGroup on {@link #close}. Eager rebalancing: on REBALANCE_IN_PROGRESS (or when the topics a pattern
 * names change) it gives every partition up and joins again. With {@code autoCommit} the listener's
 * committable positions are committed with the member's generation on each heartbeat, before a revocation
 * and on close — never across a rebalance. Runs on the event loop that created it.
 */
final class GroupMember {
    private static final int SESSION_TIMEOUT_MS = 30_000;
    private static final long HEARTBEAT_MS = 1_000;
    private static final String PROTOCOL = "range";

    /** What the member tells its owner. */
    interface Listener {
        /** Start delivering {@code partitions}; {@code committed} holds the group's offsets for those that have one. */
        void assigned(int generation, List<TopicPartition> partitions, Map<TopicPartition, Long> committed);

        /** Stop delivering every partition; return the positions to commit (auto-commit), or an empty map. */
        Map<TopicPartition, Long> revoked();

        /** Positions to commit now (auto-commit). */
        Map<TopicPartition, Long> committable();

        void failed(int code, String message);
    }

    private final HttpFrontDoor door;
    private final String group;
    private final Supplier<List<String>> topics;
    private final String clientId;
    private final String clientHost;
    private final boolean autoCommit;
    private final Listener listener;
    private String memberId = "";
    private int generation = -1;
    private boolean assigned;
    private boolean joining;
    private boolean closed;
    private long timer = -1;
    private List<String> joinedTopics = List.of();
    private Map<TopicPartition, Long> lastCommitted = Map.of();

    GroupMember(HttpFrontDoor door, String group, Supplier<List<String>> topics, String clientId, String clientHost,
                boolean autoCommit, Listener listener) {
        this.door = door;
        this.group = group;
        this.topics = topics;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.autoCommit = autoCommit;
        this.listener = listener;
    }

    void start() {
        timer = door.vertx.setPeriodic(HEARTBEAT_MS, id -> heartbeat());
        join();
    }

    String memberId() {
        return memberId;
    }

    int generation() {
        return generation;
    }

    private void join() {
        if (closed || joining) {
            return;
        }
        joining = true;
        joinedTopics = List.copyOf(new TreeSet<>(topics.get()));
        byte[] subscription = Utils.toArray(ConsumerProtocol.serializeSubscription(
                new ConsumerPartitionAssignor.Subscription(joinedTopics)));
        JoinGroupRequestData req = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setSessionTimeoutMs(SESSION_TIMEOUT_MS).setRebalanceTimeoutMs(SESSION_TIMEOUT_MS).setProtocolType("consumer");
        req.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(PROTOCOL).setMetadata(subscription));
        door.groups.<JoinGroupResponseData>callAsync((c, done) -> c.joinGroup(req, (short) 9, clientId, clientHost, done))
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
        List<TopicPartition> parts = mine.stream().filter(tp -> joinedTopics.contains(tp.topic())).toList();
        door.groups.call(c -> c.fetchOffsets(group, parts)).onComplete(ar -> {
            if (closed) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> found = ar.succeeded() && ar.result() != null ? ar.result() : Map.of();
            Map<TopicPartition, Long> committed = new HashMap<>();
            found.forEach((tp, om) -> {
                if (om != null && om.offset() >= 0) {
                    committed.put(tp, om.offset());
                }
            });
            assigned = true;
            lastCommitted = new HashMap<>(committed);
            listener.assigned(generation, parts, committed);
        });
    }

    private void heartbeat() {
        if (closed || joining || generation < 0) {
            return;
        }
        if (assigned && !List.copyOf(new TreeSet<>(topics.get())).equals(joinedTopics)) {
            rejoin(Errors.NONE); // the subscription (a pattern's topics) changed
            return;
        }
        if (assigned && autoCommit) {
            commitPositions(listener.committable());
        }
        HeartbeatRequestData req = new HeartbeatRequestData().setGroupId(group).setMemberId(memberId).setGenerationId(generation);
        door.groups.call(c -> c.heartbeat(req)).onSuccess(e -> {
            if (!closed && e != Errors.NONE) {
                rejoin(e);
            }
        });
    }

    private void rejoin(Errors why) {
        if (assigned) {
            assigned = false;
            Map<TopicPartition, Long> at = listener.revoked();
            if (autoCommit) {
                commitPositions(at);
            }
        }
        if (why == Errors.UNKNOWN_MEMBER_ID) {
            memberId = "";
        }
        generation = -1;
        join();
    }

    /** Commits positions that changed since the last commit, with this generation (fire and forget). */
    private void commitPositions(Map<TopicPartition, Long> positions) {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        positions.forEach((tp, o) -> {
            if (!o.equals(lastCommitted.get(tp))) {
                commits.put(tp, new OffsetAndMetadata(o, -1, "", -1));
            }
        });
        if (!commits.isEmpty()) {
            commit(commits);
        }
    }

    /**
     * Commits {@code offsets} as this member of its current generation (what {@code commitSync} sends).
     * Answers each partition's error; REBALANCE_IN_PROGRESS or ILLEGAL_GENERATION when no generation is held.
     */
    Future<Map<TopicPartition, Errors>> commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (generation < 0 || closed) {
            Map<TopicPartition, Errors> refused = new HashMap<>();
            offsets.keySet().forEach(tp -> refused.put(tp, Errors.REBALANCE_IN_PROGRESS));
            return Future.succeededFuture(refused);
        }
        Map<TopicPartition, Long> sent = new HashMap<>(lastCommitted);
        offsets.forEach((tp, om) -> sent.put(tp, om.offset()));
        lastCommitted = sent;
        String m = memberId;
        int g = generation;
        return door.groups.callAsync((c, done) -> c.commitOffsets(group, m, null, g, offsets, done));
    }

    /** Commits what is committable (auto-commit) and leaves the group. */
    void close() {
        if (closed) {
            return;
        }
        if (assigned && autoCommit) {
            commitPositions(listener.committable());
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
