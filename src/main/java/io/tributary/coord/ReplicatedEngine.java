package io.tributary.coord;

import io.tributary.coord.SessionTracker.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The coordination engine in an ensemble (cluster mode): the {@link Coordinator} state machine driven by a
 * {@link Replication} log instead of the local {@link TxnLog}.
 *
 * <ul>
 *   <li>Writes (and session creation) become {@link Command}s, proposed to the log; nothing changes here
 *   until the entry is committed and applied, in log order, on every node. The proposing node answers its
 *   client when it applies the entry itself, so the client's next read on this node sees its write; watches
 *   fire on each node as it applies.</li>
 *   <li>Reads are answered from this node's state (ZooKeeper's sequential consistency), after the session's
 *   earlier requests ({@link SessionOrder}); {@code sync} waits for a ReadIndex round through the leader.</li>
 *   <li>Sessions live in the replicated state; only the leader expires them, from liveness it sees itself or
 *   that other nodes relay; a new leader renews every session ({@link EnsembleSessions}).</li>
 *   <li>When the log cannot commit (no quorum), the client's connection is closed: it sees CONNECTIONLOSS
 *   and tries another server, as with a ZooKeeper server that lost its quorum.</li>
 * </ul>
 *
 * <p>Threading: the public methods run on the coordinator's context; {@link Replication.Applier} callbacks
 * arrive on the log's threads and hop onto that context through {@code onContext} (a FIFO executor, so
 * entries are applied in the order the log delivers them).
 */
