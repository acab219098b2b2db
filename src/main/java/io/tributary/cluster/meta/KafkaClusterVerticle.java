package io.tributary.cluster.meta;

import io.tributary.coord.Codes;
import io.tributary.coord.CoordinatorVerticle;
import io.tributary.coord.Op;
import io.tributary.coord.Result;
import io.tributary.kafka.ClusterMetadata;
import io.tributary.log.LogService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A broker's part in a Kafka cluster whose metadata lives in the coordination service (cluster mode): its
 * session ({@link MetaSession}), its registration ({@link BrokerRegistration}), its copy of the metadata
 * ({@link MetadataCache}), the controller it may become ({@link Controller}), and the local logs of the topics
 * it holds replicas of ({@link LocalReplicas}). The Kafka front door reads it as {@link ClusterMetadata}.
 *
 * <p>Threading: one context (this verticle's); {@link #image()} from any thread, {@link #createTopic} hops here.
 */
public final class KafkaClusterVerticle extends VerticleBase implements ClusterMetadata {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterVerticle.class);

    /** What the broker needs to know of itself. */
    public record Settings(int nodeId, String host, int port, String rack, String localClusterId, int sessionTimeoutMs,
                           boolean uncleanLeaderElection) {
    }

    private final Settings settings;
    private final CoordinatorVerticle coordination;
    private final LogService logs;
    private final Time time;
    private final SecureRandom random = new SecureRandom();
    private final Promise<Void> ready = Promise.promise();
    private MetaSession session;
    private MetadataCache cache;
    private Controller controller;
    private BrokerRegistration registration;
    private final List<Runnable> waiters = new ArrayList<>();

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
        LocalReplicas replicas = new LocalReplicas(settings.nodeId(), cache, logs);
        cache.onChange(controller::changed);
        cache.onChange(replicas::changed);
        cache.onChange(() -> new ArrayList<>(waiters).forEach(Runnable::run));
        session.open();
        return Future.succeededFuture();
    }

    /** Completes once this broker is registered and has read the cluster's metadata. */
    public Future<Void> ready() {
        return ready.future();
    }

    @Override
    public Future<?> stop() {
        return session == null ? Future.succeededFuture() : session.close();
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
        context.runOnContext(v -> create(name, partitions, replicationFactor, assignment, configs, validateOnly, timeoutMs)
                .onComplete(result));
        return result.future();
    }

    private Future<Topic> create(String name, int partitions, int rf, Map<Integer, List<Integer>> manual,
                                 Map<String, String> configs, boolean validateOnly, long timeoutMs) {
        Image now = cache.image();
        if (now.topic(name) != null) {
            return Future.failedFuture(new TopicExistsException("Topic '" + name + "' already exists."));
        }
        List<Integer> brokers = new ArrayList<>(now.brokers().keySet());
        if (manual == null && rf > brokers.size()) {
            return Future.failedFuture(new InvalidReplicationFactorException("Unable to replicate the partition " + rf
                    + " time(s): The target replication factor of " + rf + " cannot be reached because only "
                    + brokers.size() + " broker(s) are registered."));
        }
        Map<Integer, List<Integer>> assignment = manual != null ? manual
                : TopicAssignments.rackUnaware(partitions, rf, brokers, random);
        // Name, collisions and config values, checked by the log engine as on a single node.
        return logs.createTopic(name, assignment.size(), configs, true).compose(checked -> {
            Uuid id = Uuid.randomUuid();
            List<Partition> planned = assignment.values().stream().map(r -> new Partition(-1, -1, r, List.of())).toList();
            Topic topic = new Topic(name, id, planned, Map.copyOf(configs));
            if (validateOnly) {
                return Future.succeededFuture(topic);
            }
            var open = KafkaZnodes.OPEN;
            return session.call(new Op.Multi(List.of(
                    new Op.Create(KafkaZnodes.topicConfig(name), KafkaZnodes.topicConfig(configs), open, Op.PERSISTENT, 0),
                    new Op.Create(KafkaZnodes.topic(name), KafkaZnodes.topic(new KafkaZnodes.Assignment(id, assignment)),
                            open, Op.PERSISTENT, 0)))).compose(r -> {
                int err = multiError(r);
                if (err == Codes.NODEEXISTS) {
                    return Future.failedFuture(new TopicExistsException("Topic '" + name + "' already exists."));
                } else if (err != Codes.OK) {
                    return Future.failedFuture(new org.apache.kafka.common.errors.UnknownServerException(
                            "writing topic " + name + " to the cluster metadata failed with error " + err));
                }
                LOG.info("topic {} ({}) created with assignment {}", name, id, assignment);
                return awaitLeaders(name, timeoutMs);
            });
        });
    }

    private static int multiError(Result r) {
        if (r.err() != Codes.OK) {
            return r.err();
        }
        for (Result each : ((Result.Multi) r.value()).results()) {
            if (each.err() != Codes.OK && each.err() != Codes.RUNTIMEINCONSISTENCY) {
                return each.err();
            }
        }
        return Codes.OK;
    }

    /** Waits until this broker's image shows a leader for every partition of the topic (Kafka's DelayedCreatePartitions). */
    private Future<Topic> awaitLeaders(String name, long timeoutMs) {
        Promise<Topic> p = Promise.promise();
        Runnable[] check = new Runnable[1];
        long timer = vertx.setTimer(Math.max(1, timeoutMs), t -> {
            waiters.remove(check[0]);
            p.tryFail(new TimeoutException("Timed out waiting for the leaders of topic " + name));
        });
        check[0] = () -> {
            Topic t = cache.image().topic(name);
            if (t != null && t.partitions().stream().allMatch(x -> x.leader() >= 0)) {
                waiters.remove(check[0]);
                vertx.cancelTimer(timer);
                p.tryComplete(t);
            }
        };
        waiters.add(check[0]);
        check[0].run();
        return p.future();
    }
}
