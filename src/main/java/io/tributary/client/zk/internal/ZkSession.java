package io.tributary.client.zk.internal;

import io.tributary.client.internal.Loop;
import io.tributary.client.internal.LoopStream;
import io.tributary.client.zk.SessionState;
import io.tributary.client.zk.ZkClientOptions;
import io.tributary.client.zk.ZkException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.SetWatches2;
import org.apache.zookeeper.proto.WatcherEvent;
import org.reactivestreams.Subscriber;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A ZooKeeper session across connections, on the client's loop: which server to try next, the session id and
 * password a reconnect presents (with the last zxid seen, so a server behind this client refuses it), the requests
 * waiting for a connection, the credentials and watches a new connection must restore before anything else, and the
 * session's state.
 *
 * <p>After each handshake the connection first gets the auth packets, then SetWatches2 (relative to the last zxid
 * seen), then the queued requests, in that order on the wire, as ClientCnxn's primeConnection does; CONNECTED is
 * announced once the server acknowledged the credentials and watches, so a change made after a subscriber sees
 * CONNECTED is reported to every watch. A request written when the connection drops fails with CONNECTIONLOSS (its
 * outcome is unknown); one submitted while disconnected waits up to the request timeout. A server answering the
 * handshake with timeout 0 ends the session as EXPIRED.
 */
public final class ZkSession implements ZkConnection.Listener {
    private final Loop loop;
    private final Vertx vertx;
    private final NetClient net;
    private final ZkClientOptions options;
    private final List<String> servers;
    private final WatchRegistry watches = new WatchRegistry();
    private final ArrayDeque<Request> queued = new ArrayDeque<>();
    private final List<AuthPacket> auths = new ArrayList<>();
    private final List<LoopStream<SessionState>> stateStreams = new ArrayList<>();
    private final List<Promise<Void>> connectedWaiters = new ArrayList<>();
    private volatile SessionState state = SessionState.CONNECTING;
    private ZkConnection conn;
    private int next;
    private int failedAttempts;
    private long backoffMs;
    private volatile long sessionId;
    private volatile byte[] password = new byte[16];
    private volatile int timeout;
    private long lastZxid;
    private int xid = 1;
    private Promise<Void> closed;

    public ZkSession(Loop loop, NetClient net, ZkClientOptions options) {
        this.loop = loop;
        this.vertx = loop.context().owner();
        this.net = net;
        this.options = options;
        this.servers = options.servers();
        this.backoffMs = options.reconnectBackoffMs();
    }

    public Loop loop() {
        return loop;
    }

    public ZkClientOptions options() {
        return options;
    }

    public WatchRegistry watches() {
        return watches;
    }

    /** Starts connecting; on the loop. */
    public void start() {
        loop.check();
        connectNext();
    }

    private void connectNext() {
        if (state.isTerminal() || closed != null) {
            return;
        }
        String server = servers.get(next);
        next = (next + 1) % servers.size();
        long connectTimeout = Math.min(options.connectTimeoutMs(), Math.max(1000, options.sessionTimeoutMs() / servers.size()));
        ConnectRequest hello = new ConnectRequest(0, lastZxid, options.sessionTimeoutMs(), sessionId, password, false);
        ZkConnection.open(loop, net, server, hello, connectTimeout, options.maxFrameBytes()).onComplete(ar -> {
            if (ar.failed()) {
                retry();
            } else if (state.isTerminal() || closed != null) {
                ar.result().close();
            } else {
                onHandshake(ar.result());
            }
        });
    }

    private void retry() {
        failedAttempts++;
        if (failedAttempts % servers.size() != 0) {
            connectNext();
            return;
        }
        // Every server failed once: pause before the next round, doubling up to a second.
        long pause = backoffMs;
        backoffMs = Math.min(1000, backoffMs * 2);
        vertx.setTimer(Math.max(1, pause), t -> connectNext());
    }

