package io.tributary.cluster.meta;

import io.tributary.coord.Caller;
import io.tributary.coord.Codes;
import io.tributary.coord.CoordinatorVerticle;
import io.tributary.coord.Op;
import io.tributary.coord.Result;
import io.tributary.coord.WatchSink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.apache.zookeeper.data.Id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * This broker's session on the coordination service, in process (no socket): what a Kafka broker's ZooKeeper
 * client was. It keeps the session alive (a touch every third of its timeout), and when the engine closes it
 * (expiry, or a write whose fate is unknown after a lost quorum) it reconnects — to the same session while it
 * lives, else a new one — and tells the owner, who re-arms its watches, re-reads what it watches and
 * re-creates its ephemerals ({@link Listener#sessionStarted}).
 *
 * <p>Threading: every method and callback runs on the owner's context (given at construction); watch events
 * arrive on the coordinator's thread and hop there.
 */
final class MetaSession implements WatchSink {
    private static final Logger LOG = LoggerFactory.getLogger(MetaSession.class);
    /** The broker acts on the cluster's metadata with every right, as Kafka's brokers do on theirs. */
    private static final List<Id> IDS = List.of(Caller.SUPER);
    private static final long RETRY_MS = 500;

    interface Listener {
        /** A session is (again) established: re-arm watches, re-read state, re-create ephemerals. */
        void sessionStarted(boolean newSession);

        /** A watch fired (a persistent one, usually): ZooKeeper event type and path. */
        void event(int type, String path);
    }

    private final Vertx vertx;
    private final Context context;
    private final CoordinatorVerticle coordination;
    private final int timeoutMs;
    private final Listener listener;
    private long sessionId;
    private byte[] password;
    private long touchTimer = -1;
    private boolean closed;
    /** Bumped on every (re)connect: events and replies of an earlier connection are ignored. */
    private int generation;

    MetaSession(Vertx vertx, Context context, CoordinatorVerticle coordination, int timeoutMs, Listener listener) {
        this.vertx = vertx;
        this.context = context;
        this.coordination = coordination;
        this.timeoutMs = timeoutMs;
        this.listener = listener;
    }

    /** Connects (retrying until the coordination service answers); the listener hears of it. */
    void open() {
        connect(0, null);
    }

    boolean connected() {
        return sessionId != 0;
    }

    long sessionId() {
        return sessionId;
    }

    private void connect(long id, byte[] pw) {
        if (closed) {
            return;
        }
        int gen = ++generation;
        coordination.connect(id, pw, timeoutMs, 0, this).onComplete(ar -> {
            if (closed || gen != generation) {
                return;
            }
            if (ar.failed()) {
                LOG.debug("coordination session not established ({}); retrying", ar.cause().getMessage());
                vertx.setTimer(RETRY_MS, t -> connect(id, pw));
                return;
            }
            if (ar.result() == null) {
                if (id != 0) {
                    LOG.info("broker session 0x{} expired; starting a new one", Long.toHexString(id));
                }
                connect(0, null);
                return;
            }
            boolean fresh = ar.result().sessionId() != id;
            sessionId = ar.result().sessionId();
            password = ar.result().password();
            cancelTouch();
            touchTimer = vertx.setPeriodic(Math.max(100, ar.result().timeout() / 3), t -> coordination.touch(sessionId));
            LOG.info("broker session 0x{} {} (timeout {} ms)", Long.toHexString(sessionId),
                    fresh ? "established" : "resumed", ar.result().timeout());
            listener.sessionStarted(fresh);
        });
    }

    /** Runs a request on the session; CONNECTIONLOSS when there is none at the moment. */
    Future<Result> call(Op op) {
        if (sessionId == 0 || closed) {
            return Future.succeededFuture(Result.error(Codes.CONNECTIONLOSS, 0));
        }
        return coordination.execute(new Caller(sessionId, IDS, this), op);
    }

    /**
     * {@link #call}, retried while the answer is CONNECTIONLOSS (no quorum, an election, a write whose outcome is
     * unknown; the session reconnects meanwhile), SESSIONEXPIRED or SESSIONMOVED (the broker was cut off and its
     * session is being replaced) or OPERATIONTIMEOUT, until {@code timeoutMs} has passed, as Kafka's
     * {@code KafkaZkClient.retryRequestsUntilConnected}. A retried create may find the node it made itself
     * (NODEEXISTS), a retried conditional write its own version bump (BADVERSION): callers check.
     */
    Future<Result> callUntilConnected(Op op, long timeoutMs) {
        return attempt(op, System.nanoTime() + Math.max(0, timeoutMs) * 1_000_000L);
    }

    /** An error a retry may clear: the connection or session to the coordination service, or a commit wait. */
    static boolean isTransient(int err) {
        return err == Codes.CONNECTIONLOSS || err == Codes.SESSIONEXPIRED || err == Codes.SESSIONMOVED
                || err == Codes.OPERATIONTIMEOUT;
    }

    private Future<Result> attempt(Op op, long deadline) {
        return call(op).compose(r -> {
            if (!isTransient(r.err()) || closed || System.nanoTime() - deadline >= 0) {
                return Future.succeededFuture(r);
            }
            Promise<Result> next = Promise.promise();
            vertx.setTimer(100, t -> attempt(op, deadline).onComplete(next));
            return next.future();
        });
    }

    @Override
    public void event(int type, String path, long zxid) {
        int gen = generation;
        context.runOnContext(v -> {
            if (gen == generation && !closed) {
                listener.event(type, path);
            }
        });
    }

    @Override
    public void sessionClosed(String reason) {
        context.runOnContext(v -> {
            if (closed || sessionId == 0) {
                return;
            }
            long id = sessionId;
            byte[] pw = password;
            LOG.info("broker session 0x{} lost: {}; reconnecting", Long.toHexString(id), reason);
            coordination.disconnected(id, this);
            sessionId = 0;
            cancelTouch();
            connect(id, pw);
        });
    }

    /** Closes the session (its ephemerals go at once, as a clean broker shutdown in Kafka). */
    Future<Void> close() {
        closed = true;
        cancelTouch();
        if (sessionId == 0) {
            return Future.succeededFuture();
        }
        long id = sessionId;
        sessionId = 0;
        return coordination.execute(new Caller(id, IDS, this), new Op.CloseSession()).mapEmpty();
    }

    private void cancelTouch() {
        if (touchTimer >= 0) {
            vertx.cancelTimer(touchTimer);
            touchTimer = -1;
        }
    }
}
