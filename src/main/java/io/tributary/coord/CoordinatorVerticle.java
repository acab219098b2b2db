package io.tributary.coord;

import io.tributary.coord.SessionTracker.Session;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.ContextInternal;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Owns the coordination engine on one Vert.x context: every request, session event and timer runs
 * there, so the state machine takes no locks. Front doors call the public methods from any thread and
 * get results back on their own context.
 *
 * <p>Durability (data under {@code <data dir>/coord/}, see {@link TxnLog} and {@link Snapshots}):
 * transactions are buffered as they are created and written + fsynced on the I/O executor by at most
 * one flush at a time (group commit). Replies and watch events wait in the outbox until the log is
 * durable up to the zxid that was current when they were produced, then leave in order; the I/O thread
 * that finished the fsync releases them itself (under the outbox's lock), saving a hand-off back to
 * this context on the latency path of every write and watch. Every
 * {@code snapCount} transactions a snapshot is cut on this thread and written on a worker; a clean stop
 * flushes and writes a final snapshot. Start-up recovery (snapshot + log replay) runs on a worker.
 */
public final class CoordinatorVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorVerticle.class);

    /** A session as handed to a front door after a handshake. */
    public record Connected(long sessionId, int timeout, byte[] password) {
    }

    /** Engine figures for the four-letter words. */
    public record Stats(long lastZxid, int nodes, int watches, int watchedPaths, int watchingConnections,
                        int ephemerals, long dataSize, int sessions) {
    }

    private record Held(long zxid, Runnable output) {
    }

    private final Path dir;
    private final CoordOptions options;
    private final Time time;
    private final Executor io;
    /** Guards {@link #held} and {@link #durableZxid}: filled here, drained by the fsync's I/O thread. */
    private final Object outbox = new Object();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final List<Promise<Void>> flushWaiters = new ArrayList<>();
    private Coordinator coordinator;
    private TxnLog log;
    private long durableZxid;
    private boolean flushing;
    private boolean snapshotting;
    private boolean failed;
    private long txnsSinceSnapshot;
    private long timerId = -1;

    public CoordinatorVerticle(Path dataDir, CoordOptions options, Time time, Executor io) {
        this.dir = dataDir.resolve("coord");
        this.options = options;
        this.time = time;
        this.io = io;
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(() -> {
            Files.createDirectories(dir);
            log = new TxnLog(dir, io);
            Coordinator c = new Coordinator(new InMemoryCoordStore(), options, time, this::append, this::output);
            long snapZxid = Snapshots.loadLatest(dir, c);
            int replayed = TxnLog.recover(dir, snapZxid, c::replay);
            LOG.info("coordination state recovered: {} znodes, {} sessions, last zxid 0x{} ({} transactions replayed)",
                    c.tree().nodeCount(), c.sessions().count(), Long.toHexString(c.lastZxid()), replayed);
            c.startEpoch();
            return c;
        }).onSuccess(c -> {
            coordinator = c;
            synchronized (outbox) {
                durableZxid = c.lastZxid();
            }
            txnsSinceSnapshot = 0;
            log.roll(c.lastZxid() + 1);
            timerId = vertx.setPeriodic(options.tickTime(), id -> {
                coordinator.tick();
                scheduleFlush();
            });
        });
    }

    @Override
    public Future<?> stop() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        if (coordinator == null) {
            return Future.succeededFuture();
        }
        return drain().compose(v -> {
            Snapshots.Image snapshot = failed ? null : Snapshots.capture(coordinator);
            return vertx.executeBlocking(() -> {
                log.close();
                if (snapshot != null) {
                    Snapshots.write(dir, snapshot);
                    Snapshots.purge(dir, 3);
                }
                return null;
            });
        });
    }

    private Future<Void> drain() {
        if (!flushing && !log.hasPending()) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        flushWaiters.add(p);
        startFlush();
        return p.future().compose(v -> drain());
    }

    // ---- the durability gate ----

    private void append(Txn txn) {
        log.append(txn);
        txnsSinceSnapshot++;
    }

    /**
     * The coordinator's outbox: run now if everything produced so far is durable, else hold. Outputs
     * only hand off to other contexts (promise completion, runOnContext), so running them under the
     * lock is short and cannot re-enter it.
     */
    private void output(Runnable r) {
        long need = coordinator == null ? 0 : coordinator.lastZxid();
        synchronized (outbox) {
            if (need <= durableZxid && held.isEmpty()) {
                r.run();
            } else {
                held.add(new Held(need, r));
            }
        }
    }

    /** Any thread: the log is durable up to {@code zxid}; release what waited for it, in order. */
    private void release(long zxid) {
        synchronized (outbox) {
            durableZxid = Math.max(durableZxid, zxid);
            while (!held.isEmpty() && held.peek().zxid <= durableZxid) {
                held.poll().output.run();
            }
        }
    }

    private void scheduleFlush() {
        // An idle log flushes at once (a lone write pays no extra event-loop turn); while an fsync is
        // running, later writes accumulate and share the next one (afterFlush starts it).
        if (!flushing && log.hasPending()) {
            startFlush();
        }
    }

    private void startFlush() {
        if (flushing || !log.hasPending() || failed) {
            return;
        }
        flushing = true;
        log.flush().whenComplete((zxid, err) -> {
            if (err == null) {
                release(zxid);
            }
            context.runOnContext(v -> afterFlush(err));
        });
    }

    /** Back on this context after a flush: bookkeeping, snapshot if due, and the next flush. */
    private void afterFlush(Throwable err) {
        flushing = false;
        if (err != null) {
            // Like ZooKeeper, stop acknowledging anything once the log cannot be written.
            failed = true;
            LOG.error("coordination transaction log failed; no further writes are acknowledged", err);
        } else {
            maybeSnapshot();
        }
        List<Promise<Void>> waiters = new ArrayList<>(flushWaiters);
        flushWaiters.clear();
        waiters.forEach(Promise::tryComplete);
        scheduleFlush();
    }

    private void maybeSnapshot() {
        if (txnsSinceSnapshot < options.snapCount() || snapshotting) {
            return;
        }
        snapshotting = true;
        txnsSinceSnapshot = 0;
        long zxid = coordinator.lastZxid();
        Snapshots.Image image = Snapshots.capture(coordinator);
        log.roll(zxid + 1);
        vertx.executeBlocking(() -> {
            Snapshots.write(dir, image);
            Snapshots.purge(dir, 3);
            return null;
        }).onComplete(ar -> {
            snapshotting = false;
            if (ar.failed()) {
                LOG.error("coordination snapshot at zxid 0x{} failed", Long.toHexString(zxid), ar.cause());
            } else {
                LOG.info("coordination snapshot at zxid 0x{} ({} znodes)", Long.toHexString(zxid), image.nodes().size());
            }
        });
    }

    // ---- API for front doors (any thread) ----

    private <T> Promise<T> callerPromise() {
        return ((ContextInternal) vertx.getOrCreateContext()).promise();
    }

    /** Runs one request; the result arrives on the caller's context once durable. */
    public Future<Result> execute(Caller caller, Op op) {
        Promise<Result> p = callerPromise();
        context.runOnContext(v -> {
            Result r;
            if (failed) {
                r = Result.error(Codes.SYSTEMERROR, coordinator.lastZxid());
            } else if (!coordinator.touch(caller.sessionId()) && !(op instanceof Op.CloseSession)) {
                r = Result.error(Codes.SESSIONEXPIRED, coordinator.lastZxid());
            } else {
                r = coordinator.execute(caller, op);
            }
            output(() -> p.complete(r));
            scheduleFlush();
        });
        return p.future();
    }

    /**
     * A handshake: a new session when {@code sessionId} is 0, else a reconnect with the password.
     * Completes with null when the session is unknown, expired or the password is wrong, and fails
     * when the client has seen a zxid this node does not have (ZooKeeper refuses such a client, so it
     * cannot read older state than it already saw).
     */
    public Future<Connected> connect(long sessionId, byte[] password, int requestedTimeout, long lastZxidSeen,
                                     WatchSink sink) {
        Promise<Connected> p = callerPromise();
        context.runOnContext(v -> {
            if (lastZxidSeen > coordinator.lastZxid()) {
                p.fail(new IllegalStateException("client has seen zxid 0x" + Long.toHexString(lastZxidSeen)
                        + " but our last zxid is 0x" + Long.toHexString(coordinator.lastZxid())));
                return;
            }
            Session s = failed ? null : sessionId == 0 ? coordinator.createSession(requestedTimeout, sink)
                    : coordinator.reconnect(sessionId, password, sink);
            Connected c = s == null ? null : new Connected(s.id(), s.timeout(), s.password());
            output(() -> p.complete(c));
            scheduleFlush();
        });
        return p.future();
    }

    /** Client traffic without a request for the engine (pings). */
    public void touch(long sessionId) {
        context.runOnContext(v -> coordinator.touch(sessionId));
    }

    public void disconnected(long sessionId, WatchSink sink) {
        context.runOnContext(v -> coordinator.disconnected(sessionId, sink));
    }

    public Future<Stats> stats() {
        Promise<Stats> p = callerPromise();
        context.runOnContext(v -> {
            Coordinator c = coordinator;
            WatchRegistry w = c.watches();
            p.complete(new Stats(c.lastZxid(), c.tree().nodeCount(), w.watchCount(), w.watchedPathCount(), w.sinkCount(),
                    c.tree().ephemeralCount(), c.tree().approximateDataSize(), c.sessions().count()));
        });
        return p.future();
    }

    public CoordOptions options() {
        return options;
    }

    public Path dir() {
        return dir;
    }
}
