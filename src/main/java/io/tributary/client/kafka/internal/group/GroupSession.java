package io.tributary.client.kafka.internal.group;

import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.ConsumerOptions;
import io.tributary.client.kafka.ConsumerRecord;
import io.tributary.client.kafka.GroupOptions;
import io.tributary.client.kafka.Rebalance;
import io.tributary.client.kafka.StartFrom;
import io.tributary.client.kafka.internal.FetchStream;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.tributary.client.kafka.internal.Offsets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.apache.kafka.common.TopicPartition;
import org.reactivestreams.Subscriber;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A group subscription at work: the member ({@link Membership}), the records stream ({@link FetchStream}, demand
 * driven), one {@link AckTracker} per owned partition and the {@link Committer}. This class decides what happens to a
 * partition's records when it changes hands:
 * <ul>
 *   <li>assigned: its committed offset (or the group's start policy) is fetched, a fresh tracker starts, fetching
 *       begins;</li>
 *   <li>revoked: fetching stops and its buffered records are dropped at once, so nothing more of it is emitted
 *       (reactor-kafka #345); the records already emitted get up to the drain timeout to be acked; then the acked
 *       position is committed, the tracker refuses acks and commits from then on (reactor-kafka #421), and only then
 *       is the member told it may rejoin;</li>
 *   <li>lost: the same without the drain and the commit (no generation to commit with).</li>
 * </ul>
 * On the client's loop only.
 */
public final class GroupSession implements MemberListener {
    private final KafkaCluster cluster;
    private final Loop loop;
    private final ConsumerOptions consumerOptions;
    private final GroupOptions options;
    private final Consumer<Rebalance> events;
    private final Consumer<Throwable> eventsFailed;
    private final Map<TopicPartition, AckTracker> trackers = new LinkedHashMap<>();
    private final Membership member;
    private final Committer committer;
    private FetchStream fetch;
    private Future<Void> closed;

    public GroupSession(KafkaCluster cluster, ConsumerOptions consumerOptions, GroupOptions options,
                        List<String> topics, Consumer<Rebalance> events, Consumer<Throwable> eventsFailed) {
        this.cluster = cluster;
        this.loop = cluster.loop();
        this.consumerOptions = consumerOptions;
        this.options = options;
        this.events = events;
        this.eventsFailed = eventsFailed;
        this.member = new Membership(cluster, options, topics, this);
        this.committer = new Committer(cluster, options, member, trackers);
    }

    /** Joins the group and streams the records of its partitions to {@code down}. On the loop, once. */
    public void start(Subscriber<? super ConsumerRecord> down) {
        loop.check();
        fetch = new FetchStream(cluster, consumerOptions, down, null, this::close);
        fetch.start();
        committer.start();
        member.start();
    }

    /** Commits every owned partition's acked position. */
    public Future<Void> commit() {
        return committer.commit();
    }

    /** Graceful close: drain and commit every partition, LeaveGroup, complete the records stream. */
    public Future<Void> close() {
        loop.check();
        if (closed == null) {
            closed = member.close().andThen(ar -> {
                committer.stop();
                if (fetch != null) {
                    fetch.complete();
                }
                eventsFailed.accept(null);
            });
        }
        return closed;
    }

    /** The partitions this member owns now (started or starting). */
    public Set<TopicPartition> assignment() {
        Set<TopicPartition> out = new LinkedHashSet<>();
        trackers.forEach((tp, t) -> {
            if (!t.isRevoked()) {
                out.add(tp);
            }
        });
        return out;
    }

    public String memberId() {
        return member.memberId();
    }

    // ------------------------------------------------------------------------------------------------ Listener

    @Override
    public void assigned(Set<TopicPartition> partitions, int generation) {
        Map<TopicPartition, AckTracker> fresh = new HashMap<>();
        for (TopicPartition tp : partitions) {
            AckTracker t = new AckTracker(tp, generation, loop, x -> committer.commit());
            trackers.put(tp, t);
            fresh.put(tp, t);
        }
        events.accept(new Rebalance(Rebalance.Kind.ASSIGNED, partitions, generation, member.memberId(), 0, Map.of()));
        if (partitions.isEmpty()) {
            return;
        }
        positions(partitions).onComplete(ar -> {
            if (ar.failed()) {
                member.fail(ar.cause());
                return;
            }
            for (Map.Entry<TopicPartition, AckTracker> e : fresh.entrySet()) {
                AckTracker t = e.getValue();
                if (t.isRevoked() || trackers.get(e.getKey()) != t || t.draining) {
                    continue; // revoked or lost while its position was looked up
                }
                long pos = ar.result().get(e.getKey());
                t.start(pos);
                fetch.add(e.getKey(), pos, t, t);
            }
        });
    }

    /** Committed offsets, and for partitions without one the group's start policy. */
    private Future<Map<TopicPartition, Long>> positions(Set<TopicPartition> tps) {
        return committer.committed(tps).compose(committed -> {
            Map<String, List<Integer>> missing = new LinkedHashMap<>();
            for (TopicPartition tp : tps) {
                if (!committed.containsKey(tp)) {
                    missing.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition());
                }
            }
            if (missing.isEmpty()) {
                return Future.succeededFuture(committed);
            }
            long ts = options.from() instanceof StartFrom.Latest ? Offsets.LATEST : Offsets.EARLIEST;
            List<String> topics = new ArrayList<>(missing.keySet());
            List<Future<Map<Integer, Long>>> fs = new ArrayList<>();
            for (String t : topics) {
                fs.add(Offsets.list(cluster, t, missing.get(t), ts));
            }
            return Future.all(fs).map(cf -> {
                Map<TopicPartition, Long> out = new HashMap<>(committed);
                for (int i = 0; i < topics.size(); i++) {
                    Map<Integer, Long> m = cf.resultAt(i);
                    for (Map.Entry<Integer, Long> e : m.entrySet()) {
                        out.put(new TopicPartition(topics.get(i), e.getKey()), e.getValue());
                    }
                }
                return out;
            });
        });
    }

    @Override
    public Future<Void> revoke(Set<TopicPartition> partitions, String because) {
        List<AckTracker> draining = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (fetch != null) {
                fetch.remove(tp); // nothing more of it reaches the subscriber
            }
            AckTracker t = trackers.get(tp);
            if (t != null && !t.isRevoked()) {
                t.draining = true;
                draining.add(t);
            }
        }
        Promise<Void> drained = Promise.promise();
        int[] left = {draining.size()};
        long timer = loop.context().owner().setTimer(options.drainTimeoutMs(), x -> drained.tryComplete());
        for (AckTracker t : draining) {
            t.whenIdle(() -> {
                if (--left[0] == 0) {
                    drained.tryComplete();
                }
            });
        }
        if (left[0] == 0) {
            drained.tryComplete();
        }
        return drained.future()
                .compose(v -> {
                    loop.context().owner().cancelTimer(timer);
                    // The final commit of these partitions, with the generation they were owned in.
                    return committer.commit().otherwiseEmpty();
                })
                .map(v -> {
                    Set<TopicPartition> handedBack = new LinkedHashSet<>();
                    Map<TopicPartition, Long> committed = new HashMap<>();
                    int abandoned = 0;
                    for (AckTracker t : draining) {
                        if (t.isRevoked()) {
                            continue; // lost meanwhile (reported as such)
                        }
                        abandoned += t.unacked();
                        committed.put(t.tp, t.started ? t.committed : -1L);
                        t.revoke(because);
                        trackers.remove(t.tp, t);
                        handedBack.add(t.tp);
                    }
                    for (TopicPartition tp : partitions) {
                        if (!trackers.containsKey(tp) && draining.stream().noneMatch(t -> t.tp.equals(tp))) {
                            handedBack.add(tp); // assigned at close, never started
                        }
                    }
                    events.accept(new Rebalance(Rebalance.Kind.REVOKED, handedBack, member.generation(),
                            member.memberId(), abandoned, committed));
                    return null;
                });
    }

    @Override
    public void lost(Set<TopicPartition> partitions, String because) {
        for (TopicPartition tp : partitions) {
            if (fetch != null) {
                fetch.remove(tp);
            }
            AckTracker t = trackers.remove(tp);
            if (t != null) {
                t.revoke(because);
            }
        }
        events.accept(new Rebalance(Rebalance.Kind.LOST, partitions, member.generation(), member.memberId(), 0,
                Map.of()));
    }

    @Override
    public void stable() {
        committer.resume();
    }

    @Override
    public void failed(Throwable error) {
        committer.stop();
        if (fetch != null) {
            fetch.fail(error);
        }
        eventsFailed.accept(error);
    }
}
