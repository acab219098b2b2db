package io.tributary.cluster.meta;

import io.tributary.coord.Codes;
import io.tributary.coord.Op;
import io.tributary.coord.Result;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Partition reassignment as Kafka's ZooKeeper-mode controller does it since KIP-455 ({@code kafka-reassign-partitions.sh},
 * AlterPartitionReassignments / ListPartitionReassignments), on the controller only:
 * <ol>
 *   <li>start: the topic znode gets the union RS = target + (original − target) as the partition's replicas, with
 *   {@code adding_replicas} (target − original) and {@code removing_replicas} (original − target); the new replicas
 *   start following the leader, which adds them to the ISR once they caught up;</li>
 *   <li>completion (checked at every metadata change): once every target replica is in the ISR, the partition state
 *   gets a leader from the target (the current one if it is in it, else the first live target ISR member, leader epoch
 *   bumped) and the ISR without the removed replicas; then the topic znode gets the target as replicas and loses the
 *   partition's adding/removing entries;</li>
 *   <li>cancel (a null target): back to the original replicas the same way.</li>
 * </ol>
 * Every write is fenced by the controller epoch and the znode's version; a failed one is redone at the next change.
 */
final class Reassignments {
    private static final Logger LOG = LoggerFactory.getLogger(Reassignments.class);

    private final MetaSession session;
    private final MetadataCache cache;
    private final Controller controller;
    /** Topics whose znode has a write of ours in flight. */
    private final Set<String> writing = new HashSet<>();

    Reassignments(MetaSession session, MetadataCache cache, Controller controller) {
        this.session = session;
        this.cache = cache;
        this.controller = controller;
    }

