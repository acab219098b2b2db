package io.tributary.cluster.meta;

import io.tributary.cluster.replica.LeaderState;
import io.tributary.cluster.replica.ReplicaFetcher;
import io.tributary.coord.Codes;
import io.tributary.coord.Op;
import io.tributary.kafka.ClusterMetadata;
import io.tributary.log.LogService;
import io.tributary.log.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * This broker's replicas (Kafka's {@code ReplicaManager}): from each new metadata image it learns, per partition
 * it holds a replica of, whether it leads (a {@link LeaderState}: followers' progress, high watermark, ISR
 * changes written to the partition state znode with its version) or follows (the partition handed to the
 * {@link ReplicaFetcher} verticle of its leader broker). Produce with acks=all waits here until the high
 * watermark passes its records.
 *
 * <p>Threading: the cluster verticle's context; the front door's calls hop here.
 */
final class ReplicaManager {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    /** Kafka's replica.* settings. */
    record Settings(long lagTimeMaxMs, ReplicaFetcher.Settings fetch) {
    }

    private record Waiter(long requiredOffset, int minIsr, Promise<Errors> promise, long timer) {
    }

    private final Vertx vertx;
    private final int self;
    private final MetaSession session;
    private final MetadataCache cache;
    private final LogService logs;
    private final Settings settings;
    private final LongSupplier clock;
    private final Map<TopicPartition, LeaderState> leading = new HashMap<>();
    private final Map<TopicPartition, Integer> following = new HashMap<>();
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
    private final Map<Integer, Future<String>> deploying = new HashMap<>();
    private final Map<TopicPartition, List<Waiter>> waiters = new HashMap<>();
    private final Set<TopicPartition> hwManaged = new HashSet<>();
    private final Set<TopicPartition> isrWriting = new HashSet<>();
    private final List<ClusterMetadata.LeadershipListener> listeners = new ArrayList<>();
    private final long timer;

    ReplicaManager(Vertx vertx, int self, MetaSession session, MetadataCache cache, LogService logs, Settings settings,
                   LongSupplier clock) {
        this.vertx = vertx;
        this.self = self;
        this.session = session;
        this.cache = cache;
        this.logs = logs;
        this.settings = settings;
        this.clock = clock;
        this.timer = vertx.setPeriodic(Math.max(100, settings.lagTimeMaxMs() / 2), t -> checkAll());
    }

    void addListener(ClusterMetadata.LeadershipListener listener) {
        listeners.add(listener);
        leading.forEach((tp, ls) -> listener.elected(tp, ls.leaderEpoch()));
    }

    private void elected(TopicPartition tp, int epoch) {
        for (ClusterMetadata.LeadershipListener l : listeners) {
            try {
                l.elected(tp, epoch);
            } catch (RuntimeException e) {
                LOG.error("{}: a leadership listener failed", tp, e);
            }
        }
    }

    private void resigned(TopicPartition tp) {
        for (ClusterMetadata.LeadershipListener l : listeners) {
            try {
                l.resigned(tp);
            } catch (RuntimeException e) {
                LOG.error("{}: a leadership listener failed", tp, e);
            }
        }
    }

    void deleted(String topic) {
        for (ClusterMetadata.LeadershipListener l : listeners) {
            try {
                l.deleted(topic);
            } catch (RuntimeException e) {
                LOG.error("topic {}: a listener failed", topic, e);
            }
        }
    }

    void stop() {
        vertx.cancelTimer(timer);
        fetchers.values().forEach(f -> vertx.undeploy(f.deploymentID()));
    }

