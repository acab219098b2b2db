package io.tributary.server;

import io.tributary.group.GroupConfig;
import io.tributary.group.GroupCoordinatorVerticle;
import io.tributary.group.GroupService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.common.utils.Time;

/**
 * The group coordinator. On one node it creates {@code __consumer_offsets} if needed, then loads it in the
 * background (group APIs answer COORDINATOR_LOAD_IN_PROGRESS until it is done, and the part is ready then). On a
 * cluster it starts with no partition: the Kafka part hands it the partitions this broker leads.
 */
final class GroupsPart implements Part {
    private final Vertx vertx;
    private final NodeConfig config;
    private final Time time;
    private final LogPart log;
    private final CoordinationPart coordination;
    private GroupCoordinatorVerticle coordinator;
    private GroupService service;

    GroupsPart(Vertx vertx, NodeConfig config, Time time, LogPart log, CoordinationPart coordination) {
        this.vertx = vertx;
        this.config = config;
        this.time = time;
        this.log = log;
        this.coordination = coordination;
    }

    @Override
    public String name() {
        return "groups";
    }

    @Override
    public Future<Void> start() {
        coordinator = new GroupCoordinatorVerticle(log.service(), GroupConfig.from(config.all()), time, coordination.clustered());
        service = new GroupService(vertx, coordinator);
        return vertx.deployVerticle(coordinator).mapEmpty();
    }

    @Override
    public Future<Void> ready() {
        return service.loaded();
    }

    @Override
    public Future<Void> stop() {
        return coordinator == null || coordinator.deploymentID() == null ? Future.succeededFuture()
                : vertx.undeploy(coordinator.deploymentID());
    }

    GroupService service() {
        return service;
    }
}
