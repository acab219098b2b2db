package io.tributary.cluster.meta;

import io.tributary.coord.Codes;
import io.tributary.coord.Op;
import io.tributary.coord.Result;
import io.tributary.kafka.ClusterMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Kafka's controller, elected through the ephemeral {@code /controller} znode with {@code /controller_epoch}
 * bumped in the same multi. Every broker runs one; the elected one reconciles partition states with the
 * brokers that are alive each time the metadata changes (level-triggered, so a missed event is caught at the
 * next one):
 * <ul>
 *   <li>a partition without a state gets one: leader the first live replica of its assignment, leader epoch 0,
 *   ISR the leader alone (Kafka starts with every replica, all empty; here a follower joins when the leader
 *   sees it caught up, as after any ISR shrink, so a replica that never fetched is never elected);</li>
 *   <li>a partition whose leader is not alive gets the first live ISR member in assignment order, with the
 *   leader epoch bumped; with none, {@code unclean.leader.election.enable} (the topic's, else the broker's) picks any live replica (logged as
 *   unclean: it may lose acknowledged records), else the partition has no leader (-1) and keeps its ISR, as
 *   Kafka keeps the last ISR member;</li>
 *   <li>dead brokers leave the ISR of partitions whose leader lives.</li>
 * </ul>
 * Each write is a multi of a check of {@code /controller_epoch}'s version (a deposed controller's write
 * fails) and the state's set with the version it was read at (a concurrent change fails it; the change's
 * event reconciles again).
 *
 * <p>Threading: the owner's context only.
 */
final class Controller {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    private static final List<org.apache.zookeeper.data.ACL> OPEN = KafkaZnodes.OPEN;

    private final int self;
    private final MetaSession session;
    private final MetadataCache cache;
    private final boolean unclean;
    private final LongSupplier clock;
    private boolean active;
    private boolean electing;
    private int epoch;
    private int epochVersion;
    /** Partitions ("topic/p") with a write in flight. */
    private final Set<String> writing = new HashSet<>();
    private final Reassignments reassignments;

    Controller(int self, MetaSession session, MetadataCache cache, boolean unclean, LongSupplier clock) {
        this.self = self;
        this.session = session;
        this.cache = cache;
        this.unclean = unclean;
        this.clock = clock;
        this.reassignments = new Reassignments(session, cache, this);
    }

    boolean active() {
        return active;
    }

    int epoch() {
        return epoch;
    }

    /** A new session: any /controller of ours went with the old one. */
    void sessionStarted(boolean fresh) {
        if (fresh && active) {
            LOG.info("broker {} is no longer the controller (its session ended)", self);
            active = false;
        }
    }

    /** The metadata changed (or was loaded). */
    void changed() {
        if (!cache.loaded()) {
            return;
        }
        int current = cache.controllerId();
        if (active && current != self && current != -1) {
            LOG.info("broker {} resigns as controller: /controller names {}", self, current);
            active = false;
        }
        if (active && current == -1) {
            // Our claim's event may not have reached the cache yet, or /controller was deleted (an operator's
            // way to force an election): ask the znode itself.
            session.call(new Op.Exists(KafkaZnodes.CONTROLLER, false)).onSuccess(r -> {
                if (r.err() == Codes.NONODE && active) {
                    LOG.info("broker {} resigns as controller: /controller is gone", self);
                    active = false;
                    changed();
                }
            });
            reconcile();
        } else if (current == -1 && !electing) {
            elect();
        } else if (active) {
            reconcile();
        }
    }

    private void elect() {
        electing = true;
        session.call(new Op.GetData(KafkaZnodes.CONTROLLER_EPOCH, false)).compose(r -> {
            Op bump;
            int next;
            if (r.err() == Codes.NONODE) {
                next = 1;
                bump = new Op.Create(KafkaZnodes.CONTROLLER_EPOCH, "1".getBytes(StandardCharsets.UTF_8), OPEN, Op.PERSISTENT, 0);
            } else if (r.err() == Codes.OK) {
                Result.Data d = (Result.Data) r.value();
                next = Integer.parseInt(new String(d.data(), StandardCharsets.UTF_8).trim()) + 1;
                bump = new Op.SetData(KafkaZnodes.CONTROLLER_EPOCH, Integer.toString(next).getBytes(StandardCharsets.UTF_8),
                        d.stat().getVersion());
            } else {
                return io.vertx.core.Future.succeededFuture(false);
            }
            Op claim = new Op.Create(KafkaZnodes.CONTROLLER, KafkaZnodes.controller(self, clock.getAsLong()), OPEN, Op.EPHEMERAL, 0);
            return session.call(new Op.Multi(List.of(claim, bump))).map(m -> {
                if (m.err() != Codes.OK || !(m.value() instanceof Result.Multi mr) || mr.results().get(0).err() != Codes.OK) {
                    return false;
                }
                epoch = next;
                Result bumped = mr.results().get(1);
                epochVersion = bumped.value() instanceof org.apache.zookeeper.data.Stat st ? st.getVersion() : 0;
                return true;
            });
        }).onComplete(ar -> {
            electing = false;
            if (ar.succeeded() && ar.result()) {
                active = true;
                LOG.info("broker {} is the controller (controller epoch {})", self, epoch);
                reconcile();
            }
        });
    }