    /** A new image: become leader or follower of each partition as its state says. */
    void changed() {
        ClusterMetadata.Image image = cache.image();
        Set<TopicPartition> mine = new HashSet<>();
        for (ClusterMetadata.Topic t : image.topics().values()) {
            for (int p = 0; p < t.partitions().size(); p++) {
                ClusterMetadata.Partition s = t.partitions().get(p);
                TopicPartition tp = new TopicPartition(t.name(), p);
                if (!s.hasReplica(self) || logs.partition(tp) == null) {
                    continue;
                }
                mine.add(tp);
                if (hwManaged.add(tp)) {
                    logs.setHighWatermarkFollowsLogEnd(tp, false);
                }
                if (s.leader() == self) {
                    becomeLeader(tp, s);
                } else if (s.leader() >= 0) {
                    becomeFollower(tp, t, s, image);
                } else {
                    stopServing(tp, "no leader");
                }
            }
        }
        for (TopicPartition tp : new ArrayList<>(leading.keySet())) {
            if (!mine.contains(tp)) {
                stopServing(tp, "no longer a replica");
            }
        }
        for (TopicPartition tp : new ArrayList<>(following.keySet())) {
            if (!mine.contains(tp)) {
                stopServing(tp, "no longer a replica");
            }
        }
        hwManaged.retainAll(mine);
    }

    private void becomeLeader(TopicPartition tp, ClusterMetadata.Partition s) {
        unfollow(tp);
        LeaderState ls = leading.get(tp);
        if (ls != null && ls.leaderEpoch() == s.leaderEpoch()) {
            if (!ls.replicas().equals(s.replicas())) {
                ls.replicas(s.replicas());
            }
            ls.isr(s.isr());
            advance(tp);
            return;
        }
        PartitionLog log = logs.partition(tp);
        long start = log.logEndOffset();
        leading.put(tp, new LeaderState(self, s.leaderEpoch(), start, s.replicas(), s.isr(), clock.getAsLong()));
        LOG.info("{}: leader at epoch {} from offset {}, ISR {}", tp, s.leaderEpoch(), start, s.isr());
        advance(tp);
        elected(tp, s.leaderEpoch());
    }

    private void becomeFollower(TopicPartition tp, ClusterMetadata.Topic t, ClusterMetadata.Partition s,
                                ClusterMetadata.Image image) {
        if (leading.remove(tp) != null) {
            failWaiters(tp, Errors.NOT_LEADER_OR_FOLLOWER);
            resigned(tp);
        }
        Integer current = following.get(tp);
        if (current != null && current != s.leader()) {
            unfollow(tp);
        }
        ClusterMetadata.Broker leader = image.brokers().get(s.leader());
        if (leader == null) {
            return;
        }
        following.put(tp, s.leader());
        fetcher(leader).onSuccess(f -> f.follow(new ReplicaFetcher.Follow(tp, t.id(), s.leaderEpoch())));
    }

    private void stopServing(TopicPartition tp, String why) {
        if (leading.remove(tp) != null) {
            LOG.info("{}: no longer the leader ({})", tp, why);
            failWaiters(tp, Errors.NOT_LEADER_OR_FOLLOWER);
            resigned(tp);
        }
        unfollow(tp);
    }

    private void unfollow(TopicPartition tp) {
        Integer leader = following.remove(tp);
        if (leader != null) {
            ReplicaFetcher f = fetchers.get(leader);
            if (f != null) {
                f.unfollow(tp);
            }
        }
    }

    private Future<ReplicaFetcher> fetcher(ClusterMetadata.Broker leader) {
        ReplicaFetcher f = fetchers.get(leader.id());
        if (f != null) {
            return deploying.get(leader.id()).map(id -> f);
        }
        ReplicaFetcher created = new ReplicaFetcher(self, leader.id(), leader.host(), leader.port(), logs, settings.fetch());
        fetchers.put(leader.id(), created);
        Future<String> deployed = vertx.deployVerticle(created);
        deploying.put(leader.id(), deployed);
        return deployed.map(id -> created);
    }

    // ---- leader side ----

    /** A follower fetched {@code tp} at {@code fetchOffset}. */
    void followerFetched(int replica, TopicPartition tp, long fetchOffset) {
        LeaderState ls = leading.get(tp);
        PartitionLog log = logs.partition(tp);
        if (ls == null || log == null) {
            return;
        }
        if (ls.fetched(replica, fetchOffset, log.logEndOffset(), clock.getAsLong())) {
            advance(tp);
        }
    }

