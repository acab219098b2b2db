package io.tributary.client.kafka.internal.group;

import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.GroupOptions;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One member of a consumer group on the classic protocol: JoinGroup (a first join without a member id is answered
 * MEMBER_ID_REQUIRED and repeated with the id it carries, KIP-394), the leader's assignment with the chosen
 * kafka-clients assignor, SyncGroup, heartbeats, LeaveGroup. The member hands partitions back through its
 * {@link Listener} before the group may give them to anyone else: under the eager protocol every owned partition is
 * revoked before each JoinGroup; under the cooperative one (KIP-429) only the partitions a new assignment takes away,
 * after which the member rejoins at once so the group can move them.
 *
 * <p>Coordinator errors as kafka-clients' AbstractCoordinator handles them: COORDINATOR_NOT_AVAILABLE /
 * NOT_COORDINATOR (and a lost connection) find the coordinator again; REBALANCE_IN_PROGRESS rejoins;
 * UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION lose the partitions and rejoin afresh; FENCED_INSTANCE_ID (another process
 * took this static member's id) and configuration errors end the member. A member whose heartbeats go unanswered for
 * the session timeout treats its partitions as lost: the coordinator has dropped it by then.
 *
 * <p>On the client's loop only.
 */
final class Membership {
    /** What the member's partitions go through. */
    interface Listener {
        /** Hand {@code partitions} back (drain or abandon their records, commit); the member waits for the future. */
        Future<Void> revoke(Set<TopicPartition> partitions, String because);

        /** {@code partitions} are this member's from {@code generation} on (possibly none, eager). */
        void assigned(Set<TopicPartition> partitions, int generation);

        /** {@code partitions} are no longer this member's and nothing could be committed for them. */
        void lost(Set<TopicPartition> partitions, String because);

        /** The member has a generation it can commit with. */
        void stable();

        /** The member ended on a fatal error. */
        void failed(Throwable error);
    }

    private enum State { UNJOINED, JOINING, STABLE, REVOKING, LEAVING, CLOSED }

    private static final int JOIN_MAX_VERSION = 9;
    private static final int SYNC_MAX_VERSION = 5;
    private static final int HEARTBEAT_MAX_VERSION = 4;
    private static final int LEAVE_MAX_VERSION = 5;

    private final KafkaCluster cluster;
    private final Loop loop;
    private final Vertx vertx;
    private final GroupOptions options;
    private final List<String> topics;
    private final List<ConsumerPartitionAssignor> assignors = new ArrayList<>();
    private final boolean cooperative;
    private final CoordinatorChannel channel;
    private final Listener listener;
    private final Set<TopicPartition> owned = new LinkedHashSet<>();
    private State state = State.UNJOINED;
    private String memberId = "";
    private int generation = -1;
    private String protocol;
    private boolean rejoinNeeded;
    private long heartbeatTimer = -1;
    private boolean heartbeatInFlight;
    private long lastHeartbeatOkNanos;
    private Promise<Void> closing;

    Membership(KafkaCluster cluster, GroupOptions options, List<String> topics, Listener listener) {
        this.cluster = cluster;
        this.loop = cluster.loop();
        this.vertx = loop.context().owner();
        this.options = options;
        this.topics = List.copyOf(topics);
        this.listener = listener;
        this.channel = new CoordinatorChannel(cluster, options.groupId());
        boolean coop = true;
        for (var s : options.assignors()) {
            ConsumerPartitionAssignor a = s.get();
            assignors.add(a);
            coop &= a.supportedProtocols().contains(ConsumerPartitionAssignor.RebalanceProtocol.COOPERATIVE);
        }
        this.cooperative = coop;
    }

    void start() {
        loop.check();
        if (state == State.UNJOINED && closing == null) {
            join("starting");
        }
    }

    String memberId() {
        return memberId;
    }

    int generation() {
        return generation;
    }

    boolean cooperative() {
        return cooperative;
    }

    CoordinatorChannel channel() {
        return channel;
    }

    /** True while the member has a generation the coordinator accepts commits for. */
    boolean canCommit() {
        return (state == State.STABLE || state == State.REVOKING || state == State.LEAVING) && generation >= 0;
    }

    String groupInstanceId() {
        return options.groupInstanceId();
    }

    // ------------------------------------------------------------------------------------------------ join

    /** The group is rebalancing (a heartbeat or commit said so): rejoin once the member is stable. */
    void requestRejoin() {
        rejoinNeeded = true;
        maybeRejoin();
    }

    private void maybeRejoin() {
        if (state != State.STABLE) {
            return; // joining already, or revoking (which joins when done)
        }
        if (closing != null) {
            leaveNow();
            return;
        }
        if (!rejoinNeeded) {
            return;
        }
        if (!cooperative && !owned.isEmpty()) {
            // Eager: every partition goes back (drained, committed) before the JoinGroup, so no other member can be
            // given one while this member still processes or commits it (reactor-kafka #345).
            Set<TopicPartition> all = Set.copyOf(owned);
            state = State.REVOKING;
            listener.revoke(all, "revoked before rejoining (eager rebalance, generation " + generation + ")")
                    .onComplete(v -> {
                        owned.removeAll(all);
                        if (state == State.REVOKING) {
                            join("rebalance");
                        }
                    });
            return;
        }
        join("rebalance");
    }

    private void join(String reason) {
        if (closing != null) {
            finishClose();
            return;
        }
        state = State.JOINING;
        rejoinNeeded = false;
        cancelHeartbeat();
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        Set<String> topicSet = new LinkedHashSet<>(topics);
        for (ConsumerPartitionAssignor a : assignors) {
            var sub = new ConsumerPartitionAssignor.Subscription(topics, a.subscriptionUserData(topicSet),
                    List.copyOf(owned), generation, Optional.empty());
            protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(a.name())
                    .setMetadata(Utils.toArray(ConsumerProtocol.serializeSubscription(sub))));
        }
        long timeout = options.rebalanceTimeoutMs() + 5_000L;
        channel.<JoinGroupResponseData>call(ApiKeys.JOIN_GROUP, JOIN_MAX_VERSION, v -> {
            JoinGroupRequestData req = new JoinGroupRequestData().setGroupId(options.groupId())
                    .setSessionTimeoutMs(options.sessionTimeoutMs()).setRebalanceTimeoutMs(options.rebalanceTimeoutMs())
                    .setMemberId(memberId).setProtocolType(ConsumerProtocol.PROTOCOL_TYPE).setProtocols(protocols);
            if (v >= 5) {
                req.setGroupInstanceId(options.groupInstanceId());
            }
            if (v >= 8) {
                req.setReason(reason);
            }
            return req;
        }, timeout).onComplete(this::onJoin);
    }

    private void onJoin(AsyncResult<JoinGroupResponseData> ar) {
        if (state != State.JOINING) {
            return;
        }
        if (ar.failed()) {
            retryOrFail(ar.cause());
            return;
        }
        JoinGroupResponseData r = ar.result();
        Errors err = Errors.forCode(r.errorCode());
        switch (err) {
            case NONE -> {
                memberId = r.memberId();
                generation = r.generationId();
                protocol = r.protocolName();
                ConsumerPartitionAssignor chosen = assignor(protocol);
                if (chosen == null) {
                    fail(Errors.INCONSISTENT_GROUP_PROTOCOL.exception("the group chose protocol " + protocol
                            + ", which this member did not offer"));
                    return;
                }
                if (r.leader().equals(memberId)) {
                    LeaderAssignment.assign(cluster, chosen, r.members()).onComplete(a -> {
                        if (state != State.JOINING) {
                            return;
                        }
                        if (a.failed()) {
                            retryOrFail(a.cause());
                        } else {
                            sync(a.result());
                        }
                    });
                } else {
                    sync(List.of());
                }
            }
            case MEMBER_ID_REQUIRED -> {
                memberId = r.memberId();
                join("member id assigned");
            }
            case UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION -> {
                reset("JoinGroup answered " + err);
                join("rejoining after " + err);
            }
            case COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR -> {
                channel.reset();
                joinLater();
            }
            case COORDINATOR_LOAD_IN_PROGRESS, REBALANCE_IN_PROGRESS -> joinLater();
            default -> fail(err.exception("JoinGroup of group " + options.groupId() + ": " + err.message()));
        }
    }

    private void sync(List<SyncGroupRequestData.SyncGroupRequestAssignment> assignments) {
        int gen = generation;
        channel.<SyncGroupResponseData>call(ApiKeys.SYNC_GROUP, SYNC_MAX_VERSION, v -> {
            SyncGroupRequestData req = new SyncGroupRequestData().setGroupId(options.groupId()).setGenerationId(gen)
                    .setMemberId(memberId).setAssignments(assignments);
            if (v >= 3) {
                req.setGroupInstanceId(options.groupInstanceId());
            }
            if (v >= 5) {
                req.setProtocolType(ConsumerProtocol.PROTOCOL_TYPE).setProtocolName(protocol);
            }
            return req;
        }, cluster.options().requestTimeoutMs()).onComplete(ar -> {
            if (state != State.JOINING) {
                return;
            }
            if (ar.failed()) {
                retryOrFail(ar.cause());
                return;
            }
            Errors err = Errors.forCode(ar.result().errorCode());
            switch (err) {
                case NONE -> onAssignment(ar.result().assignment());
                case REBALANCE_IN_PROGRESS -> join("the group rebalanced again during SyncGroup");
                case UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION -> {
                    reset("SyncGroup answered " + err);
                    join("rejoining after " + err);
                }
                case COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR -> {
                    channel.reset();
                    joinLater();
                }
                default -> fail(err.exception("SyncGroup of group " + options.groupId() + ": " + err.message()));
            }
        });
    }

    private void onAssignment(byte[] bytes) {
        ConsumerPartitionAssignor.Assignment a = bytes == null || bytes.length == 0
                ? new ConsumerPartitionAssignor.Assignment(List.of())
                : ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(bytes));
        assignor(protocol).onAssignment(a, new ConsumerGroupMetadata(options.groupId(), generation, memberId,
                Optional.ofNullable(options.groupInstanceId())));
        Set<TopicPartition> assigned = new LinkedHashSet<>(a.partitions());
        Set<TopicPartition> revoked = new LinkedHashSet<>(owned);
        revoked.removeAll(assigned);
        Set<TopicPartition> added = new LinkedHashSet<>(assigned);
        added.removeAll(owned);
        owned.clear();
        owned.addAll(assigned);
        state = State.STABLE;
        lastHeartbeatOkNanos = System.nanoTime();
        scheduleHeartbeat();
        listener.stable();
        if (closing == null && (!cooperative || !added.isEmpty())) {
            listener.assigned(added, generation);
        }
        if (!revoked.isEmpty()) {
            // Cooperative: the new assignment takes these away; hand them back, then rejoin so the group can give
            // them to their new owner in the next generation (KIP-429).
            state = State.REVOKING;
            listener.revoke(revoked, "revoked by the assignment of generation " + generation).onComplete(v -> {
                if (state == State.REVOKING) {
                    state = State.STABLE;
                    rejoinNeeded = true;
                    maybeRejoin();
                }
            });
            return;
        }
        maybeRejoin();
    }

    private ConsumerPartitionAssignor assignor(String name) {
        for (ConsumerPartitionAssignor a : assignors) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private void joinLater() {
        vertx.setTimer(cluster.options().retryBackoffMs(), t -> {
            if (state == State.JOINING) {
                join("retrying");
            }
        });
    }

    private void retryOrFail(Throwable cause) {
        if (KafkaCluster.isRetriable(cause) || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            channel.reset();
            joinLater();
        } else {
            fail(cause);
        }
    }

    // ------------------------------------------------------------------------------------------------ liveness

    private void scheduleHeartbeat() {
        cancelHeartbeat();
        heartbeatTimer = vertx.setTimer(options.heartbeatIntervalMs(), t -> {
            heartbeatTimer = -1;
            heartbeat();
        });
    }

    /** Heartbeats go on while the member has a generation, draining included (its session must not expire). */
    private boolean beating() {
        return (state == State.STABLE || state == State.REVOKING || state == State.LEAVING) && generation >= 0;
    }

    private void cancelHeartbeat() {
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
            heartbeatTimer = -1;
        }
    }

    private void heartbeat() {
        if (!beating() || heartbeatInFlight) {
            return;
        }
        if (System.nanoTime() - lastHeartbeatOkNanos > options.sessionTimeoutMs() * 1_000_000L) {
            // The coordinator has dropped this member by now: whatever it owned is someone else's.
            reset("no heartbeat was answered within the session timeout of " + options.sessionTimeoutMs() + " ms");
            rejoinAfterReset();
            return;
        }
        int gen = generation;
        heartbeatInFlight = true;
        channel.<HeartbeatResponseData>call(ApiKeys.HEARTBEAT, HEARTBEAT_MAX_VERSION, v -> {
            HeartbeatRequestData req = new HeartbeatRequestData().setGroupId(options.groupId()).setGenerationId(gen)
                    .setMemberId(memberId);
            if (v >= 3) {
                req.setGroupInstanceId(options.groupInstanceId());
            }
            return req;
        }, cluster.options().requestTimeoutMs()).onComplete(ar -> {
            heartbeatInFlight = false;
            if (!beating() || generation != gen) {
                return; // answered for a generation that is over
            }
            scheduleHeartbeat();
            if (ar.failed()) {
                return; // the channel was reset if the connection broke; the next beat finds the coordinator again
            }
            Errors err = Errors.forCode(ar.result().errorCode());
            switch (err) {
                case NONE -> lastHeartbeatOkNanos = System.nanoTime();
                case REBALANCE_IN_PROGRESS -> {
                    lastHeartbeatOkNanos = System.nanoTime();
                    requestRejoin();
                }
                case UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION -> {
                    reset("a heartbeat was answered " + err);
                    rejoinAfterReset();
                }
                case COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR -> channel.reset();
                default -> fail(err.exception("Heartbeat of group " + options.groupId() + ": " + err.message()));
            }
        });
    }

    /**
     * The coordinator no longer knows this member or its generation (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, from a
     * heartbeat or a commit): the partitions are lost, and the member rejoins as a new one.
     */
    void fenced(Errors err) {
        if (state == State.STABLE || state == State.REVOKING) {
            reset("the coordinator answered " + err);
            rejoinAfterReset();
        }
    }

    private void reset(String because) {
        if (!owned.isEmpty()) {
            Set<TopicPartition> lost = Set.copyOf(owned);
            owned.clear();
            listener.lost(lost, "lost: " + because);
        }
        memberId = "";
        generation = -1;
        cancelHeartbeat();
    }

    private void rejoinAfterReset() {
        if (state == State.STABLE) {
            join("rejoining after losing the membership");
        }
        // REVOKING: the revoke in progress ends at once (its partitions are lost) and joins then.
        // LEAVING: nothing to leave any more; the close goes on.
    }

    /** A commit or heartbeat answered with an error that ends the member (FENCED_INSTANCE_ID). */
    void fail(Throwable error) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        cancelHeartbeat();
        channel.close();
        if (!owned.isEmpty()) {
            Set<TopicPartition> lost = Set.copyOf(owned);
            owned.clear();
            listener.lost(lost, "lost: " + error);
        }
        listener.failed(error);
        if (closing != null) {
            closing.tryComplete();
        }
    }

    // ------------------------------------------------------------------------------------------------ close

    /** Graceful close: hand every partition back (drain, final commit), then LeaveGroup. */
    Future<Void> close() {
        loop.check();
        if (closing != null) {
            return closing.future();
        }
        closing = Promise.promise();
        switch (state) {
            case UNJOINED -> finishClose();
            case STABLE -> leaveNow();
            case CLOSED -> closing.tryComplete();
            default -> {
                // JOINING or REVOKING: the member goes on until it is stable, then leaves (bounded by the
                // rebalance timeout, as the coordinator bounds the join).
            }
        }
        return closing.future();
    }

    private void leaveNow() {
        state = State.LEAVING;
        Set<TopicPartition> all = Set.copyOf(owned);
        Future<Void> revoked = all.isEmpty() ? Future.succeededFuture()
                : listener.revoke(all, "revoked at close (generation " + generation + ")");
        revoked.onComplete(v -> {
            owned.clear();
            finishClose();
        });
    }

    private void finishClose() {
        cancelHeartbeat();
        Future<Void> left = Future.succeededFuture();
        if (!memberId.isEmpty() && state != State.CLOSED) {
            String id = memberId;
            left = channel.call(ApiKeys.LEAVE_GROUP, LEAVE_MAX_VERSION, v -> {
                LeaveGroupRequestData req = new LeaveGroupRequestData().setGroupId(options.groupId());
                if (v >= 3) {
                    LeaveGroupRequestData.MemberIdentity m = new LeaveGroupRequestData.MemberIdentity().setMemberId(id)
                            .setGroupInstanceId(options.groupInstanceId());
                    if (v >= 5) {
                        m.setReason("the consumer is closing");
                    }
                    req.setMembers(List.of(m));
                } else {
                    req.setMemberId(id);
                }
                return req;
            }, cluster.options().requestTimeoutMs()).mapEmpty();
        }
        state = State.CLOSED;
        memberId = "";
        generation = -1;
        left.onComplete(ar -> {
            channel.close();
            closing.tryComplete();
        });
    }
}