    private void onHandshake(ZkConnection c) {
        if (c.negotiatedTimeout() <= 0) {
            c.close();
            end(SessionState.EXPIRED, new ZkException(ZkException.SESSIONEXPIRED, null,
                    "session 0x" + Long.toHexString(sessionId) + " expired"));
            return;
        }
        sessionId = c.sessionId();
        password = c.password();
        timeout = c.negotiatedTimeout();
        failedAttempts = 0;
        backoffMs = options.reconnectBackoffMs();
        conn = c;
        c.activate(this);
        if (conn != c) {
            return; // closed while activating
        }
        List<Future<?>> primed = new ArrayList<>();
        for (AuthPacket a : auths) {
            Promise<Void> p = Promise.promise();
            c.sendAuth(a, p);
            primed.add(p.future().onFailure(e -> authFailed(c, e)));
        }
        for (SetWatches2 sw : watches.setWatches(lastZxid)) {
            Request r = new Request(Wire.SET_WATCHES2, sw, null, null);
            r.xid = Wire.XID_SET_WATCHES;
            c.send(r);
            primed.add(r.promise.future());
        }
        while (!queued.isEmpty()) {
            write(queued.poll());
        }
        Future.all(primed).onSuccess(v -> {
            if (conn == c && !state.isTerminal()) {
                setState(SessionState.CONNECTED);
                List<Promise<Void>> ws = new ArrayList<>(connectedWaiters);
                connectedWaiters.clear();
                ws.forEach(Promise::tryComplete);
                for (WatchRegistry.Listener l : watches.all()) {
                    l.onConnected();
                }
            }
        });
    }

    private void authFailed(ZkConnection c, Throwable e) {
        if (e instanceof ZkException z && z.code() == ZkException.AUTHFAILED && conn == c) {
            c.close();
            end(SessionState.AUTH_FAILED, z);
        }
    }

    @Override
    public void onNotification(WatcherEvent event, long zxid) {
        watches.dispatch(event.getType(), event.getPath(), zxid);
    }

    @Override
    public void onClosed(ZkConnection c, Throwable cause) {
        if (c != conn) {
            return;
        }
        conn = null;
        if (closed != null) {
            finishClose();
            return;
        }
        if (state.isTerminal()) {
            return;
        }
        if (state == SessionState.CONNECTED) {
            setState(SessionState.DISCONNECTED);
        }
        connectNext();
    }

    /**
     * Sends a request (or queues it until connected); completes on the loop with the reply, or fails with a
     * {@link ZkException} carrying the server's error code.
     */
    public Future<Request.Reply> submit(int type, Record body, Record response, String path) {
        loop.check();
        if (state.isTerminal() || closed != null) {
            return Future.failedFuture(terminalError(path));
        }
        Request r = new Request(type, body, response, path);
        if (conn != null) {
            write(r);
        } else if (queued.size() >= options.maxQueuedRequests()) {
            return Future.failedFuture(new ZkException(ZkException.CONNECTIONLOSS, path,
                    queued.size() + " requests already wait for a connection"));
        } else {
            queued.add(r);
            r.queueTimer = vertx.setTimer(options.requestTimeoutMs(), t -> {
                r.queueTimer = -1;
                if (queued.remove(r)) {
                    r.promise.tryFail(new ZkException(ZkException.CONNECTIONLOSS, path,
                            "no connection within " + options.requestTimeoutMs() + " ms"));
                }
            });
        }
        // Every reply carries the server's zxid, error replies included (ClientCnxn records both).
        return r.promise.future().onComplete(ar -> {
            long z = ar.succeeded() ? ar.result().zxid() : ar.cause() instanceof ZkException e ? e.zxid() : 0;
            if (z > lastZxid) {
                lastZxid = z;
            }
        });
    }

    private void write(Request r) {
        if (r.queueTimer >= 0) {
            vertx.cancelTimer(r.queueTimer);
            r.queueTimer = -1;
        }
        r.xid = xid;
        xid = xid == Integer.MAX_VALUE ? 1 : xid + 1;
        conn.send(r);
    }

