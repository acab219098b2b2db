package io.tributary.group;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The asynchronous face of the group coordinator for front doors, in the style of
 * {@link io.tributary.log.LogService}: a call hops onto the coordinator's context, and its result comes
 * back on the caller's context through a context-bound promise. No event-bus serialization inside one
 * process. Thread-safe.
 */
public final class GroupService {
    private final Vertx vertx;
    private final GroupCoordinatorVerticle owner;

    public GroupService(Vertx vertx, GroupCoordinatorVerticle owner) {
        this.vertx = vertx;
        this.owner = owner;
    }

    /** Runs {@code call} on the coordinator and returns its result on the caller's context. */
    public <T> Future<T> call(Function<GroupCoordinator, T> call) {
        return callAsync((c, done) -> done.accept(call.apply(c)));
    }

    /** Like {@link #call}, for operations that answer later (joins, syncs, commits waiting for the log). */
    public <T> Future<T> callAsync(BiConsumer<GroupCoordinator, Consumer<T>> call) {
        Promise<T> promise = ((ContextInternal) vertx.getOrCreateContext()).promise();
        owner.context().runOnContext(v -> {
            try {
                call.accept(owner.coordinator(), promise::tryComplete);
            } catch (Throwable t) {
                promise.tryFail(t);
            }
        });
        return promise.future();
    }

    /** Cluster mode: this broker leads {@code partition} of {@code __consumer_offsets} now (see {@link GroupCoordinatorVerticle#elected}). */
    public void elected(int partition, int partitions) {
        owner.elected(partition, partitions);
    }

    /** Cluster mode: this broker no longer leads {@code partition}. */
    public void resigned(int partition) {
        owner.resigned(partition);
    }

    /** Cluster mode: where the coordinator's writes go. */
    public void replicateThrough(OffsetsLog log) {
        owner.replicateThrough(log);
    }

    /** Completes once {@code __consumer_offsets} is loaded. */
    public Future<Void> loaded() {
        return owner.loaded();
    }
}
