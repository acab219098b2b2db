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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One member of a consumer group on the classic protocol: JoinGroup (a first join without a member id is answered
 * MEMBER_ID_REQUIRED and repeated with the id it carries, KIP-394), the leader's assignment with the chosen
 * kafka-clients assignor, SyncGroup, heartbeats, LeaveGroup. The member hands partitions back through its
 * {@link MemberListener} before the group may give them to anyone else: under the eager protocol every owned partition is
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
final class Membership implements Heartbeat.Member {
    private enum State { UNJOINED, JOINING, STABLE, REVOKING, LEAVING, CLOSED }

    private final KafkaCluster cluster;
    private final Loop loop;
    private final Vertx vertx;
    private final GroupOptions options;
    private final List<String> topics;
    private final Assignors assignors;
    private final boolean cooperative;
    private final CoordinatorChannel channel;
    private final MemberListener listener;
    private final Set<TopicPartition> owned = new LinkedHashSet<>();
    private State state = State.UNJOINED;
    private String memberId = "";
    private int generation = -1;
    private String protocol;
    private boolean rejoinNeeded;
    private final Heartbeat heartbeat;
    private Promise<Void> closing;

    Membership(KafkaCluster cluster, GroupOptions options, List<String> topics, MemberListener listener) {
        this.cluster = cluster;
        this.loop = cluster.loop();
        this.vertx = loop.context().owner();
        this.options = options;
        this.topics = List.copyOf(topics);
        this.listener = listener;
        this.channel = new CoordinatorChannel(cluster, options.groupId());
        this.assignors = new Assignors(options);
        this.cooperative = assignors.cooperative();
        this.heartbeat = new Heartbeat(cluster, options, channel, this);
    }

    void start() {
        loop.check();
        if (state == State.UNJOINED && closing == null) {
            join("starting");
        }
    }

    @Override
    public String memberId() {
        return memberId;
    }

    @Override
    public int generation() {
        return generation;
    }

    CoordinatorChannel channel() {
        return channel;
    }

    /** True while the member has a generation the coordinator accepts commits for. */
    boolean canCommit() {
        return (state == State.STABLE || state == State.REVOKING || state == State.LEAVING) && generation >= 0;
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
        heartbeat.stop();
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                assignors.protocols(topics, owned, generation);
        long timeout = options.rebalanceTimeoutMs() + 5_000L;
        channel.<JoinGroupResponseData>call(ApiKeys.JOIN_GROUP, GroupRequests.JOIN_MAX_VERSION,
                v -> GroupRequests.join(options, memberId, protocols, reason, v), timeout).onComplete(this::onJoin);
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
                ConsumerPartitionAssignor chosen = assignors.byName(protocol);
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
        channel.<SyncGroupResponseData>call(ApiKeys.SYNC_GROUP, GroupRequests.SYNC_MAX_VERSION,
                v -> GroupRequests.sync(options, gen, memberId, protocol, assignments, v),
                cluster.options().requestTimeoutMs()).onComplete(ar -> {
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
        Set<TopicPartition> assigned = new LinkedHashSet<>(assignors.assigned(protocol, bytes,
                new ConsumerGroupMetadata(options.groupId(), generation, memberId,
                        Optional.ofNullable(options.groupInstanceId()))));
        Set<TopicPartition> revoked = new LinkedHashSet<>(owned);
        revoked.removeAll(assigned);
        Set<TopicPartition> added = new LinkedHashSet<>(assigned);
        added.removeAll(owned);
        owned.clear();
        owned.addAll(assigned);
        state = State.STABLE;
        heartbeat.start();
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

    /** Heartbeats go on while the member has a generation, draining included (its session must not expire). */
    @Override
    public boolean beating() {
        return (state == State.STABLE || state == State.REVOKING || state == State.LEAVING) && generation >= 0;
    }

    @Override
    public void rebalancing() {
        requestRejoin();
    }

    @Override
    public void fenced(String because) {
        reset(because);
        rejoinAfterReset();
    }

    @Override
    public void failed(Throwable error) {
        fail(error);
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
        heartbeat.stop();
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
        heartbeat.stop();
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
        heartbeat.stop();
        Future<Void> left = Future.succeededFuture();
        if (!memberId.isEmpty() && state != State.CLOSED) {
            String id = memberId;
            left = channel.call(ApiKeys.LEAVE_GROUP, GroupRequests.LEAVE_MAX_VERSION,
                    v -> GroupRequests.leave(options, id, v), cluster.options().requestTimeoutMs()).mapEmpty();
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
