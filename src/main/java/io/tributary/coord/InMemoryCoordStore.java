package io.tributary.coord;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/** The single-node store: a hash map owned by the coordinator thread. Not thread-safe by design. */
public final class InMemoryCoordStore implements CoordStore {
    private final Map<String, DataNode> nodes = new HashMap<>(1024);

    @Override
    public DataNode get(String path) {
        return nodes.get(path);
    }

    @Override
    public void put(String path, DataNode node) {
        nodes.put(path, node);
    }

    @Override
    public DataNode remove(String path) {
        return nodes.remove(path);
    }

    @Override
    public int size() {
        return nodes.size();
    }

    @Override
    public void forEach(BiConsumer<String, DataNode> action) {
        nodes.forEach(action);
    }
}
