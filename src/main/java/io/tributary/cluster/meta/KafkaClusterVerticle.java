package io.tributary.cluster.meta;

import io.tributary.cluster.replica.ReplicaFetcher;
import io.tributary.coord.CoordinatorVerticle;
import io.tributary.kafka.ClusterMetadata;
import io.tributary.log.LogService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * A broker's part in a Kafka cluster whose metadata lives in the coordination service (cluster mode): its
 * session ({@link MetaSession}), its registration ({@link BrokerRegistration}), its copy of the metadata
 * ({@link MetadataCache}), the controller it may become ({@link Controller}), and the local logs of the topics
 * it holds replicas of ({@link LocalReplicas}), topic changes ({@link TopicAdmin}). The Kafka front door reads it as {@link ClusterMetadata}.
 *
 * <p>Threading: one context (this verticle's); {@link #image()} from any thread, {@link #createTopic} hops here.
 */
public final class KafkaClusterVerticle extends VerticleBase implements ClusterMetadata {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterVerticle.class);

    /** What the broker needs to know of itself. */
    /**
     * @param rebalance {@code auto.leader.rebalance.enable}, {@code leader.imbalance.check.interval.seconds} (in ms) and
     *                  {@code leader.imbalance.per.broker.percentage}
     */
    public record Settings(int nodeId, String host, int port, String rack, String localClusterId, int sessionTimeoutMs,
                           boolean uncleanLeaderElection, long replicaLagTimeMaxMs, ReplicaFetcher.Settings fetch,
                           Rebalance rebalance) {
    }

    public record Rebalance(boolean enabled, long checkIntervalMs, int percentage) {
    }

    private final Settings settings;
    private final CoordinatorVerticle coordination;
    private final LogService logs;
    private final Time time;
    private final Promise<Void> ready = Promise.promise();
    private MetaSession session;
    private MetadataCache cache;
    private Controller controller;
    private BrokerRegistration registration;
    private TopicAdmin topics;
    private ReplicaManager replicas;

    public KafkaClusterVerticle(Settings settings, CoordinatorVerticle coordination, LogService logs, Time time) {
        this.settings = settings;
        this.coordination = coordination;
        this.logs = logs;
        this.time = time;
    }

    @Override
    public Future<?> start() {
        session = new MetaSession(vertx, context, coordination, settings.sessionTimeoutMs(), new MetaSession.Listener() {
            @Override
            public void sessionStarted(boolean fresh) {
                controller.sessionStarted(fresh);
                registration.register().compose(v -> cache.resync()).onComplete(ar -> {
                    if (ar.failed()) {
                        LOG.warn("broker {} could not register or read the cluster metadata: {}", settings.nodeId(),
                                ar.cause().toString());
                    } else {
                        ready.tryComplete();
                    }
                });
            }

            @Override
            public void event(int type, String path) {
                cache.event(type, path);
            }
        });
        cache = new MetadataCache(context, session);
        controller = new Controller(settings.nodeId(), session, cache, settings.uncleanLeaderElection(), time::milliseconds);
        registration = new BrokerRegistration(vertx, session,
                new Broker(settings.nodeId(), settings.host(), settings.port(), settings.rack()),
                settings.localClusterId(), time::milliseconds, cache::clusterId);
        LocalReplicas local = new LocalReplicas(settings.nodeId(), cache, logs, () -> replicas.changed(),
                topic -> replicas.deleted(topic));
        replicas = new ReplicaManager(vertx, settings.nodeId(), session, cache, logs,
                new ReplicaManager.Settings(settings.replicaLagTimeMaxMs(), settings.fetch()), time::milliseconds);
        cache.onChange(controller::changed);
        cache.onChange(local::changed);
        cache.onChange(replicas::changed);
        topics = new TopicAdmin(vertx, session, cache, logs);
        if (settings.rebalance().enabled()) {
            vertx.setPeriodic(Math.max(1000, settings.rebalance().checkIntervalMs()),
                    t -> controller.rebalance(settings.rebalance().percentage()));
        }
        session.open();
        return Future.succeededFuture();
    }

    /** Completes once this broker is registered and has read the cluster's metadata. */
    public Future<Void> ready() {
        return ready.future();
    }

    @Override
    public Future<?> stop() {
        if (replicas != null) {
            replicas.stop();
        }
        return session == null ? Future.succeededFuture() : session.close();
    }

    /**
     * Reserves a block of producer ids through Kafka's {@code /latest_producer_id_block} (its JSON: version,
     * broker, block_start, block_end), updated with its version so two brokers never get the same block.
     * Blocking: a worker only.
     */
    public long reserveProducerIds(long size) throws java.io.IOException {
        java.util.concurrent.CompletableFuture<Long> done = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(v -> ProducerIdBlocks.reserve(session, settings.nodeId(), size, 20)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        done.complete(ar.result());
                    } else {
                        done.completeExceptionally(ar.cause());
                    }
                }));
        try {
            return done.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new java.io.IOException("cannot reserve producer ids: " + e, e);
        }
    }

    @Override
    public void followerFetched(int replicaId, TopicPartition tp, long fetchOffset) {
        context.runOnContext(v -> replicas.followerFetched(replicaId, tp, fetchOffset));
    }

    @Override
    public Future<Errors> awaitReplicated(TopicPartition tp, long requiredOffset, int minIsr, long timeoutMs) {
        Promise<Errors> result = Promise.promise();
        context.runOnContext(v -> replicas.awaitReplicated(tp, requiredOffset, minIsr, timeoutMs).onComplete(result));
        return result.future();
    }

    @Override
    public Future<Map<TopicPartition, org.apache.kafka.common.requests.ApiError>> electLeaders(boolean unclean,
                                                                                             java.util.Collection<TopicPartition> partitions) {
        Promise<Map<TopicPartition, org.apache.kafka.common.requests.ApiError>> result = Promise.promise();
        context.runOnContext(v -> controller.electLeaders(unclean, partitions).onComplete(result));
        return result.future();
    }

    @Override
    public Future<Map<TopicPartition, org.apache.kafka.common.requests.ApiError>> alterReassignments(
            Map<TopicPartition, java.util.Optional<List<Integer>>> targets, boolean allowReplicationFactorChange) {
        Promise<Map<TopicPartition, org.apache.kafka.common.requests.ApiError>> result = Promise.promise();
        context.runOnContext(v -> controller.alterReassignments(targets, allowReplicationFactorChange).onComplete(result));
        return result.future();
    }

    @Override
    public Future<Map<TopicPartition, Reassignment>> listReassignments(java.util.Collection<TopicPartition> partitions) {
        Promise<Map<TopicPartition, Reassignment>> result = Promise.promise();
        context.runOnContext(v -> controller.listReassignments(partitions).onComplete(result));
        return result.future();
    }

    @Override
    public void addLeadershipListener(LeadershipListener listener) {
        context.runOnContext(v -> replicas.addListener(listener));
    }

    @Override
    public Image image() {
        return cache == null ? new Image(null, -1, Map.of(), Map.of()) : cache.image();
    }

    /** Whether this broker is the controller now (tests, logs). */
    public boolean isController() {
        return controller != null && controller.active();
    }

    @Override
    public Future<Topic> createTopic(String name, int partitions, int replicationFactor, Map<Integer, List<Integer>> assignment,
                                     Map<String, String> configs, boolean validateOnly, long timeoutMs) {
        Promise<Topic> result = Promise.promise();
        context.runOnContext(v -> topics.create(name, partitions, replicationFactor, assignment, configs, validateOnly, timeoutMs)
                .onComplete(result));
        return result.future();
    }

    @Override
    public Future<Void> createPartitions(String name, int totalCount, List<List<Integer>> assignments, boolean validateOnly,
                                         long timeoutMs) {
        Promise<Void> result = Promise.promise();
        context.runOnContext(v -> topics.createPartitions(name, totalCount, assignments, validateOnly, timeoutMs).onComplete(result));
        return result.future();
    }

    @Override
    public Future<Void> alterTopicConfig(String name, Map<String, String> overrides) {
        Promise<Void> result = Promise.promise();
        context.runOnContext(v -> topics.alterConfig(name, overrides).onComplete(result));
        return result.future();
    }

    @Override
    public Future<Void> deleteTopic(String name, long timeoutMs) {
        Promise<Void> result = Promise.promise();
        context.runOnContext(v -> topics.delete(name, timeoutMs).onComplete(result));
        return result.future();
    }
}
