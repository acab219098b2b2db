package io.tributary.server;

import io.tributary.zk.ZkServer;
import io.tributary.zk.ZkServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** The ZooKeeper front door: {@code zk.network.threads} listener verticles sharing the ZooKeeper port. */
final class ZkPart implements Part {
    private final Vertx vertx;
    private final NodeConfig config;
    private final CoordinationPart coordination;
    private final io.tributary.metrics.NodeMetrics metrics;
    private String deployment;

    ZkPart(Vertx vertx, NodeConfig config, CoordinationPart coordination, io.tributary.metrics.NodeMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.coordination = coordination;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public Future<Void> start() {
        Set<String> words = Arrays.stream(config.get(NodeConfig.FOUR_LETTER_WHITELIST).split(","))
                .map(String::trim).filter(w -> !w.isEmpty()).collect(Collectors.toSet());
        ZkServer zk = new ZkServer(coordination.coordinator(), config.get(NodeConfig.HOST), config.zkPort(),
                config.getInt(NodeConfig.JUTE_MAXBUFFER), config.getInt(NodeConfig.MAX_CLIENT_CNXNS),
                config.getInt(NodeConfig.QUEUED_MAX_REQUESTS), words, config.get(NodeConfig.SUPER_DIGEST),
                config.getBoolean(NodeConfig.RECONFIG_ENABLED), config.all());
        if (metrics != null) {
            metrics.bindZooKeeper(zk, coordination.coordinator());
        }
        return vertx.deployVerticle(() -> new ZkServerVerticle(zk),
                new DeploymentOptions().setInstances(config.getInt(NodeConfig.ZK_NETWORK_THREADS))).map(id -> {
            deployment = id;
            return null;
        });
    }

    @Override
    public Future<Void> stop() {
        return deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
    }
}
