package io.tributary.server;

import io.tributary.cluster.meta.KafkaClusterVerticle;
import io.tributary.cluster.replica.ReplicaFetcher;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.KafkaServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.common.utils.Time;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The Kafka front door: {@code num.network.threads} listener verticles sharing the Kafka port. In cluster mode
 * the broker first registers in the cluster's metadata and reads it ({@link KafkaClusterVerticle}), so its first
 * Metadata answer already names every broker.
 */
final class KafkaPart implements Part {
    static final String SESSION_TIMEOUT = "broker.session.timeout.ms";
    static final String UNCLEAN = "unclean.leader.election.enable";

    private final Vertx vertx;
    private final NodeConfig config;
    private final Time time;
    private final LogPart log;
    private final GroupsPart groups;
    private final CoordinationPart coordination;
    private final io.tributary.metrics.NodeMetrics metrics;
    private KafkaBroker broker;
    private KafkaClusterVerticle cluster;
    private String clusterDeployment;
    private String deployment;

    KafkaPart(Vertx vertx, NodeConfig config, Time time, LogPart log, GroupsPart groups, CoordinationPart coordination,
              io.tributary.metrics.NodeMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.time = time;
        this.log = log;
        this.groups = groups;
        this.coordination = coordination;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Future<Void> start() {
        Future<Void> joined = Future.succeededFuture();
        if (coordination.clustered()) {
            cluster = new KafkaClusterVerticle(new KafkaClusterVerticle.Settings(config.nodeId(), advertisedHost(),
                    config.kafkaPort(), config.all().get("broker.rack"), log.clusterId(),
                    Integer.parseInt(config.all().getOrDefault(SESSION_TIMEOUT, "9000").trim()),
                    Boolean.parseBoolean(config.all().getOrDefault(UNCLEAN, "false").trim()),
                    longOf("replica.lag.time.max.ms", 30_000),
                    new ReplicaFetcher.Settings((int) longOf("replica.fetch.wait.max.ms", 500),
                            (int) longOf("replica.fetch.min.bytes", 1), (int) longOf("replica.fetch.response.max.bytes", 10 << 20),
                            (int) longOf("replica.fetch.max.bytes", 1 << 20),
                            config.getInt(NodeConfig.SOCKET_REQUEST_MAX_BYTES)),
                    new KafkaClusterVerticle.Rebalance(Boolean.parseBoolean(config.all().getOrDefault(
                            "auto.leader.rebalance.enable", "true").trim()),
                            longOf("leader.imbalance.check.interval.seconds", 300) * 1000,
                            (int) longOf("leader.imbalance.per.broker.percentage", 10))),
                    coordination.coordinator(), log.service(), time);
            joined = vertx.deployVerticle(cluster).compose(id -> {
                clusterDeployment = id;
                return cluster.ready();
            });
        }
        return joined.compose(v -> {
            broker = new KafkaBroker(vertx, config.nodeId(), log.clusterId(),
                    config.get(NodeConfig.HOST), config.kafkaPort(), config.get(NodeConfig.ADVERTISED_HOST),
                    config.getInt(NodeConfig.SOCKET_REQUEST_MAX_BYTES), config.getInt(NodeConfig.QUEUED_MAX_REQUESTS),
                    config.getBoolean(NodeConfig.AUTO_CREATE_TOPICS), config.getInt(NodeConfig.NUM_PARTITIONS),
                    config.getBoolean(NodeConfig.DELETE_TOPIC_ENABLE), log.service(),
                    cluster == null ? log.producerIds() : new io.tributary.txn.ProducerIdManager(cluster::reserveProducerIds),
                    groups.service(), config.all(), metrics == null ? null : metrics.kafka(), cluster);
            if (cluster != null) {
                io.tributary.kafka.ReplicatedOffsetsLog offsets = new io.tributary.kafka.ReplicatedOffsetsLog(config.nodeId(),
                        cluster, log.service(), groups.service(), longOf("offsets.commit.timeout.ms", 5000));
                groups.service().replicateThrough(offsets);
                cluster.addLeadershipListener(offsets);
            }
            if (metrics != null) {
                metrics.bindKafka(log.service(), groups.service(), time, config.nodeId(), advertisedHost() + ":" + config.kafkaPort(),
                        cluster);
            }
            return vertx.deployVerticle(() -> new KafkaServerVerticle(broker),
                    new DeploymentOptions().setInstances(config.getInt(NodeConfig.NUM_NETWORK_THREADS)));
        }).map(id -> {
            deployment = id;
            return null;
        });
    }

    private long longOf(String key, long dflt) {
        String v = config.all().get(key);
        return v == null || v.isBlank() ? dflt : Long.parseLong(v.trim());
    }

    /** The host other brokers and clients reach this one at: advertised.host, else the bind host, else this machine's name. */
    private String advertisedHost() {
        String advertised = config.get(NodeConfig.ADVERTISED_HOST);
        if (advertised != null && !advertised.isBlank()) {
            return advertised;
        }
        String bind = config.get(NodeConfig.HOST);
        if (bind != null && !bind.isBlank() && !bind.equals("0.0.0.0") && !bind.equals("::")) {
            return bind;
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public Future<Void> stop() {
        Future<Void> listeners = deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
        return listeners.transform(ar -> clusterDeployment == null ? Future.succeededFuture() : vertx.undeploy(clusterDeployment));
    }

    KafkaBroker broker() {
        return broker;
    }
}
