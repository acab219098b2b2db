package io.tributary.client.zk;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.tributary.client.internal.Loop;
import io.tributary.client.internal.Rx;
import io.tributary.client.zk.internal.Paths;
import io.tributary.client.zk.internal.PersistentWatchStream;
import io.tributary.client.zk.internal.Requests;
import io.tributary.client.zk.internal.StateWatchStream;
import io.tributary.client.zk.internal.ZkSession;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * The reactive ZooKeeper client: one session, bound to one Vert.x event loop, speaking ZooKeeper's wire protocol
 * itself (zookeeper-jute's records on a Vert.x {@code NetClient}); there is no {@code ZooKeeper} object under it and no
 * thread of its own. It works against Apache ZooKeeper 3.9 as against Tributary.
 *
 * <pre>{@code
 * ZkClient zk = ZkClient.create(vertx, new ZkClientOptions().connect("127.0.0.1:2181").sessionTimeoutMs(10_000));
 * zk.create("/app", "v1".getBytes(), CreateMode.PERSISTENT).subscribe(created -> ...);
 * zk.watch("/app", WatchMode.PERSISTENT_RECURSIVE, true).subscribe(event -> ...);
 * }</pre>
 *
 * <p>Every operation is cold: it is sent when subscribed to (once per subscription). Failures are
 * {@link ZkException}s carrying ZooKeeper's error code and the path; bad arguments (a null or malformed path, an
 * empty ACL) fail the returned type with {@link IllegalArgumentException} or {@link NullPointerException}, never
 * throwing on the caller's thread. Versions are ZooKeeper's: -1 matches any. Operations are answered in the order
 * they were subscribed to (ZooKeeper's per-session FIFO).
 *
 * <p>Session: the client connects to the servers of the connect string in order, moves to the next when a connection
 * fails or is lost, and presents the same session id and password with the last zxid it saw, so the session, its
 * ephemerals and its watches survive; it pings every third of the negotiated timeout. {@link #sessionStates()} shows
 * the way. A server saying the session expired ends the client: every later operation fails with SESSIONEXPIRED.
 */
public final class ZkClient {
    private final Loop loop;
    private final NetClient net;
    private final ZkSession session;
    private final Requests requests;

    private ZkClient(Loop loop, NetClient net, ZkClientOptions options) {
        this.loop = loop;
        this.net = net;
        this.session = new ZkSession(loop, net, options);
        this.requests = new Requests(session);
    }

    /**
     * A client on a new event-loop context of {@code vertx} (or the caller's, when called on one of its event loops);
     * it starts connecting at once. The client never closes {@code vertx}.
     */
    public static ZkClient create(Vertx vertx, ZkClientOptions options) {
        Objects.requireNonNull(options, "options");
        if (options.servers().isEmpty()) {
            throw new IllegalArgumentException("no server given: set ZkClientOptions.connect(...)");
        }
        Context current = Vertx.currentContext();
        Context ctx = current != null && current.owner() == vertx && current.isEventLoopContext()
                ? current : vertx.getOrCreateContext();
        if (!ctx.isEventLoopContext()) {
            throw new IllegalStateException("create the client from an event loop or from a non-Vert.x thread, not from "
                    + Thread.currentThread().getName());
        }
        NetClient net = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.connectTimeoutMs())));
        ZkClient c = new ZkClient(new Loop(ctx), net, options);
        c.loop.run(c.session::start);
        return c;
    }

    /** The current session state first, then every change; completes after a final state. Never overflows. */
    public Flowable<SessionState> sessionStates() {
        return Flowable.fromPublisher(down -> loop.run(() -> session.subscribeStates(down)));
    }

    /** The session's state now (readable from any thread). */
    public SessionState state() {
        return session.state();
    }

    /** The session id the server assigned (0 before the first connection). */
    public long sessionId() {
        return session.sessionId();
    }

    /** The session password (what a reconnect presents with the id). */
    public byte[] sessionPassword() {
        return session.password();
    }

    /** The session timeout the server granted, in ms (0 before the first connection). */
    public int negotiatedTimeoutMs() {
        return session.negotiatedTimeout();
    }

    /** Completes once the session is CONNECTED (at once if it is); fails if the session ends first. */
    public Completable connected() {
        return Rx.completable(() -> loop.call(session::whenConnected));
    }

    /** Creates {@code path} open to everyone (world:anyone, all permissions). */
    public Single<Created> create(String path, byte[] data, CreateMode mode) {
        return create(path, data, Acls.OPEN_ACL_UNSAFE, mode, -1);
    }

    public Single<Created> create(String path, byte[] data, List<ACL> acl, CreateMode mode) {
        return create(path, data, acl, mode, -1);
    }

    /**
     * Creates a node: Create2 (opcode 15) for the persistent, ephemeral and sequential modes, CreateContainer (19)
     * for {@link CreateMode#CONTAINER}, CreateTTL (21) for the TTL modes, which need {@code ttlMs > 0} (else -1).
     * Succeeds with the node's actual path (sequence suffix included) and its stat.
     */
    public Single<Created> create(String path, byte[] data, List<ACL> acl, CreateMode mode, long ttlMs) {
        return Rx.single(() -> loop.call(() -> requests.create(path, data, acl, mode, ttlMs)));
    }

    /** The node's data and stat; NONODE if it does not exist. */
    public Single<NodeData> getData(String path) {
        return Rx.single(() -> loop.call(() -> requests.getData(path, false).map(Requests.Read::value)));
    }

    /** Sets the data if the node's version is {@code version} (-1: any); BADVERSION otherwise. */
    public Single<Stat> setData(String path, byte[] data, int version) {
        return Rx.single(() -> loop.call(() -> requests.setData(path, data, version)));
    }

    /** Deletes the node if its version is {@code version} (-1: any); NONODE, BADVERSION or NOTEMPTY otherwise. */
    public Completable delete(String path, int version) {
        return Rx.completable(() -> loop.call(() -> requests.delete(path, version)));
    }

    /** The node's stat, or empty if it does not exist. */
    public Maybe<Stat> exists(String path) {
        return Rx.maybe(() -> loop.call(() -> requests.exists(path, false).map(Requests.Read::value)));
    }

    /** The child names (getChildren, opcode 8), in the server's order. */
    public Single<List<String>> getChildren(String path) {
        return Rx.single(() -> loop.call(() -> requests.getChildren(path).map(Children::names)));
    }

    /** The child names and the node's stat (getChildren2, opcode 12). */
    public Single<Children> getChildren2(String path) {
        return Rx.single(() -> loop.call(() -> requests.getChildren2(path, false).map(Requests.Read::value)));
    }

    /** How many descendants the node has (opcode 104). */
    public Single<Integer> getAllChildrenNumber(String path) {
        return Rx.single(() -> loop.call(() -> requests.getAllChildrenNumber(path)));
    }

    /**
     * Applies {@code ops} atomically (opcode 14). Fails with a {@link ZkException} whose code and path are the first
     * failing operation's and whose {@link ZkException#results()} has every operation's result.
     */
    public Single<List<OpResult>> multi(List<ZkOp> ops) {
        return Rx.single(() -> loop.call(() -> requests.multi(ops)));
    }

    /** Reads several nodes in one request (opcode 22); a read that fails gives an {@link OpResult.ErrorResult}. */
    public Single<List<OpResult>> multiRead(List<ZkOp> reads) {
        return Rx.single(() -> loop.call(() -> requests.multiRead(reads)));
    }

    public Single<NodeAcl> getAcl(String path) {
        return Rx.single(() -> loop.call(() -> requests.getAcl(path)));
    }

    /** Sets the ACL if the node's ACL version ({@code aversion}) is {@code aclVersion} (-1: any). */
    public Single<Stat> setAcl(String path, List<ACL> acl, int aclVersion) {
        return Rx.single(() -> loop.call(() -> requests.setAcl(path, acl, aclVersion)));
    }

    /** Completes once the server this client talks to has caught up with the leader for {@code path} (opcode 9). */
    public Completable sync(String path) {
        return Rx.completable(() -> loop.call(() -> requests.sync(path)));
    }

    /** Adds credentials to the session (re-sent on every reconnect); fails with AUTHFAILED if refused. */
    public Completable addAuth(String scheme, byte[] auth) {
        return Rx.completable(() -> loop.call(() -> {
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(auth, "auth");
            return session.addAuth(scheme, auth);
        }));
    }

    /** {@code addAuth("digest", "user:password")}; pair with {@link Acls#digestId}. */
    public Completable addDigest(String user, String password) {
        return Rx.completable(() -> loop.call(() -> session.addAuth("digest",
                (Objects.requireNonNull(user, "user") + ":" + Objects.requireNonNull(password, "password"))
                        .getBytes(StandardCharsets.UTF_8))));
    }

    /** {@link #watch(String, WatchMode, boolean)} without an initial event. */
    public Flowable<WatchEvent> watch(String path, WatchMode mode) {
        return watch(path, mode, false);
    }

    /**
     * A watch as a stream, registered on subscription and removed on disposal. See {@link WatchMode} for what each
     * mode emits and how it handles a slow subscriber. With {@code initial}, the first element is an
     * {@link WatchEvent.Type#INITIAL} event carrying the node's current state, read after the watch was set, so no
     * change falls between it and the events that follow. The stream fails with SESSIONEXPIRED if the session
     * expires and completes when the client is closed; it survives reconnects.
     */
    public Flowable<WatchEvent> watch(String path, WatchMode mode, boolean initial) {
        return Flowable.fromPublisher(down -> loop.run(() -> {
            try {
                Paths.check(path);
                Objects.requireNonNull(mode, "mode");
            } catch (RuntimeException e) {
                Flowable.<WatchEvent>error(e).subscribe(down);
                return;
            }
            switch (mode) {
                case DATA, CHILDREN -> new StateWatchStream(session, down, path, mode == WatchMode.CHILDREN, initial).start();
                case PERSISTENT, PERSISTENT_RECURSIVE ->
                        new PersistentWatchStream(session, down, path, mode == WatchMode.PERSISTENT_RECURSIVE, initial).start();
            }
        }));
    }

    /** Sends CloseSession (the server deletes this session's ephemerals at once) and closes the connection. */
    public Completable close() {
        return Rx.completable(() -> loop.call(() -> session.close().compose(v -> net.close())))
                .onErrorComplete();
    }

    /** The Vert.x context every callback of this client runs on. */
    public Context context() {
        return loop.context();
    }

    /** Notifications the server sent that reached no stream (a test hook: a leaked server-side registration). */
    Single<Long> unroutedNotifications() {
        return Rx.single(() -> loop.call(() -> Future.succeededFuture(session.watches().unrouted())));
    }
}
