package io.tributary.client.kafka.internal.group;

import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.GroupOptions;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The member's offsets: commits of the acked positions and the fetch of committed ones. One OffsetCommit is in
 * flight at a time and a commit point only moves forward, so commits of a partition are ordered. A commit carries
 * the member's id and generation: the coordinator refuses it (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID) once the group
 * has moved on without this member, and the member never offers a partition it no longer owns (its tracker is gone
 * or revoked), so no commit crosses a rebalance. Commits wait while the member has no usable generation (joining);
 * every {@code commitIntervalMs} the dirty partitions are committed without being asked. On the client's loop only.
 */
final class Committer {
    private static final int COMMIT_MAX_VERSION = 9; // v10 names topics by id
    private static final int FETCH_MAX_VERSION = 7;  // v8+ batches groups

    private record Waiter(Promise<Void> promise) {
    }

    private final KafkaCluster cluster;
    private final Loop loop;
    private final GroupOptions options;
    private final Membership member;
    private final Map<TopicPartition, AckTracker> trackers;
    private List<Waiter> waiting = new ArrayList<>();
    private boolean inFlight;
    private long timer = -1;
    private boolean stopped;

    Committer(KafkaCluster cluster, GroupOptions options, Membership member, Map<TopicPartition, AckTracker> trackers) {
        this.cluster = cluster;
        this.loop = cluster.loop();
        this.options = options;
        this.member = member;
        this.trackers = trackers;
    }

    void start() {
        // A one-shot timer re-armed each time, not setPeriodic: Vert.x runs a periodic timer on the unwrapped
        // context, which is not the client's (a duplicated context) — its handler would be off the client's loop.
        timer = loop.context().owner().setTimer(options.commitIntervalMs(), t -> {
            timer = -1;
            if (stopped) {
                return;
            }
            if (!inFlight && waiting.isEmpty() && member.canCommit() && anyDirty()) {
                commit();
            }
            start();
        });
    }

    void stop() {
        stopped = true;
        if (timer >= 0) {
            loop.context().owner().cancelTimer(timer);
            timer = -1;
        }
        List<Waiter> w = waiting;
        waiting = new ArrayList<>();
        w.forEach(x -> x.promise.tryFail(new IllegalStateException("the group member is closed")));
    }

