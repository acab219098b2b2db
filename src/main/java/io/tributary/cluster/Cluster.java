package io.tributary.cluster;

import io.tributary.coord.Replication;

import java.nio.file.Path;
import java.util.Map;

/** What {@code server.Node} asks of the cluster package: the coordination log of an ensemble, if there is one. */
public final class Cluster {
    private Cluster() {
    }

    /**
     * The replicated coordination log for this node's {@code cluster.members}, or null when the node runs
     * alone (no list, or one member): then nothing of Ratis is started.
     */
    public static Replication coordinationLog(Map<String, String> config, int nodeId, int snapCount, Path dataDir) {
        ClusterConfig c = ClusterConfig.from(config, nodeId, snapCount);
        return c.clustered() ? new RatisReplication(c, dataDir) : null;
    }
}
