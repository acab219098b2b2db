package io.tributary.server;

import io.tributary.http.Health;
import io.tributary.http.HttpFrontDoor;
import io.tributary.http.HttpServerVerticle;
import io.tributary.http.HttpSettings;
import io.tributary.kafka.LocalKafkaApis;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The HTTP front door: REST, WebSocket streams, live pages, {@code /health} and {@code /ready}. */
final class HttpPart implements Part {
    private final Vertx vertx;
    private final NodeConfig config;
    private final LogPart log;
    private final GroupsPart groups;
    private final CoordinationPart coordination;
    private final KafkaPart kafka;
    private final Health health;
    private final io.tributary.metrics.NodeMetrics metrics;
    private String deployment;

    HttpPart(Vertx vertx, NodeConfig config, LogPart log, GroupsPart groups, CoordinationPart coordination,
             KafkaPart kafka, Health health, io.tributary.metrics.NodeMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.log = log;
        this.groups = groups;
        this.coordination = coordination;
        this.kafka = kafka;
        this.health = health;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public Future<Void> start() {
        HttpSettings http = HttpSettings.from(config);
        HttpFrontDoor door = new HttpFrontDoor(vertx, http, log.service(), groups.service(), coordination.coordinator(),
                new LocalKafkaApis(kafka.broker()), health, log.clusterId(), config.nodeId(),
                config.get(NodeConfig.SUPER_DIGEST));
        if (metrics != null) {
            metrics.bindHttp(door);
            door.metrics(metrics);
        }
        return vertx.deployVerticle(() -> new HttpServerVerticle(door),
                new DeploymentOptions().setInstances(http.instances())).map(id -> {
            deployment = id;
            return null;
        });
    }

    @Override
    public Future<Void> stop() {
        return deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
    }
}