    /** The check that fences this controller's writes (a deposed one's fail). */
    Op fence() {
        return new Op.Check(KafkaZnodes.CONTROLLER_EPOCH, epochVersion);
    }

    /** Writes a partition's state unless a write of it is in flight (the next change retries). */
    void writeState(String topic, int p, KafkaZnodes.State s, int version) {
        String key = topic + "/" + p;
        if (!writing.contains(key)) {
            update(key, topic, p, s, version);
        }
    }

    /** AlterPartitionReassignments, on the controller (see {@link Reassignments}). */
    Future<Map<TopicPartition, ApiError>> alterReassignments(Map<TopicPartition, java.util.Optional<List<Integer>>> targets,
                                                             boolean allowRfChange) {
        if (!active) {
            return Future.failedFuture(new NotControllerException("This broker is not the controller."));
        }
        return reassignments.alter(targets, allowRfChange);
    }

    /** ListPartitionReassignments, on the controller. */
    Future<Map<TopicPartition, ClusterMetadata.Reassignment>> listReassignments(Collection<TopicPartition> partitions) {
        if (!active) {
            return Future.failedFuture(new NotControllerException("This broker is not the controller."));
        }
        return Future.succeededFuture(reassignments.list(partitions));
    }

    private void reconcile() {
        reconcileStates();
        reassignments.reconcile();
    }

    private void reconcileStates() {
        Map<Integer, ClusterMetadata.Broker> live = cache.brokers();
        cache.topics().forEach((topic, assignment) -> {
            Map<Integer, MetadataCache.VersionedState> states = cache.states(topic);
            assignment.replicas().forEach((p, replicas) -> {
                String key = topic + "/" + p;
                if (writing.contains(key)) {
                    return;
                }
                List<Integer> liveReplicas = replicas.stream().filter(live::containsKey).toList();
                MetadataCache.VersionedState vs = states.get(p);
                if (vs == null) {
                    if (!liveReplicas.isEmpty()) {
                        int leader = liveReplicas.get(0);
                        create(key, topic, p, new KafkaZnodes.State(leader, 0, List.of(leader), epoch));
                    }
                    return;
                }
                KafkaZnodes.State s = vs.state();
                KafkaZnodes.State next = decide(topic, p, replicas, liveReplicas, s);
                if (next != null) {
                    update(key, topic, p, next, vs.version());
                }
            });
        });
    }

    /** The partition's next state given who lives, or null when it stays. */
    private KafkaZnodes.State decide(String topic, int p, List<Integer> replicas, List<Integer> liveReplicas,
                                     KafkaZnodes.State s) {
        List<Integer> liveIsr = s.isr().stream().filter(liveReplicas::contains).toList();
        if (liveReplicas.contains(s.leader())) {
            return liveIsr.size() == s.isr().size() ? null
                    : new KafkaZnodes.State(s.leader(), s.leaderEpoch(), liveIsr, epoch);
        }
        for (int r : replicas) {
            if (liveIsr.contains(r)) {
                LOG.info("{}-{}: leader {} is gone; new leader {} (leader epoch {}), ISR {}", topic, p, s.leader(), r,
                        s.leaderEpoch() + 1, liveIsr);
                return new KafkaZnodes.State(r, s.leaderEpoch() + 1, liveIsr, epoch);
            }
        }
        String topicUnclean = cache.configs(topic).get("unclean.leader.election.enable");
        boolean allowUnclean = topicUnclean == null ? unclean : Boolean.parseBoolean(topicUnclean.trim());
        if (allowUnclean && !liveReplicas.isEmpty()) {
            int r = liveReplicas.get(0);
            LOG.warn("{}-{}: UNCLEAN leader election (unclean.leader.election.enable=true): no ISR member of {} is alive; "
                    + "broker {} leads and records acknowledged by the old ISR may be lost", topic, p, s.isr(), r);
            return new KafkaZnodes.State(r, s.leaderEpoch() + 1, List.of(r), epoch);
        }
        if (s.leader() != -1) {
            LOG.warn("{}-{}: leader {} is gone and no ISR member of {} is alive: the partition is offline", topic, p,
                    s.leader(), s.isr());
            return new KafkaZnodes.State(-1, s.leaderEpoch() + 1, s.isr(), epoch);
        }
        return null;
    }

    private void create(String key, String topic, int p, KafkaZnodes.State s) {
        writing.add(key);
        session.call(new Op.Create(KafkaZnodes.partitions(topic), new byte[0], OPEN, Op.PERSISTENT, 0))
                .compose(r -> session.call(new Op.Create(KafkaZnodes.partition(topic, p), new byte[0], OPEN, Op.PERSISTENT, 0)))
                .compose(r -> session.call(new Op.Multi(List.of(new Op.Check(KafkaZnodes.CONTROLLER_EPOCH, epochVersion),
                        new Op.Create(KafkaZnodes.state(topic, p), KafkaZnodes.state(s), OPEN, Op.PERSISTENT, 0)))))
                .onComplete(ar -> done(key, ar.succeeded() ? ar.result() : null));
    }

