package io.tributary.log;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * An owner of partitions: the only thread that appends to, reads from, rolls and trims the
 * partitions that hash to it (see {@link LogService#ownerOf}). Runs their periodic maintenance
 * (time-based roll, retention, flush.ms) from a timer. fsync is handed to the I/O executor by the
 * engine itself, so this event loop never waits on the disk.
 */
final class LogVerticle extends VerticleBase {
    static final long TICK_MS = 200;

    private final LogService service;
    private final int index;
    private long timer = -1;

    LogVerticle(LogService service, int index) {
        this.service = service;
        this.index = index;
    }

    Context context() {
        return context;
    }

    @Override
    public Future<?> start() {
        timer = vertx.setPeriodic(TICK_MS, id -> service.tickOwner(index));
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
