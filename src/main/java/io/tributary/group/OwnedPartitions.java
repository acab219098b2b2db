package io.tributary.group;

import org.apache.kafka.common.protocol.Errors;

import java.util.HashMap;
import java.util.Map;

/**
 * The partitions of {@code __consumer_offsets} this coordinator serves, each loading or loaded (Kafka's
 * {@code GroupMetadataManager} owned and loading partitions). On one node it owns them all; on a cluster the ones
 * this broker leads. A group's requests are answered only when its partition is owned and loaded:
 * NOT_COORDINATOR otherwise (the client looks the coordinator up again), COORDINATOR_LOAD_IN_PROGRESS while
 * loading (the client retries here).
 */
final class OwnedPartitions {
    /** partition → loaded. */
    private final Map<Integer, Boolean> owned = new HashMap<>();

    /** Starts owning {@code partition}, not loaded yet; false if it is owned already. */
    boolean beginLoading(int partition) {
        return owned.putIfAbsent(partition, false) == null;
    }

    void loaded(int partition) {
        owned.put(partition, true);
    }

    boolean unload(int partition) {
        return owned.remove(partition) != null;
    }

    boolean isLoaded(int partition) {
        return Boolean.TRUE.equals(owned.get(partition));
    }

    boolean anyLoading() {
        return owned.containsValue(false);
    }

    Errors error(int partition) {
        Boolean loaded = owned.get(partition);
        return loaded == null ? Errors.NOT_COORDINATOR : loaded ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }
}