    /** Starts (target present) or cancels (empty) reassignments; per partition the outcome of writing it. */
    Future<Map<TopicPartition, ApiError>> alter(Map<TopicPartition, Optional<List<Integer>>> targets, boolean allowRfChange) {
        Map<TopicPartition, ApiError> out = new LinkedHashMap<>();
        Map<String, Map<Integer, Optional<List<Integer>>>> byTopic = new TreeMap<>();
        Set<Integer> live = cache.brokers().keySet();
        targets.forEach((tp, target) -> {
            KafkaZnodes.Assignment a = cache.topics().get(tp.topic());
            ApiError refused = check(tp, a, target, live, allowRfChange);
            if (refused != null) {
                out.put(tp, refused);
            } else {
                out.put(tp, ApiError.NONE);
                byTopic.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).put(tp.partition(), target);
            }
        });
        List<Future<?>> writes = new ArrayList<>();
        byTopic.forEach((topic, changes) -> writes.add(write(topic, a -> start(topic, a, changes)).andThen(ar -> {
            if (ar.failed() || ar.result() != Codes.OK) {
                Errors e = ar.succeeded() && ar.result() == Codes.BADVERSION ? Errors.REQUEST_TIMED_OUT : Errors.NOT_CONTROLLER;
                changes.keySet().forEach(p -> out.put(new TopicPartition(topic, p),
                        new ApiError(e, "The topic's assignment changed meanwhile or this broker is no longer the controller; retry.")));
            }
        })));
        return Future.join(writes).transform(ignored -> Future.succeededFuture(out));
    }

    private static ApiError check(TopicPartition tp, KafkaZnodes.Assignment a, Optional<List<Integer>> target, Set<Integer> live,
                                  boolean allowRfChange) {
        if (a == null || !a.replicas().containsKey(tp.partition())) {
            return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The partition does not exist.");
        }
        if (target.isEmpty()) {
            return a.reassigning(tp.partition()) ? null
                    : new ApiError(Errors.NO_REASSIGNMENT_IN_PROGRESS, "No reassignment in progress for " + tp + ".");
        }
        List<Integer> t = target.get();
        if (t.isEmpty()) {
            return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "The replica list cannot be empty.");
        }
        if (new HashSet<>(t).size() != t.size()) {
            return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "The replica list " + t + " contains duplicates.");
        }
        List<Integer> dead = t.stream().filter(b -> !live.contains(b)).toList();
        if (!dead.isEmpty()) {
            return new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "The proposed assignment contains non-live brokers " + dead + ".");
        }
        if (!allowRfChange && t.size() != a.original(tp.partition()).size()) {
            return new ApiError(Errors.INVALID_REPLICATION_FACTOR, "The replication factor is changed from "
                    + a.original(tp.partition()).size() + " to " + t.size() + ", which is not allowed.");
        }
        return null;
    }

    private static KafkaZnodes.Assignment start(String topic, KafkaZnodes.Assignment a, Map<Integer, Optional<List<Integer>>> changes) {
        Map<Integer, List<Integer>> replicas = new TreeMap<>(a.replicas());
        Map<Integer, List<Integer>> adding = new TreeMap<>(a.adding());
        Map<Integer, List<Integer>> removing = new TreeMap<>(a.removing());
        changes.forEach((p, target) -> {
            List<Integer> original = a.original(p);
            List<Integer> t = target.orElse(original);
            List<Integer> union = new ArrayList<>(t);
            original.stream().filter(b -> !t.contains(b)).forEach(union::add);
            List<Integer> add = t.stream().filter(b -> !original.contains(b)).toList();
            List<Integer> remove = original.stream().filter(b -> !t.contains(b)).toList();
            replicas.put(p, List.copyOf(union));
            putOrRemove(adding, p, add);
            putOrRemove(removing, p, remove);
            LOG.info("{}-{}: reassignment {} from {} to {} (adding {}, removing {})", topic, p,
                    target.isPresent() ? "starts" : "is cancelled, back", original, t, add, remove);
        });
        return new KafkaZnodes.Assignment(a.topicId(), replicas, adding, removing);
    }

    private static void putOrRemove(Map<Integer, List<Integer>> m, int p, List<Integer> v) {
        if (v.isEmpty()) {
            m.remove(p);
        } else {
            m.put(p, v);
        }
    }

    /** Rewrites the topic znode with {@code change} applied to what the cache holds, fenced; the result code. */
    private Future<Integer> write(String topic, java.util.function.UnaryOperator<KafkaZnodes.Assignment> change) {
        KafkaZnodes.Assignment a = cache.topics().get(topic);
        int version = cache.topicVersion(topic);
        if (a == null || version < 0 || writing.contains(topic)) {
            return Future.succeededFuture(Codes.BADVERSION);
        }
        writing.add(topic);
        return session.call(new Op.Multi(List.of(controller.fence(),
                        new Op.SetData(KafkaZnodes.topic(topic), KafkaZnodes.topic(change.apply(a)), version))))
                .map(r -> r.err() != Codes.OK || !(r.value() instanceof Result.Multi m) ? r.err()
                        : m.results().stream().mapToInt(Result::err).filter(e -> e != Codes.OK).findFirst().orElse(Codes.OK))
                .andThen(ar -> writing.remove(topic));
    }

    /** Moves every reassignment on whose target replicas have all joined the ISR. */
    void reconcile() {
        Set<Integer> live = cache.brokers().keySet();
        cache.topics().forEach((topic, a) -> {
            if (a.adding().isEmpty() && a.removing().isEmpty()) {
                return;
            }
            Map<Integer, MetadataCache.VersionedState> states = cache.states(topic);
            List<Integer> done = new ArrayList<>();
            for (int p : a.replicas().keySet()) {
                if (!a.reassigning(p)) {
                    continue;
                }
                MetadataCache.VersionedState vs = states.get(p);
                List<Integer> target = a.target(p);
                if (vs == null || !vs.state().isr().containsAll(target)) {
                    continue; // new replicas still catching up
                }
                KafkaZnodes.State s = vs.state();
                boolean leaderStays = target.contains(s.leader()) && live.contains(s.leader());
                List<Integer> isr = s.isr().stream().filter(target::contains).toList();
                if (leaderStays && isr.size() == s.isr().size()) {
                    done.add(p); // the state is final: the assignment can follow
                    continue;
                }
                int leader = leaderStays ? s.leader() : target.stream().filter(isr::contains).filter(live::contains)
                        .findFirst().orElse(-1);
                if (leader < 0) {
                    continue;
                }
                KafkaZnodes.State next = new KafkaZnodes.State(leader, leaderStays ? s.leaderEpoch() : s.leaderEpoch() + 1,
                        isr, controller.epoch());
                LOG.info("{}-{}: reassignment to {}: leader {}, ISR {}", topic, p, target, leader, isr);
                controller.writeState(topic, p, next, vs.version());
            }
            if (!done.isEmpty()) {
                write(topic, cur -> finish(topic, cur, done));
            }
        });
    }

    private static KafkaZnodes.Assignment finish(String topic, KafkaZnodes.Assignment a, List<Integer> done) {
        Map<Integer, List<Integer>> replicas = new TreeMap<>(a.replicas());
        Map<Integer, List<Integer>> adding = new TreeMap<>(a.adding());
        Map<Integer, List<Integer>> removing = new TreeMap<>(a.removing());
        for (int p : done) {
            replicas.put(p, a.target(p));
            adding.remove(p);
            removing.remove(p);
            LOG.info("{}-{}: reassignment completed, replicas {}", topic, p, a.target(p));
        }
        return new KafkaZnodes.Assignment(a.topicId(), replicas, adding, removing);
    }

    /** The reassignments in progress among {@code partitions} (null: all). */
    Map<TopicPartition, io.tributary.kafka.ClusterMetadata.Reassignment> list(java.util.Collection<TopicPartition> partitions) {
        Map<TopicPartition, io.tributary.kafka.ClusterMetadata.Reassignment> out = new LinkedHashMap<>();
        new TreeMap<>(cache.topics()).forEach((topic, a) -> a.replicas().forEach((p, r) -> {
            TopicPartition tp = new TopicPartition(topic, p);
            if (a.reassigning(p) && (partitions == null || partitions.contains(tp))) {
                out.put(tp, new io.tributary.kafka.ClusterMetadata.Reassignment(r, a.adding().getOrDefault(p, List.of()), a.removing().getOrDefault(p, List.of())));
            }
        }));
        return out;
    }
}