    private ZkException terminalError(String path) {
        return switch (state) {
            case EXPIRED -> new ZkException(ZkException.SESSIONEXPIRED, path);
            case AUTH_FAILED -> new ZkException(ZkException.AUTHFAILED, path);
            default -> new ZkException(ZkException.CONNECTIONLOSS, path, "the client is closed");
        };
    }

    /** Adds credentials: sent now if connected, and again on every reconnect; fails with AUTHFAILED if refused. */
    public Future<Void> addAuth(String scheme, byte[] auth) {
        loop.check();
        if (state.isTerminal() || closed != null) {
            return Future.failedFuture(terminalError(null));
        }
        AuthPacket a = new AuthPacket(0, scheme, auth);
        auths.add(a);
        if (conn == null) {
            return whenConnected();
        }
        Promise<Void> p = Promise.promise();
        ZkConnection c = conn;
        c.sendAuth(a, p);
        return p.future().onFailure(e -> authFailed(c, e));
    }

    /** Completes when the session is (or next becomes) CONNECTED; fails if it ends first. */
    public Future<Void> whenConnected() {
        loop.check();
        if (state == SessionState.CONNECTED) {
            return Future.succeededFuture();
        }
        if (state.isTerminal() || closed != null) {
            return Future.failedFuture(terminalError(null));
        }
        Promise<Void> p = Promise.promise();
        connectedWaiters.add(p);
        return p.future();
    }

    /** The state; readable from any thread. */
    public boolean isConnected() {
        return state == SessionState.CONNECTED;
    }

    public SessionState state() {
        return state;
    }

    public long sessionId() {
        return sessionId;
    }

    public byte[] password() {
        return password.clone();
    }

    /** The highest zxid a reply has carried (what a reconnect presents as lastZxidSeen). */
    public long lastZxidSeen() {
        return lastZxid;
    }

    public int negotiatedTimeout() {
        return timeout;
    }

    /** The current state, then every change, latest-collapsed for a slow subscriber. */
    public void subscribeStates(Subscriber<? super SessionState> down) {
        loop.check();
        LoopStream<SessionState> s = new LoopStream<>(loop, down, 16, LoopStream.Overflow.LATEST, () -> null);
        s.onCancel(() -> stateStreams.remove(s));
        stateStreams.add(s);
        s.start();
        s.offer(state);
        if (state.isTerminal()) {
            s.complete();
        }
    }

    private void setState(SessionState s) {
        if (state == s) {
            return;
        }
        state = s;
        for (LoopStream<SessionState> st : new ArrayList<>(stateStreams)) {
            st.offer(s);
            if (s.isTerminal()) {
                st.complete();
            }
        }
    }

    private void end(SessionState s, ZkException error) {
        if (state.isTerminal()) {
            return;
        }
        setState(s);
        for (Request r : new ArrayList<>(queued)) {
            if (r.queueTimer >= 0) {
                vertx.cancelTimer(r.queueTimer);
            }
            r.promise.tryFail(error);
        }
        queued.clear();
        for (Promise<Void> p : connectedWaiters) {
            p.tryFail(error);
        }
        connectedWaiters.clear();
        for (WatchRegistry.Listener l : watches.all()) {
            l.onEnd(s == SessionState.CLOSED ? null : error);
        }
    }

    /** Sends CloseSession (if connected) and ends the session as CLOSED; idempotent. */
    public Future<Void> close() {
        loop.check();
        if (closed != null) {
            return closed.future();
        }
        closed = Promise.promise();
        if (state.isTerminal()) {
            closed.complete();
            return closed.future();
        }
        if (conn == null) {
            finishClose();
            return closed.future();
        }
        Request r = new Request(Wire.CLOSE_SESSION, null, null, null);
        write(r);
        ZkConnection c = conn;
        long timer = vertx.setTimer(Math.max(1000, timeout / 3), t -> c.close());
        r.promise.future().onComplete(ar -> {
            vertx.cancelTimer(timer);
            c.close();
        });
        return closed.future();
    }

    private void finishClose() {
        end(SessionState.CLOSED, new ZkException(ZkException.CONNECTIONLOSS, null, "the client is closed"));
        closed.tryComplete();
    }
}
