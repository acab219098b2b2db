package io.tributary.log;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * An owner of partitions: the only thread that appends to, reads from, rolls and trims the
 * partitions that hash to it (see {@link LogService#ownerOf}). Runs their periodic maintenance
 * (flush.ms, delayed deletes, compaction rounds) from a timer, and retention every
 * {@code log.retention.check.interval.ms} after {@code log.initial.task.delay.ms}, as Kafka's log manager. fsync is handed to the I/O executor by the
 * engine itself, so this event loop never waits on the disk.
 */
final class LogVerticle extends VerticleBase {
    static final long TICK_MS = 200;

    private final LogService service;
    private final int index;
    private long timer = -1;
    /** On the service's clock (injected: tests advance it). Touched only on this owner's event loop. */
    private long nextRetentionCheckMs;

    LogVerticle(LogService service, int index) {
        this.service = service;
        this.index = index;
    }

    Context context() {
        return context;
    }

    @Override
    public Future<?> start() {
        nextRetentionCheckMs = service.time().milliseconds() + service.initialTaskDelayMs();
        timer = vertx.setPeriodic(TICK_MS, id -> {
            long now = service.time().milliseconds();
            boolean retentionDue = now >= nextRetentionCheckMs;
            if (retentionDue) nextRetentionCheckMs = now + service.retentionCheckIntervalMs();
            service.tickOwner(index, retentionDue);
        });
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return Future.succeededFuture();
    }
}
