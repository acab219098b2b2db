package io.tributary.server;

import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.KafkaServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The Kafka front door: {@code num.network.threads} listener verticles sharing the Kafka port. */
final class KafkaPart implements Part {
    private final Vertx vertx;
    private final NodeConfig config;
    private final LogPart log;
    private final GroupsPart groups;
    private KafkaBroker broker;
    private String deployment;

    KafkaPart(Vertx vertx, NodeConfig config, LogPart log, GroupsPart groups) {
        this.vertx = vertx;
        this.config = config;
        this.log = log;
        this.groups = groups;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Future<Void> start() {
        broker = new KafkaBroker(vertx, config.nodeId(), log.clusterId(),
                config.get(NodeConfig.HOST), config.kafkaPort(), config.get(NodeConfig.ADVERTISED_HOST),
                config.getInt(NodeConfig.SOCKET_REQUEST_MAX_BYTES), config.getInt(NodeConfig.QUEUED_MAX_REQUESTS),
                config.getBoolean(NodeConfig.AUTO_CREATE_TOPICS), config.getInt(NodeConfig.NUM_PARTITIONS),
                config.getBoolean(NodeConfig.DELETE_TOPIC_ENABLE), log.service(), log.producerIds(),
                groups.service(), config.all());
        return vertx.deployVerticle(() -> new KafkaServerVerticle(broker),
                new DeploymentOptions().setInstances(config.getInt(NodeConfig.NUM_NETWORK_THREADS))).map(id -> {
            deployment = id;
            return null;
        });
    }

    @Override
    public Future<Void> stop() {
        return deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
    }

    KafkaBroker broker() {
        return broker;
    }
}
