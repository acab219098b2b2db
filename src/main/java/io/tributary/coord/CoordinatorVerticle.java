package io.tributary.coord;

import io.tributary.coord.SessionTracker.Session;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.ContextInternal;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Owns the coordination engine on one Vert.x context: every request, session event and timer runs
 * there, so the state machine takes no locks. Front doors call the public methods from any thread and
 * get results back on their own context. A caller already on this context's event loop (the ZooKeeper
 * listener's first instance lives there, see {@link #context()}) has its request executed at once,
 * without a hand-off; a call made from inside a running task is queued instead, so the engine is never
 * re-entered.
 *
 * <p>Durability (data under {@code <data dir>/coord/}, see {@link TxnLog} and {@link Snapshots}):
 * transactions are buffered as they are created; {@link GroupCommit}'s sync thread writes and fsyncs them
 * (group commit) and releases the replies and watch events that waited for them, in order, without a hop
 * back to this context. Every {@code snapCount} transactions a snapshot is cut on this thread and written
 * on a worker; a clean stop flushes and writes a final snapshot. Start-up recovery (snapshot + log
 * replay) runs on a worker.
 *
 * <p>In an ensemble (constructed with a {@link Replication}) none of that local durability runs: the
 * replicated log orders and persists every write, and {@link ReplicatedEngine} drives the same
 * {@link Coordinator} from it (proposals out, committed entries applied in log order, replies after commit).
 */
