package io.tributary.client.kafka.internal.group;

import io.tributary.client.kafka.GroupOptions;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.vertx.core.Vertx;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * A member's heartbeats: one every {@code heartbeatIntervalMs} while it has a generation (draining included, so a
 * drain within the rebalance timeout never costs the membership), at most one in flight. REBALANCE_IN_PROGRESS asks the
 * member to rejoin; UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION, or no answer for the whole session timeout (the coordinator
 * has dropped the member by then), fence it; coordinator errors reset the channel (the next beat finds the coordinator
 * again). On the client's loop only.
 */
final class Heartbeat {
    private static final int MAX_VERSION = 4;

    /** What the heartbeats report to. */
    interface Member {
        /** True while the member has a generation to beat for. */
        boolean beating();

        int generation();

        String memberId();

        void rebalancing();

        void fenced(String because);

        void failed(Throwable error);
    }

    private final KafkaCluster cluster;
    private final Vertx vertx;
    private final GroupOptions options;
    private final CoordinatorChannel channel;
    private final Member member;
    private long timer = -1;
    private boolean inFlight;
    private long lastOkNanos;

    Heartbeat(KafkaCluster cluster, GroupOptions options, CoordinatorChannel channel, Member member) {
        this.cluster = cluster;
        this.vertx = cluster.loop().context().owner();
        this.options = options;
        this.channel = channel;
        this.member = member;
    }

    /** A generation began: the session counts from now. */
    void start() {
        lastOkNanos = System.nanoTime();
        schedule();
    }

    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void schedule() {
        stop();
        timer = vertx.setTimer(options.heartbeatIntervalMs(), t -> {
            timer = -1;
            beat();
        });
    }

    private void beat() {
        if (!member.beating() || inFlight) {
            return;
        }
        if (System.nanoTime() - lastOkNanos > options.sessionTimeoutMs() * 1_000_000L) {
            member.fenced("no heartbeat was answered within the session timeout of " + options.sessionTimeoutMs()
                    + " ms");
            return;
        }
        int gen = member.generation();
        String memberId = member.memberId();
        inFlight = true;
        channel.<HeartbeatResponseData>call(ApiKeys.HEARTBEAT, MAX_VERSION, v -> {
            HeartbeatRequestData req = new HeartbeatRequestData().setGroupId(options.groupId()).setGenerationId(gen)
                    .setMemberId(memberId);
            if (v >= 3) {
                req.setGroupInstanceId(options.groupInstanceId());
            }
            return req;
        }, cluster.options().requestTimeoutMs()).onComplete(ar -> {
            inFlight = false;
            if (!member.beating() || member.generation() != gen) {
                return; // answered for a generation that is over
            }
            schedule();
            if (ar.failed()) {
                return; // the channel was reset if the connection broke; the next beat finds the coordinator again
            }
            Errors err = Errors.forCode(ar.result().errorCode());
            switch (err) {
                case NONE -> lastOkNanos = System.nanoTime();
                case REBALANCE_IN_PROGRESS -> {
                    lastOkNanos = System.nanoTime();
                    member.rebalancing();
                }
                case UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION -> member.fenced("a heartbeat was answered " + err);
                case COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR -> channel.reset();
                default -> member.failed(err.exception("Heartbeat of group " + options.groupId() + ": "
                        + err.message()));
            }
        });
    }
}
