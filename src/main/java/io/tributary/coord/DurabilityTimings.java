package io.tributary.coord;

/**
 * Where the coordination engine reports how long its durable writes took (ZooKeeper's {@code fsynctime}
 * and {@code snapshottime} summaries). Called on the sync thread and on workers; must not block.
 */
public interface DurabilityTimings {
    DurabilityTimings NONE = new DurabilityTimings() {
    };

    /** One group commit's write + fsync of the transaction log. */
    default void fsync(long nanos) {
    }

    /** One snapshot written (encoding and file, not the in-memory copy taken on the coordinator). */
    default void snapshot(long nanos) {
    }
}