public final class CoordinatorVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorVerticle.class);

    /** A session as handed to a front door after a handshake. */
    public record Connected(long sessionId, int timeout, byte[] password) {
    }

    /** Engine figures for the four-letter words. */
    public record Stats(long lastZxid, int nodes, int watches, int watchedPaths, int watchingConnections,
                        int ephemerals, long dataSize, int sessions, String mode, int ensembleSize,
                        int syncedFollowers) {
    }

    private final Path dir;
    private final CoordOptions options;
    private final Time time;
    /** Null for a single node (the local log); else the ensemble's log. */
    private final Replication replication;
    private ReplicatedEngine cluster;
    private Coordinator coordinator;
    private TxnLog log;
    private GroupCommit commit;
    private boolean appended;
    private boolean running;
    private boolean snapshotting;
    private long txnsSinceSnapshot;
    private long timerId = -1;
    private volatile DurabilityTimings timings = DurabilityTimings.NONE;

    public CoordinatorVerticle(Path dataDir, CoordOptions options, Time time) {
        this(dataDir, options, time, null);
    }

    /** @param replication the ensemble's log, or null for a single node */
    public CoordinatorVerticle(Path dataDir, CoordOptions options, Time time, Replication replication) {
        this.dir = dataDir.resolve("coord");
        this.options = options;
        this.time = time;
        this.replication = replication;
    }

    /** Where fsync and snapshot durations go (metrics); set before the verticle is deployed. */
    public void timings(DurabilityTimings timings) {
        this.timings = timings == null ? DurabilityTimings.NONE : timings;
    }

    @Override
    public Future<?> start() {
        if (replication != null) {
            return startClustered();
        }
        return vertx.executeBlocking(() -> {
            Files.createDirectories(dir);
            log = new TxnLog(dir);
            Coordinator c = new Coordinator(new InMemoryCoordStore(), options, time, this::append, this::output);
            long snapZxid = Snapshots.loadLatest(dir, c);
            int replayed = TxnLog.recover(dir, snapZxid, c::replay);
            LOG.info("coordination state recovered: {} znodes, {} sessions, last zxid 0x{} ({} transactions replayed)",
                    c.tree().nodeCount(), c.sessions().count(), Long.toHexString(c.lastZxid()), replayed);
            c.startEpoch();
            return c;
        }).onSuccess(c -> {
            coordinator = c;
            txnsSinceSnapshot = 0;
            log.roll(c.lastZxid() + 1);
            commit = new GroupCommit(log, c.lastZxid(), "tributary-coord-sync", timings);
            commit.start();
            timerId = vertx.setPeriodic(options.tickTime(), id -> onContext(() -> {
                coordinator.tick();
                afterTask();
            }));
        });
    }

    /** Cluster mode: the state comes from the log (snapshot + entries), applied on this context. */
    private Future<?> startClustered() {
        // Replies and events go out as soon as they are produced: what they report is already committed.
        coordinator = new Coordinator(new InMemoryCoordStore(), options, time, txn -> {
        }, Runnable::run);
        cluster = new ReplicatedEngine(coordinator, replication, t -> context.runOnContext(v -> runTask(t)));
        return Future.fromCompletionStage(replication.start(cluster)).onSuccess(v ->
                timerId = vertx.setPeriodic(Math.max(1, options.tickTime() / 2), id -> onContext(cluster::tick)));
    }

    @Override
    public Future<?> stop() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        if (replication != null) {
            return Future.fromCompletionStage(replication.stop());
        }
        if (coordinator == null) {
            return Future.succeededFuture();
        }
        // Every transaction up to this image's zxid is written by the sync thread's last batch below.
        Snapshots.Image snapshot = commit.failed() ? null : Snapshots.capture(coordinator);
        return vertx.executeBlocking(() -> {
            boolean logIntact = commit.stop();
            log.close();
            if (snapshot != null && logIntact) {
                Snapshots.write(dir, snapshot);
                Snapshots.purge(dir, 3);
            }
            return null;
        });
    }

    // ---- the durability gate ----

    private void append(Txn txn) {
        log.append(txn);
        appended = true;
        txnsSinceSnapshot++;
    }

    /** The coordinator's outbox: out once the log is durable up to the zxid current now. */
    private void output(Runnable r) {
        commit.output(coordinator == null ? 0 : coordinator.lastZxid(), r);
    }

    /**
     * End of every task on this context: what it appended goes to the sync thread as one batch (an idle
     * log writes it at once; during an fsync it joins the next one), and a snapshot is cut when due.
     */
    private void afterTask() {
        if (appended) {
            appended = false;
            commit.kick();
            maybeSnapshot();
        }
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
            long start = System.nanoTime();
            Snapshots.write(dir, image);
            timings.snapshot(System.nanoTime() - start);
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
        if (cluster != null) {
            onContext(() -> {
                if (!cluster.touch(caller.sessionId()) && !(op instanceof Op.CloseSession)) {
                    p.complete(Result.error(Codes.SESSIONEXPIRED, coordinator.lastZxid()));
                } else {
                    cluster.execute(caller, op, p::complete);
                }
            });
            return p.future();
        }
        onContext(() -> {
            Result r;
            if (commit.failed()) {
                r = Result.error(Codes.SYSTEMERROR, coordinator.lastZxid());
            } else if (!coordinator.touch(caller.sessionId()) && !(op instanceof Op.CloseSession)) {
                r = Result.error(Codes.SESSIONEXPIRED, coordinator.lastZxid());
            } else {
                r = coordinator.execute(caller, op);
            }
            output(() -> p.complete(r));
            afterTask();
        });
        return p.future();
    }

    /**
     * Runs several requests in one engine task, in order, stopping at the first that fails (its error is
     * the last result). Nothing else runs on the engine between them, so a read and the watch registered
     * with it see the same state: the HTTP front door's subscriptions with an initial snapshot use it to
     * miss no change between the read and the watch. The results arrive together on the caller's context
     * once durable. In an ensemble only reads and watch registrations may be given (a write is refused
     * with BADARGUMENTS): writes go through {@link #execute} and the replicated log.
     */
    public Future<java.util.List<Result>> executeAll(Caller caller, java.util.List<Op> ops) {
        Promise<java.util.List<Result>> p = callerPromise();
        if (cluster != null) {
            // In an ensemble these are local reads in the session's order (ReplicatedEngine.executeReads).
            onContext(() -> {
                if (!cluster.touch(caller.sessionId())) {
                    p.complete(java.util.List.of(Result.error(Codes.SESSIONEXPIRED, coordinator.lastZxid())));
                } else {
                    cluster.executeReads(caller, ops, p::complete);
                }
            });
            return p.future();
        }
        onContext(() -> {
            java.util.List<Result> results = new java.util.ArrayList<>(ops.size());
            if (commit.failed()) {
                results.add(Result.error(Codes.SYSTEMERROR, coordinator.lastZxid()));
            } else if (!coordinator.touch(caller.sessionId())) {
                results.add(Result.error(Codes.SESSIONEXPIRED, coordinator.lastZxid()));
            } else {
                for (Op op : ops) {
                    Result r = coordinator.execute(caller, op);
                    results.add(r);
                    if (r.err() != Codes.OK) {
                        break;
                    }
                }
            }
            output(() -> p.complete(results));
            afterTask();
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
        onContext(() -> {
            if (lastZxidSeen > coordinator.lastZxid()) {
                p.fail(new IllegalStateException("client has seen zxid 0x" + Long.toHexString(lastZxidSeen)
                        + " but our last zxid is 0x" + Long.toHexString(coordinator.lastZxid())));
                return;
            }
            if (cluster != null) {
                cluster.connect(sessionId, password, requestedTimeout, sink,
                        s -> p.complete(s == null ? null : new Connected(s.id(), s.timeout(), s.password())),
                        why -> p.fail(new IllegalStateException(why)));
                return;
            }
            Session s = commit.failed() ? null : sessionId == 0 ? coordinator.createSession(requestedTimeout, sink)
                    : coordinator.reconnect(sessionId, password, sink);
            Connected c = s == null ? null : new Connected(s.id(), s.timeout(), s.password());
            output(() -> p.complete(c));
            afterTask();
        });
        return p.future();
    }

    /** Client traffic without a request for the engine (pings). */
    public void touch(long sessionId) {
        onContext(() -> {
            if (cluster != null) {
                cluster.touch(sessionId);
            } else {
                coordinator.touch(sessionId);
            }
        });
    }

    public void disconnected(long sessionId, WatchSink sink) {
        onContext(() -> {
            coordinator.disconnected(sessionId, sink);
            afterTask();
        });
    }

    public Future<Stats> stats() {
        Promise<Stats> p = callerPromise();
        onContext(() -> {
            Coordinator c = coordinator;
            WatchRegistry w = c.watches();
            String mode = replication == null ? "standalone" : switch (replication.role()) {
                case LEADER -> "leader";
                case FOLLOWER -> "follower";
                case NO_LEADER -> "looking";
            };
            p.complete(new Stats(c.lastZxid(), c.tree().nodeCount(), w.watchCount(), w.watchedPathCount(), w.sinkCount(),
                    c.tree().ephemeralCount(), c.tree().approximateDataSize(), c.sessions().count(), mode,
                    replication == null ? 1 : replication.ensembleSize(),
                    replication == null ? 0 : replication.syncedFollowers()));
        });
        return p.future();
    }

    /** A consistent cut of the whole state (tree and sessions), taken on this context; for views. */
    public Future<Snapshots.Image> capture() {
        Promise<Snapshots.Image> p = callerPromise();
        onContext(() -> p.complete(Snapshots.capture(coordinator)));
        return p.future();
    }

    /** The changes since the last call (the ensemble's views); {@code wanted == false} forgets them (null). */
    public Future<Snapshots.Delta> changes(boolean wanted) {
        Promise<Snapshots.Delta> p = callerPromise();
        onContext(() -> p.complete(Snapshots.delta(coordinator, wanted)));
        return p.future();
    }

    /** The ensemble's log, or null for a single node. */
    public Replication replication() {
        return replication;
    }

    /** Runs an engine task now when on this context's event loop and not inside another task, else queues it. */
    private void onContext(Runnable task) {
        if (!running && ((ContextInternal) context).nettyEventLoop().inEventLoop()) {
            runTask(task);
        } else {
            context.runOnContext(v -> runTask(task));
        }
    }

    private void runTask(Runnable task) {
        running = true;
        try {
            task.run();
        } finally {
            running = false;
        }
    }

    /**
     * The engine's context. A front door may open its listener from it so that requests from that
     * listener's connections execute without a hand-off (and their replies are written at once when
     * nothing is waiting for the log).
     */
    public Context context() {
        return context;
    }

    public CoordOptions options() {
        return options;
    }

    public Path dir() {
        return dir;
    }
}