    /** Recomputes the high watermark, pushes it to the log, completes waiters, proposes ISR changes. */
    private void advance(TopicPartition tp) {
        LeaderState ls = leading.get(tp);
        PartitionLog log = logs.partition(tp);
        if (ls == null || log == null) {
            return;
        }
        long hw = ls.highWatermark(log.logEndOffset());
        if (hw > log.highWatermark()) {
            logs.updateHighWatermark(tp, hw).onSuccess(now -> completeWaiters(tp, now));
        } else {
            completeWaiters(tp, log.highWatermark());
        }
        maybeChangeIsr(tp, ls, Math.max(hw, log.highWatermark()));
    }

    private void checkAll() {
        for (TopicPartition tp : new ArrayList<>(leading.keySet())) {
            advance(tp);
        }
    }

    private void maybeChangeIsr(TopicPartition tp, LeaderState ls, long hw) {
        List<Integer> next = ls.proposedIsr(hw, settings.lagTimeMaxMs(), clock.getAsLong(), cache.brokers().keySet());
        if (new HashSet<>(next).equals(new HashSet<>(ls.isr())) || isrWriting.contains(tp)) {
            return;
        }
        MetadataCache.VersionedState vs = cache.states(tp.topic()).get(tp.partition());
        if (vs == null || vs.state().leader() != self || vs.state().leaderEpoch() != ls.leaderEpoch()) {
            return;
        }
        KafkaZnodes.State state = new KafkaZnodes.State(self, ls.leaderEpoch(), next, vs.state().controllerEpoch());
        isrWriting.add(tp);
        List<Integer> before = ls.isr();
        session.call(new Op.SetData(KafkaZnodes.state(tp.topic(), tp.partition()), KafkaZnodes.state(state), vs.version()))
                .onComplete(ar -> {
                    isrWriting.remove(tp);
                    if (ar.succeeded() && ar.result().err() == Codes.OK) {
                        LOG.info("{}: ISR {} from {} to {}", tp, next.size() > before.size() ? "expands" : "shrinks",
                                before, next);
                        LeaderState still = leading.get(tp);
                        if (still == ls) {
                            ls.isr(next);
                            advance(tp);
                        }
                    } else {
                        LOG.debug("{}: ISR change to {} not written: {}", tp, next,
                                ar.succeeded() ? "error " + ar.result().err() : ar.cause().toString());
                    }
                });
    }

    /**
     * acks=all: completes with NONE once the high watermark reaches {@code requiredOffset} and the ISR still
     * has {@code minIsr} members, NOT_ENOUGH_REPLICAS_AFTER_APPEND if it has fewer then, REQUEST_TIMED_OUT after
     * {@code timeoutMs}, NOT_LEADER_OR_FOLLOWER if this broker stops leading meanwhile.
     */
    Future<Errors> awaitReplicated(TopicPartition tp, long requiredOffset, int minIsr, long timeoutMs) {
        if (!leading.containsKey(tp)) {
            return Future.succeededFuture(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        Promise<Errors> p = Promise.promise();
        long t = vertx.setTimer(Math.max(1, timeoutMs), id -> {
            List<Waiter> ws = waiters.get(tp);
            if (ws != null) {
                ws.removeIf(w -> w.promise() == p);
            }
            p.tryComplete(Errors.REQUEST_TIMED_OUT);
        });
        waiters.computeIfAbsent(tp, k -> new ArrayList<>()).add(new Waiter(requiredOffset, minIsr, p, t));
        advance(tp);
        return p.future();
    }

    private void completeWaiters(TopicPartition tp, long hw) {
        List<Waiter> ws = waiters.get(tp);
        LeaderState ls = leading.get(tp);
        if (ws == null || ls == null) {
            return;
        }
        for (Iterator<Waiter> it = ws.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (hw >= w.requiredOffset()) {
                it.remove();
                vertx.cancelTimer(w.timer());
                w.promise().tryComplete(ls.isr().size() >= w.minIsr() ? Errors.NONE : Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
            }
        }
    }

    private void failWaiters(TopicPartition tp, Errors error) {
        List<Waiter> ws = waiters.remove(tp);
        if (ws != null) {
            for (Waiter w : ws) {
                vertx.cancelTimer(w.timer());
                w.promise().tryComplete(error);
            }
        }
    }
}