    private Future<Result> update(String key, String topic, int p, KafkaZnodes.State s, int version) {
        writing.add(key);
        return session.call(new Op.Multi(List.of(new Op.Check(KafkaZnodes.CONTROLLER_EPOCH, epochVersion),
                        new Op.SetData(KafkaZnodes.state(topic, p), KafkaZnodes.state(s), version))))
                .andThen(ar -> done(key, ar.succeeded() ? ar.result() : null));
    }

    /**
     * ElectLeaders, on the controller: PREFERRED or (with {@code unclean}) UNCLEAN elections for {@code partitions}
     * (null: every partition; then, as Kafka answers, only those an election was needed for). Per partition NONE once
     * its new state is written, or the reason it was not (see {@link Elections}). Fails with NotControllerException
     * on any other broker.
     */
    Future<Map<TopicPartition, ApiError>> electLeaders(boolean unclean, Collection<TopicPartition> partitions) {
        if (!active) {
            return Future.failedFuture(new NotControllerException("This broker is not the controller."));
        }
        boolean all = partitions == null;
        List<TopicPartition> targets = new ArrayList<>();
        if (all) {
            cache.topics().forEach((t, a) -> a.replicas().keySet().forEach(p -> targets.add(new TopicPartition(t, p))));
        } else {
            targets.addAll(partitions);
        }
        Map<TopicPartition, ApiError> out = new LinkedHashMap<>();
        List<Future<?>> writes = new ArrayList<>();
        Set<Integer> live = cache.brokers().keySet();
        for (TopicPartition tp : targets) {
            KafkaZnodes.Assignment a = cache.topics().get(tp.topic());
            List<Integer> replicas = a == null ? null : a.replicas().get(tp.partition());
            MetadataCache.VersionedState vs = a == null ? null : cache.states(tp.topic()).get(tp.partition());
            String key = tp.topic() + "/" + tp.partition();
            if (replicas == null) {
                out.put(tp, new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The partition does not exist."));
                continue;
            } else if (vs == null || writing.contains(key)) {
                out.put(tp, new ApiError(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, "The partition's state is being written; retry."));
                continue;
            }
            Elections.Choice c = unclean ? Elections.unclean(tp, replicas, vs.state(), live, epoch)
                    : Elections.preferred(tp, replicas, vs.state(), live, epoch);
            if (c.next() == null) {
                if (!(all && c.error() == Errors.ELECTION_NOT_NEEDED)) {
                    out.put(tp, new ApiError(c.error(), c.message()));
                }
                continue;
            }
            if (c.unclean()) {
                LOG.warn("{}: UNCLEAN leader election (ElectLeaders): no ISR member of {} is alive; broker {} leads and "
                        + "records acknowledged by the old ISR may be lost", tp, vs.state().isr(), c.next().leader());
            } else {
                LOG.info("{}: {} election: leader {} -> {} (leader epoch {})", tp, unclean ? "unclean" : "preferred",
                        vs.state().leader(), c.next().leader(), c.next().leaderEpoch());
            }
            out.put(tp, ApiError.NONE);
            writes.add(update(key, tp.topic(), tp.partition(), c.next(), vs.version()).andThen(ar -> {
                if (ar.failed() || ar.result().err() != Codes.OK) {
                    out.put(tp, new ApiError(active ? Errors.REQUEST_TIMED_OUT : Errors.NOT_CONTROLLER,
                            "The partition's state changed meanwhile; retry."));
                }
            }));
        }
        return Future.join(writes).transform(ignored -> Future.succeededFuture(out));
    }

    /** {@code auto.leader.rebalance.enable}: preferred elections where a broker's leader imbalance is above {@code percentage}. */
    void rebalance(int percentage) {
        if (!active || !cache.loaded()) {
            return;
        }
        Map<TopicPartition, List<Integer>> assignments = new java.util.HashMap<>();
        Map<TopicPartition, KafkaZnodes.State> states = new java.util.HashMap<>();
        cache.topics().forEach((t, a) -> a.replicas().forEach((p, r) -> {
            TopicPartition tp = new TopicPartition(t, p);
            assignments.put(tp, r);
            MetadataCache.VersionedState vs = cache.states(t).get(p);
            if (vs != null) {
                states.put(tp, vs.state());
            }
        }));
        List<TopicPartition> moving = Elections.imbalanced(assignments, states, cache.brokers().keySet(), percentage);
        if (!moving.isEmpty()) {
            LOG.info("leader imbalance above {}%: preferred replica election for {}", percentage, moving);
            electLeaders(false, moving);
        }
    }

    private void done(String key, Result r) {
        writing.remove(key);
        if (r != null && r.value() instanceof Result.Multi m && !m.results().isEmpty()
                && m.results().get(0).err() == Codes.BADVERSION) {
            LOG.info("broker {} is no longer the controller: /controller_epoch moved on", self);
            active = false;
        }
    }

    /** The topics a deposed controller still wanted to write (for tests and logs). */
    List<String> inFlight() {
        return new ArrayList<>(writing);
    }
}
