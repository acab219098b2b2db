package io.tributary.coord;

import java.util.function.BiConsumer;

/**
 * Where znodes live, keyed by absolute path. The seam for the cluster issue: {@link InMemoryCoordStore}
 * serves a single node, a Hazelcast-backed store will serve a cluster. Only the coordinator thread calls
 * it; implementations need no locking for this node's own use.
 */
public interface CoordStore {
    DataNode get(String path);

    void put(String path, DataNode node);

    DataNode remove(String path);

    int size();

    void forEach(BiConsumer<String, DataNode> action);
}
