package io.tributary.coord;

import io.tributary.coord.SessionTracker.Session;
import io.tributary.coord.ZnodeTree.Trigger;
import org.apache.kafka.common.utils.Time;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The coordination state machine (no networking inside). A write is validated against the current tree
 * (ZooKeeper's PrepRequestProcessor), stamped with the next zxid (epoch in the high 32 bits), handed to
 * the {@link TxnSink} and applied; reads are answered from the tree.
 *
 * <p>Durability is by output commit: every reply and every watch event goes through the {@code outbox},
 * which the owner releases only once the log is durable up to the zxid current when the output was
 * queued. So nothing a client can observe is ever lost by a crash, even though the tree is updated
 * before the fsync returns, and events always precede the replies that follow them, in zxid order.
 *
 * <p>Threading: one thread (the {@link CoordinatorVerticle}'s context) calls everything.
 */
public final class Coordinator {
    /** Receives each transaction before it is applied; the owner makes it durable (group commit). */
    @FunctionalInterface
    public interface TxnSink {
        void append(Txn txn);
    }

    private final ZnodeTree tree;
    private final SessionTracker sessions;
    private final WatchRegistry watches = new WatchRegistry();
    private final ReadOps reads;
    private final Prep prep;
    private final CoordOptions options;
    private final Time time;
    private final TxnSink log;
    private final Executor outbox;
    private final WatchRegistry.Delivery delivery;
    private final SecureRandom random = new SecureRandom();
    private long lastZxid;
    private long nextSessionId;
    private long lastContainerCheck;
    /** Cluster mode: the zxid and time of the committed entry being applied (0 / -1 otherwise). */
    private long appliedZxid;
    private long appliedTime = -1;
    private boolean clustered;

    public Coordinator(CoordStore store, CoordOptions options, Time time, TxnSink log, Executor outbox) {
        this.tree = new ZnodeTree(store);
        this.sessions = new SessionTracker(options.tickTime());
        this.reads = new ReadOps(tree, watches);
        this.prep = new Prep(tree, options);
        this.options = options;
        this.time = time;
        this.log = log;
        this.outbox = outbox;
        this.delivery = (sink, type, path, zxid) -> outbox.execute(() -> sink.event(type, path, zxid));
        long now = time.milliseconds();
        this.nextSessionId = ((now << 24) >>> 8) | ((long) options.serverId() << 56);
        this.lastContainerCheck = now;
    }

    public ZnodeTree tree() {
        return tree;
    }

    public SessionTracker sessions() {
        return sessions;
    }

    public WatchRegistry watches() {
        return watches;
    }

    public CoordOptions options() {
        return options;
    }

    public Time time() {
        return time;
    }

    public long lastZxid() {
        return lastZxid;
    }

    // ---- recovery ----

    /** Applies a recovered transaction (no validation, no watches); older ones are skipped. */
    public void replay(Txn txn) {
        if (txn.zxid() <= lastZxid) {
            return;
        }
        apply(txn, new ArrayList<>());
    }

    /** Sets the state read from a snapshot's header. */
    void restoredTo(long zxid) {
        lastZxid = zxid;
    }

    /**
     * Starts a new epoch after recovery, as a newly elected ZooKeeper leader does: zxids of this run are
     * all greater than any recovered one. Recovered sessions expire one timeout from now unless their
     * clients come back.
     */
    public void startEpoch() {
        lastZxid = ((lastZxid >>> 32) + 1) << 32;
        for (Session s : sessions.all()) {
            nextSessionId = Math.max(nextSessionId, s.id + 1);
        }
    }

    private long nextZxid() {
        if (appliedZxid != 0) {
            return appliedZxid;
        }
        if ((lastZxid & 0xffffffffL) == 0xffffffffL) {
            lastZxid = ((lastZxid >>> 32) + 1) << 32; // counter exhausted: ZooKeeper forces a new epoch
        }
        return lastZxid + 1;
    }

    // ---- sessions ----

    /** Creates a session (a logged transaction) with a negotiated timeout. */
    public Session createSession(int requestedTimeout, WatchSink sink) {
        long id = nextSessionId++;
        commit(0, new Txn.CreateSession(options.negotiate(requestedTimeout), mintPassword()), id);
        Session s = sessions.get(id);
        s.sink = sink;
        return s;
    }

    /**
     * A client reconnecting with its session id and password keeps its session (and ephemerals) if it
     * has not expired. Returns null for an unknown, expired or wrong-password session.
     */
    public Session reconnect(long id, byte[] password, WatchSink sink) {
        Session s = sessions.get(id);
        if (s == null || s.closing || !Arrays.equals(s.password, password)) {
            return null;
        }
        WatchSink old = s.sink;
        s.sink = sink;
        sessions.touch(id, time.milliseconds());
        if (old != null && old != sink) {
            watches.removeSink(old);
            outbox.execute(() -> old.sessionClosed("session 0x" + Long.toHexString(id) + " moved to another connection"));
        }
        return s;
    }

    public boolean touch(long id) {
        return sessions.touch(id, time.milliseconds());
    }

    /** The connection is gone: its watches go, the session lives on until it expires or reconnects. */
    public void disconnected(long sessionId, WatchSink sink) {
        watches.removeSink(sink);
        Session s = sessions.get(sessionId);
        if (s != null && s.sink == sink) {
            s.sink = null;
        }
    }

    /** Periodic (every tick): expires sessions whose bucket is due and sweeps containers and TTL nodes. */
    public void tick() {
        long now = time.milliseconds();
        for (Session s : sessions.expired(now)) {
            WatchSink sink = s.sink;
            closeSession(s.id);
            if (sink != null) {
                outbox.execute(() -> sink.sessionClosed("session 0x" + Long.toHexString(s.id) + " expired"));
            }
        }
        if (now - lastContainerCheck >= options.containerCheckIntervalMs()) {
            lastContainerCheck = now;
            sweepContainers(now);
        }
    }

    void closeSession(long id) {
        if (sessions.get(id) != null) {
            commit(id, new Txn.CloseSession(), id);
        }
    }

    /** Deletes empty containers that once had children, and childless TTL nodes unmodified for their TTL. */
    public void sweepContainers(long now) {
        for (Op.Delete d : ContainerSweep.due(tree, now)) {
            commit(0, new Txn.Delete(d.path()), 0);
        }
    }

    /** The container/TTL sweep is due (every {@code znode.container.checkIntervalMs}); resets the interval. */
    public boolean sweepIsDue(long now) {
        if (now - lastContainerCheck < options.containerCheckIntervalMs()) {
            return false;
        }
        lastContainerCheck = now;
        return true;
    }

    // ---- cluster mode: entries decided by the proposer, applied in log order on every node ----

    /** Turns on cluster mode: ids of other nodes' sessions do not move this node's session id counter. */
    public void clustered() {
        clustered = true;
    }

    private long now() {
        return appliedTime >= 0 ? appliedTime : time.milliseconds();
    }

    /** Proposer: a new session id in this node's range. */
    public long mintSessionId() {
        return nextSessionId++;
    }

    /** Proposer: a new session password. */
    public byte[] mintPassword() {
        byte[] password = new byte[16];
        random.nextBytes(password);
        return password;
    }

    /**
     * Runs {@code apply} as the committed entry at {@code zxid}: every transaction it makes gets that zxid and
     * the proposer's {@code time}; afterwards the last zxid is the entry's, even when nothing changed (a failed
     * validation), so every node's stays the same.
     */
    <T> T applyAt(long zxid, long time, java.util.function.Supplier<T> apply) {
        appliedZxid = zxid;
        appliedTime = time;
        try {
            return apply.get();
        } finally {
            appliedZxid = 0;
            appliedTime = -1;
            lastZxid = Math.max(lastZxid, zxid);
        }
    }

    /** Logs and applies a session creation decided elsewhere (cluster mode, inside {@link #applyAt}). */
    void createSession(long id, int timeout, byte[] password) {
        commit(0, new Txn.CreateSession(timeout, password), id);
    }

    /** An entry with nothing to apply still takes its zxid, so every node's last zxid is the same. */
    public void skipTo(long zxid) {
        lastZxid = Math.max(lastZxid, zxid);
    }

    // ---- requests ----

    /** Executes one request; the result (and any events it causes) must still pass the outbox. */
    public Result execute(Caller c, Op op) {
        if (options.skipAcl()) {
            c = c.asSuper(); // zookeeper.skipACL: ZooKeeper's checkACL returns at once, as it does for super
        }
        try {
            Object read = reads.read(c, op, delivery);
            if (read != ReadOps.NOT_A_READ) {
                return ok(read);
            } else if (op instanceof Op.MultiRead m) {
                return ok(new Result.Multi(multiRead(c, m)));
            } else if (op instanceof Op.CloseSession) {
                closeSession(c.sessionId());
                return ok(null);
            } else if (op instanceof Op.Multi m) {
                return multi(c, m);
            }
            return write(c, op);
        } catch (CoordException e) {
            return Result.error(e.code(), lastZxid);
        }
    }

    private Result ok(Object value) {
        return new Result(Codes.OK, lastZxid, value);
    }

    private Result write(Caller c, Op op) throws CoordException {
        Prep.Prepared p = prep.prepare(c, op);
        if (p.body() == null) {
            return ok(null); // check outside multi: nothing to change
        }
        long zxid = commit(c.sessionId(), p.body(), c.sessionId());
        return new Result(Codes.OK, zxid, value(op, p.path()));
    }

    private Object value(Op op, String path) {
        DataNode n = tree.get(path);
        if (op instanceof Op.Create) {
            return new Result.Created(path, n.stat());
        }
        return op instanceof Op.SetData || op instanceof Op.SetAcl ? n.stat() : null;
    }

    /** Logs, applies and fires the watches of one transaction; returns its zxid. */
    private long commit(long session, Txn.Body body, long txnSession) {
        Txn txn = new Txn(nextZxid(), now(), txnSession, body);
        log.append(txn);
        List<Trigger> triggers = new ArrayList<>();
        apply(txn, triggers);
        fire(triggers, txn.zxid());
        return txn.zxid();
    }

    private Result multi(Caller c, Op.Multi m) {
        long zxid = nextZxid();
        long now = now();
        List<Txn.Body> bodies = new ArrayList<>();
        List<Trigger> triggers = new ArrayList<>();
        List<Result> results = new ArrayList<>();
        tree.beginUndo();
        for (int i = 0; i < m.ops().size(); i++) {
            Op op = m.ops().get(i);
            try {
                Prep.Prepared p = prep.prepare(c, op);
                if (p.body() != null) {
                    bodies.add(p.body());
                    applyBody(p.body(), zxid, now, c.sessionId(), triggers);
                }
                results.add(new Result(Codes.OK, zxid, value(op, p.path())));
            } catch (CoordException e) {
                tree.rollback();
                List<Result> failed = new ArrayList<>();
                for (int j = 0; j < m.ops().size(); j++) {
                    int code = j < i ? Codes.OK : j == i ? e.code() : Codes.RUNTIMEINCONSISTENCY;
                    failed.add(Result.error(code, lastZxid));
                }
                return ok(new Result.Multi(failed));
            }
        }
        tree.commitUndo();
        if (bodies.isEmpty()) {
            return ok(new Result.Multi(results));
        }
        Txn txn = new Txn(zxid, now, c.sessionId(), new Txn.Multi(bodies));
        log.append(txn);
        lastZxid = zxid;
        fire(triggers, zxid);
        return new Result(Codes.OK, zxid, new Result.Multi(results));
    }

    private List<Result> multiRead(Caller c, Op.MultiRead m) {
        List<Result> out = new ArrayList<>();
        for (Op op : m.ops()) {
            Result r = op instanceof Op.GetData || op instanceof Op.GetChildren ? execute(c, op) : Result.error(Codes.BADARGUMENTS, lastZxid);
            out.add(r);
        }
        return out;
    }

    // ---- apply ----

    private void apply(Txn txn, List<Trigger> out) {
        // Invariant: zxids strictly increase; a violation means the log or the epoch logic is broken.
        if (txn.zxid() <= lastZxid) {
            throw new IllegalStateException("zxid went backwards: 0x" + Long.toHexString(txn.zxid())
                    + " after 0x" + Long.toHexString(lastZxid));
        }
        applyBody(txn.body(), txn.zxid(), txn.time(), txn.sessionId(), out);
        lastZxid = txn.zxid();
    }

    private void applyBody(Txn.Body body, long zxid, long txnTime, long session, List<Trigger> out) {
        if (body instanceof Txn.CreateSession cs) {
            sessions.add(session, cs.timeout(), cs.password(), time.milliseconds());
            if (!clustered || session >>> 56 == options.serverId()) {
                // In an ensemble every node mints ids in its own range (the server id in the top byte).
                nextSessionId = Math.max(nextSessionId, session + 1);
            }
        } else if (body instanceof Txn.CloseSession) {
            for (String path : tree.ephemeralsOf(session)) {
                tree.delete(path, zxid, out);
            }
            sessions.remove(session);
        } else if (body instanceof Txn.Create cr) {
            tree.create(cr.path(), cr.data(), cr.acl(), cr.ephemeralOwner(), zxid, txnTime, out);
        } else if (body instanceof Txn.Delete d) {
            tree.delete(d.path(), zxid, out);
        } else if (body instanceof Txn.SetData sd) {
            tree.setData(sd.path(), sd.data(), zxid, txnTime, out);
        } else if (body instanceof Txn.SetAcl sa) {
            tree.setAcl(sa.path(), sa.acl());
        } else if (body instanceof Txn.Multi m) {
            for (Txn.Body b : m.ops()) {
                applyBody(b, zxid, txnTime, session, out);
            }
        }
    }

    private void fire(List<Trigger> triggers, long zxid) {
        watches.fire(triggers, zxid, delivery, options.skipAcl());
    }
}