final class ReplicatedEngine implements Replication.Applier {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedEngine.class);

    private record Pending(Consumer<Object> done, WatchSink sink, SessionOrder.Step step) {
    }

    private record Cut(Snapshots.Image image, long term, long index) {
    }

    private final Coordinator c;
    private final Replication log;
    private final Executor onContext;
    /** Random per process run: entries proposed by an earlier run of this node match nothing when replayed. */
    private final long origin;
    private final int self;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final SessionOrder order = new SessionOrder();
    private long nextRequest;
    /** Commands waiting for the next proposal: several go out as one log entry. */
    private final ProposalBatcher proposals;
    private long appliedTerm;
    private final EnsembleSessions sessions;
    private long appliedIndex;

    ReplicatedEngine(Coordinator c, Replication log, Executor onContext) {
        this.c = c;
        this.log = log;
        this.onContext = onContext;
        this.proposals = new ProposalBatcher(log, onContext);
        this.self = log.nodeId();
        this.origin = ((long) self << 48) | (new SecureRandom().nextLong() & 0xffffffffffffL) | 1;
        this.sessions = new EnsembleSessions(c, log, onContext, proposals::submit);
        c.clustered();
    }

    Replication replication() {
        return log;
    }

    // ---- requests (coordinator context) ----

    void execute(Caller caller, Op op, Consumer<Result> done) {
        boolean write = Command.isWrite(op);
        SessionOrder.Step[] self = new SessionOrder.Step[1];
        Consumer<Result> finish = r -> {
            done.accept(r);
            self[0].done();
        };
        self[0] = new SessionOrder.Step(write, () -> {
            if (write) {
                propose(caller, op, finish, self[0]);
            } else if (op instanceof Op.Sync s) {
                log.readIndex().whenComplete((v, e) -> onContext.execute(() -> {
                    if (e != null) {
                        lost(caller.sink(), "sync failed: " + e, finish);
                    } else {
                        finish.accept(new Result(Codes.OK, c.lastZxid(), s.path()));
                    }
                }));
            } else {
                finish.accept(c.execute(caller, op));
            }
        });
        order.submit(caller.sessionId(), self[0]);
    }

    /**
     * Several reads (with their watch registrations) as one step of the session's order, run back to back
     * on the coordinator context, so no change lands between a read and the watch set with it (the HTTP
     * front door's subscriptions with an initial snapshot). Stops at the first failure. A write or a sync
     * is refused with BADARGUMENTS: those go through {@link #execute} and the log.
     */
    void executeReads(Caller caller, List<Op> ops, Consumer<List<Result>> done) {
        SessionOrder.Step[] self = new SessionOrder.Step[1];
        self[0] = new SessionOrder.Step(false, () -> {
            List<Result> results = new ArrayList<>(ops.size());
            for (Op op : ops) {
                Result r = Command.isWrite(op) || op instanceof Op.Sync
                        ? Result.error(Codes.BADARGUMENTS, c.lastZxid()) : c.execute(caller, op);
                results.add(r);
                if (r.err() != Codes.OK) {
                    break;
                }
            }
            done.accept(results);
            self[0].done();
        });
        order.submit(caller.sessionId(), self[0]);
    }

    private void propose(Caller caller, Op op, Consumer<Result> done, SessionOrder.Step step) {
        if (log.role() == Replication.Role.NO_LEADER) {
            lost(caller.sink(), "no quorum (no leader)", done);
            return;
        }
        long id = ++nextRequest;
        pending.put(id, new Pending(r -> done.accept((Result) r), caller.sink(), step));
        Command cmd = Command.write(origin, id, c.time().milliseconds(), caller, op);
        submit(cmd.encode(), e -> {
            if (pending.remove(id) != null) {
                lost(caller.sink(), "the write could not be committed: " + e, done);
            }
        });
    }

    /** The outcome is unknown to us: drop the connection, so the client sees CONNECTIONLOSS and moves on. */
    private void lost(WatchSink sink, String why, Consumer<Result> done) {
        if (sink != null) {
            sink.sessionClosed(why);
        }
        done.accept(Result.error(Codes.CONNECTIONLOSS, c.lastZxid()));
    }

    /**
     * A handshake: a new session goes through the log; a reconnect is checked against the replicated session
     * table here. {@code done} gets the session, or null (unknown/expired/wrong password); {@code fail} a reason
     * to refuse the client without an answer (no quorum), so it tries another server.
     */
    void connect(long sessionId, byte[] password, int requestedTimeout, WatchSink sink, Consumer<Session> done,
                 Consumer<String> fail) {
        if (log.role() == Replication.Role.NO_LEADER) {
            fail.accept("this node has no quorum");
            return;
        }
        if (sessionId != 0) {
            // Checked after a ReadIndex round, so a node that was cut off (or paused) and has not yet applied
            // the session's expiry cannot let the client back in on stale state (ZooKeeper revalidates a
            // reconnect with its leader for the same reason).
            log.readIndex().whenComplete((v, e) -> onContext.execute(() -> {
                if (e != null) {
                    fail.accept("cannot revalidate session 0x" + Long.toHexString(sessionId) + ": " + e);
                    return;
                }
                Session s = c.reconnect(sessionId, password, sink);
                if (s == null || s.owner == self) {
                    if (s != null) {
                        touch(sessionId);
                    }
                    done.accept(s);
                    return;
                }
                // The session moves here: through the log, so every node learns it and the old node's
                // connection is closed and its later writes refused (SESSIONMOVED), as in ZooKeeper.
                long id = ++nextRequest;
                pending.put(id, new Pending(x -> {
                    touch(sessionId);
                    done.accept(c.sessions().get(sessionId));
                }, sink, null));
                submit(Command.move(origin, id, c.time().milliseconds(), sessionId).encode(), err -> {
                    if (pending.remove(id) != null) {
                        fail.accept("cannot move session 0x" + Long.toHexString(sessionId) + " here: " + err);
                    }
                });
            }));
            return;
        }
        long id = ++nextRequest;
        long session = c.mintSessionId();
        pending.put(id, new Pending(s -> {
            Session ss = (Session) s;
            ss.sink = sink;
            done.accept(ss);
        }, sink, null));
        Command cmd = Command.newSession(origin, id, c.time().milliseconds(), session,
                c.options().negotiate(requestedTimeout), c.mintPassword());
        submit(cmd.encode(), e -> {
            if (pending.remove(id) != null) {
                fail.accept("the new session could not be committed: " + e);
            }
        });
    }

    private void submit(byte[] command, Consumer<Throwable> onLost) {
        proposals.submit(command, onLost);
    }

    /** Client liveness seen here: the local table, and the leader at the next relay. */
    boolean touch(long sessionId) {
        return sessions.touch(sessionId);
    }

    /** Periodic (every half tick): the leader expires sessions and sweeps; the others relay liveness. */
    void tick() {
        sessions.tick();
    }

    // ---- the log's callbacks (its threads; hop onto the context) ----

    @Override
    public void apply(long term, long index, byte[] bytes) {
        onContext.execute(() -> applyNow(term, index, bytes));
    }

    private void applyNow(long term, long index, byte[] bytes) {
        appliedTerm = term;
        appliedIndex = index;
        List<Command> cmds;
        try {
            cmds = Command.decodeEntry(bytes);
        } catch (IOException e) {
            // Every node fails the same way on the same bytes, so skipping keeps them equal.
            LOG.error("undecodable coordination entry at term {} index {}; skipped", term, index, e);
            return;
        }
        for (Command cmd : cmds) {
            applyCommand(term, nextZxid(term), cmd);
        }
    }

    /**
     * ZooKeeper's zxid shape from the log: the epoch (high 32 bits) is the Ratis term of the entry, the counter
     * counts the commands applied in that term. A pure function of replicated state, so the same on every node,
     * and strictly increasing because terms never decrease along the log.
     */
    private long nextZxid(long term) {
        long last = c.lastZxid();
        return last >>> 32 == term ? last + 1 : (term << 32) | 1;
    }

    private void applyCommand(long term, long zxid, Command cmd) {
        Pending p = cmd.origin() == origin ? pending.remove(cmd.requestId()) : null;
        switch (cmd.kind()) {
            case WRITE -> {
                Caller caller = new Caller(cmd.session(), cmd.ids(), p == null ? null : p.sink());
                // A write of a session that no longer exists, or that moved to another node than the one it
                // came through, fails the same way on every node.
                Session of = caller.sessionId() == 0 ? null : c.sessions().get(caller.sessionId());
                int from = Command.nodeOf(cmd.origin());
                Result r = c.applyAt(zxid, cmd.time(), () -> caller.sessionId() != 0 && of == null
                        ? Result.error(Codes.SESSIONEXPIRED, c.lastZxid())
                        : of != null && of.owner != 0 && from != 0 && of.owner != from
                        ? Result.error(Codes.SESSIONMOVED, c.lastZxid()) : c.execute(caller, cmd.op()));
                if (p != null) {
                    p.done().accept(r);
                }
            }
            case NEW_SESSION -> {
                Session s = c.applyAt(zxid, cmd.time(), () -> {
                    if (c.sessions().get(cmd.session()) == null) {
                        c.createSession(cmd.session(), cmd.timeout(), cmd.password());
                    }
                    Session created = c.sessions().get(cmd.session());
                    created.owner = Command.nodeOf(cmd.origin());
                    return created;
                });
                if (p != null) {
                    p.done().accept(s);
                }
            }
            case MOVE -> {
                Session s = c.sessions().get(cmd.session());
                c.applyAt(zxid, cmd.time(), () -> null);
                if (s != null) {
                    s.owner = Command.nodeOf(cmd.origin());
                    if (s.owner != self && s.sink != null) {
                        WatchSink old = s.sink;
                        c.disconnected(s.id(), old);
                        old.sessionClosed("session 0x" + Long.toHexString(s.id()) + " moved to node " + s.owner);
                    }
                }
                if (p != null) {
                    p.done().accept(s);
                }
            }
            case EXPIRE -> {
                if (cmd.requestId() != term) {
                    LOG.info("ignoring the expiry of session 0x{} decided in term {}, committed in term {}",
                            Long.toHexString(cmd.session()), cmd.requestId(), term);
                    c.skipTo(zxid);
                    return;
                }
                WatchSink sink = c.applyAt(zxid, cmd.time(), () -> {
                    Session gone = c.sessions().get(cmd.session());
                    c.closeSession(cmd.session());
                    return gone == null ? null : gone.sink;
                });
                if (sink != null) {
                    sink.sessionClosed("session 0x" + Long.toHexString(cmd.session()) + " expired");
                }
            }
        }
    }

    @Override
    public void skip(long term, long index) {
        onContext.execute(() -> {
            appliedTerm = term;
            appliedIndex = index;
        });
    }

    @Override
    public long[] snapshot(Replication.SnapshotFiles files) throws IOException {
        CompletableFuture<Cut> cut = new CompletableFuture<>();
        onContext.execute(() -> cut.complete(new Cut(Snapshots.capture(c), appliedTerm, appliedIndex)));
        Cut at;
        try {
            at = cut.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("could not capture the coordination state", e);
        }
        if (at.index() <= 0) {
            return null;
        }
        Snapshots.writeTo(files.file(at.term(), at.index()), at.image());
        return new long[]{at.term(), at.index()};
    }

    @Override
    public void restore(Path file, long term, long index) throws IOException {
        CompletableFuture<Long> loaded = new CompletableFuture<>();
        onContext.execute(() -> {
            try {
                loaded.complete(Snapshots.load(file, c));
                appliedTerm = term;
                appliedIndex = index;
            } catch (Throwable t) {
                loaded.completeExceptionally(t);
            }
        });
        try {
            if (loaded.get(5, TimeUnit.MINUTES) < 0) {
                throw new IOException("snapshot " + file + " is damaged");
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("could not restore snapshot " + file, e);
        }
    }

    @Override
    public void touched(int node, long[] sessionIds) {
        onContext.execute(() -> sessions.touchedAt(node, sessionIds));
    }

    @Override
    public void readBarrier(CompletableFuture<Void> done) {
        onContext.execute(() -> done.complete(null));
    }

    @Override
    public void roleChanged(boolean leader) {
        onContext.execute(() -> sessions.roleChanged(leader));
    }
}