    private boolean anyDirty() {
        for (AckTracker t : trackers.values()) {
            if (t.dirty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Commits every owned partition's acked position; completes once a commit sent after this call is answered
     * (at once if nothing is left to commit).
     */
    Future<Void> commit() {
        loop.check();
        if (stopped) {
            return Future.failedFuture(new IllegalStateException("the group member is closed"));
        }
        Promise<Void> p = Promise.promise();
        waiting.add(new Waiter(p));
        send();
        return p.future();
    }

    /** The member has a generation again: send what waited for it. */
    void resume() {
        send();
    }

    private void send() {
        if (inFlight || waiting.isEmpty() || stopped) {
            return;
        }
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (AckTracker t : trackers.values()) {
            if (t.dirty()) {
                offsets.put(t.tp, t.commitPoint());
            }
        }
        if (offsets.isEmpty()) {
            List<Waiter> w = waiting;
            waiting = new ArrayList<>();
            w.forEach(x -> x.promise.tryComplete());
            return;
        }
        if (!member.canCommit()) {
            return; // joining: sent when the member is stable again (resume)
        }
        List<Waiter> batch = waiting;
        waiting = new ArrayList<>();
        inFlight = true;
        int gen = member.generation();
        String memberId = member.memberId();
        member.channel().<OffsetCommitResponseData>call(ApiKeys.OFFSET_COMMIT, COMMIT_MAX_VERSION,
                v -> request(offsets, gen, memberId, v), cluster.options().requestTimeoutMs()).onComplete(ar -> {
            inFlight = false;
            Throwable error = ar.failed() ? ar.cause() : settle(ar.result(), offsets);
            for (Waiter w : batch) {
                if (error == null) {
                    w.promise.tryComplete();
                } else {
                    w.promise.tryFail(error);
                }
            }
            send();
        });
    }

    private OffsetCommitRequestData request(Map<TopicPartition, Long> offsets, int gen, String memberId, short v) {
        Map<String, OffsetCommitRequestData.OffsetCommitRequestTopic> byTopic = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            byTopic.computeIfAbsent(e.getKey().topic(), t -> new OffsetCommitRequestData.OffsetCommitRequestTopic()
                    .setName(t).setPartitions(new ArrayList<>())).partitions()
                    .add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                            .setPartitionIndex(e.getKey().partition()).setCommittedOffset(e.getValue())
                            .setCommittedMetadata(""));
        }
        OffsetCommitRequestData req = new OffsetCommitRequestData().setGroupId(options.groupId())
                .setGenerationIdOrMemberEpoch(gen).setMemberId(memberId).setTopics(new ArrayList<>(byTopic.values()));
        if (v >= 7) {
            req.setGroupInstanceId(options.groupInstanceId());
        }
        return req;
    }

    /** Records what was committed and reacts to the errors; returns the first error, or null. */
    private Throwable settle(OffsetCommitResponseData resp, Map<TopicPartition, Long> sent) {
        Throwable first = null;
        for (OffsetCommitResponseData.OffsetCommitResponseTopic t : resp.topics()) {
            for (OffsetCommitResponseData.OffsetCommitResponsePartition p : t.partitions()) {
                TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                Errors err = Errors.forCode(p.errorCode());
                if (err == Errors.NONE) {
                    AckTracker tr = trackers.get(tp);
                    Long off = sent.get(tp);
                    if (tr != null && off != null && off > tr.committed) {
                        tr.committed = off;
                    }
                    continue;
                }
                if (first == null) {
                    first = err.exception("OffsetCommit of " + tp + " at " + sent.get(tp) + " (group "
                            + options.groupId() + ", generation " + member.generation() + "): " + err.message());
                    switch (err) {
                        case REBALANCE_IN_PROGRESS -> member.requestRejoin();
                        case UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION -> member.fenced(err);
                        case COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR -> member.channel().reset();
                        case FENCED_INSTANCE_ID -> member.fail(first);
                        default -> {
                        }
                    }
                }
            }
        }
        return first;
    }

    /**
     * The group's committed offset of each of {@code tps} (absent: nothing committed), retried through coordinator
     * moves and loads until the request timeout.
     */
    Future<Map<TopicPartition, Long>> committed(Set<TopicPartition> tps) {
        long deadline = System.nanoTime() + cluster.options().requestTimeoutMs() * 1_000_000L;
        return cluster.retrying(deadline, () -> member.channel().<OffsetFetchResponseData>call(ApiKeys.OFFSET_FETCH,
                FETCH_MAX_VERSION, v -> {
                    Map<String, OffsetFetchRequestData.OffsetFetchRequestTopic> byTopic = new LinkedHashMap<>();
                    for (TopicPartition tp : tps) {
                        byTopic.computeIfAbsent(tp.topic(), t -> new OffsetFetchRequestData.OffsetFetchRequestTopic()
                                .setName(t).setPartitionIndexes(new ArrayList<>())).partitionIndexes().add(tp.partition());
                    }
                    OffsetFetchRequestData req = new OffsetFetchRequestData().setGroupId(options.groupId())
                            .setTopics(new ArrayList<>(byTopic.values()));
                    if (v >= 7) {
                        req.setRequireStable(true);
                    }
                    return req;
                }, cluster.options().requestTimeoutMs()).compose(resp -> {
                    Errors top = Errors.forCode(resp.errorCode());
                    if (top != Errors.NONE) {
                        if (top == Errors.NOT_COORDINATOR || top == Errors.COORDINATOR_NOT_AVAILABLE) {
                            member.channel().reset();
                        }
                        return Future.failedFuture(top.exception("OffsetFetch of group " + options.groupId() + ": "
                                + top.message()));
                    }
                    Map<TopicPartition, Long> out = new HashMap<>();
                    for (OffsetFetchResponseData.OffsetFetchResponseTopic t : resp.topics()) {
                        for (OffsetFetchResponseData.OffsetFetchResponsePartition p : t.partitions()) {
                            Errors err = Errors.forCode(p.errorCode());
                            if (err != Errors.NONE) {
                                return Future.failedFuture(err.exception("OffsetFetch of " + t.name() + "-"
                                        + p.partitionIndex() + ": " + err.message()));
                            }
                            if (p.committedOffset() >= 0) {
                                out.put(new TopicPartition(t.name(), p.partitionIndex()), p.committedOffset());
                            }
                        }
                    }
                    return Future.succeededFuture(out);
                }));
    }

}
