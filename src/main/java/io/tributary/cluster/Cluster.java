package io.tributary.cluster;

import io.tributary.coord.CoordinatorVerticle;
import io.tributary.coord.Replication;

import java.nio.file.Path;
import java.util.Map;

/**
 * The cluster part of a node, what {@code server.Node} composes: the replicated coordination log (Ratis) and,
 * once the coordinator runs, Hazelcast membership with the shared views. Absent for a single node.
 */
public final class Cluster {
    private final ClusterConfig config;
    private final RatisReplication replication;
    private HazelcastViews views;

    private Cluster(ClusterConfig config, Path dataDir) {
        this.config = config;
        this.replication = new RatisReplication(config, dataDir);
    }

    /**
     * The cluster part for this node's {@code cluster.members}, or null when the node runs alone (no list, or
     * one member): then nothing of Ratis or Hazelcast is created.
     */
    public static Cluster create(Map<String, String> settings, int nodeId, int snapCount, Path dataDir) {
        ClusterConfig c = ClusterConfig.from(settings, nodeId, snapCount);
        return c.clustered() ? new Cluster(c, dataDir) : null;
    }

    /** The coordination engine's log (started and stopped by the engine). */
    public Replication replication() {
        return replication;
    }

    /** Joins Hazelcast in the background and starts publishing the views of {@code coordinator}'s state. */
    public void startViews(CoordinatorVerticle coordinator) {
        if (!config.viewsEnabled()) {
            return;
        }
        views = new HazelcastViews(config, coordinator);
        views.start();
    }

    /** Blocking: leaves Hazelcast (a worker, at stop). */
    public void stopViews() {
        if (views != null) {
            views.stop();
        }
    }

    public HazelcastViews views() {
        return views;
    }
}
