package io.tributary.server;

import io.tributary.cluster.Cluster;
import io.tributary.coord.CoordOptions;
import io.tributary.coord.CoordinatorVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.common.utils.Time;

/**
 * The coordination service: the engine recovers its snapshot and log on a worker before any listener opens.
 * In an ensemble ({@code cluster.members}) its log is Ratis and the node joins Hazelcast for the shared views;
 * alone, the local transaction log, and nothing of Ratis or Hazelcast exists.
 */
final class CoordinationPart implements Part {
    private final Vertx vertx;
    private final NodeConfig config;
    private final Time time;
    private final io.tributary.metrics.NodeMetrics metrics;
    private Cluster cluster;
    private CoordinatorVerticle coordinator;
    private String deployment;

    CoordinationPart(Vertx vertx, NodeConfig config, Time time, io.tributary.metrics.NodeMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.time = time;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "coordination";
    }

    @Override
    public Future<Void> start() {
        cluster = Cluster.create(config.all(), config.nodeId(), config.getInt(NodeConfig.SNAP_COUNT), config.dataDir());
        coordinator = new CoordinatorVerticle(config.dataDir(), options(), time,
                cluster == null ? null : cluster.replication());
        if (metrics != null) {
            coordinator.timings(metrics.coordinationTimings());
        }
        return vertx.deployVerticle(coordinator).map(id -> {
            deployment = id;
            if (cluster != null) {
                cluster.startViews(coordinator);
            }
            return null;
        });
    }

    @Override
    public Future<Void> stop() {
        Future<Void> views = cluster == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
            cluster.stopViews();
            return null;
        });
        return views.transform(ignored -> deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment));
    }

    /** An ensemble ({@code cluster.members} with more than one entry). */
    boolean clustered() {
        return cluster != null;
    }

    CoordinatorVerticle coordinator() {
        return coordinator;
    }

    private CoordOptions options() {
        int tick = config.getInt(NodeConfig.TICK_TIME);
        return new CoordOptions(tick, config.getInt(NodeConfig.MIN_SESSION_TIMEOUT, 2 * tick),
                config.getInt(NodeConfig.MAX_SESSION_TIMEOUT, 20 * tick), config.getInt(NodeConfig.JUTE_MAXBUFFER),
                config.getInt(NodeConfig.SNAP_COUNT), config.getInt(NodeConfig.CONTAINER_CHECK_INTERVAL_MS),
                config.nodeId(), config.getBoolean(NodeConfig.ENFORCE_QUOTA), config.getYesNo(NodeConfig.SKIP_ACL));
    }
}
