package io.tributary.http;

import io.tributary.coord.Caller;
import io.tributary.coord.Op;
import io.tributary.coord.WatchSink;
import io.tributary.zk.ZkAuth;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code /ws} socket: many subscriptions with client-chosen ids over a JSON text protocol
 * ({@code docs/websocket.md}). Lives on the event loop of the listener instance that accepted it; every
 * field is touched there only. Engine callbacks (watch events from the coordination log's sync thread,
 * append wake-ups from partition owners) hop here first.
 *
 * <p>For watches the socket holds one coordination session, created on the first watch subscription and
 * closed with the socket, exactly as a ZooKeeper connection holds one; each watch subscription is its own
 * {@link WatchSink}, so ending one removes only its watches. The socket itself is the session's sink (a
 * session that expires closes it with 4410).
 *
 * <p>Watch frames leave through an ordered FIFO ({@link OrderedFrames}), because an event with
 * {@code include: "data"} waits for its read while later events may already be known; topic records are
 * written directly. Everything goes through the socket's {@link SendQueue}. Client frames: {@code init},
 * {@code ping}, {@code subscribe}, {@code unsubscribe}, {@code produce} ({@link WsProduce}) and {@code ack}
 * (a group tail's commit, {@link TailSubscription#onAck}).
 */
final class WsConnection implements WatchSink {
    private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);

    // Close codes (docs/websocket.md)
    static final short CLOSE_UNAUTHORIZED = 4401;
    static final short CLOSE_IDLE = 4408;
    static final short CLOSE_SESSION_EXPIRED = 4410;
    static final short CLOSE_TOO_MANY_SOCKETS = 4429;

    /** Produce frames in flight before the socket stops reading. */
    private static final int MAX_PRODUCES_IN_FLIGHT = 256;

    final HttpFrontDoor door;
    final ServerWebSocket ws;
    final Context context;
    final String clientIp;
    final ZkAuth auth;
    final SendQueue out;
    private final Map<String, Subscription> subs = new LinkedHashMap<>();
    /** Watch frames, in zxid order. */
    final OrderedFrames watchFrames;
    private final WsProduce produce;
    private Future<Long> session;
    private long sessionId;
    private long lastReceived = System.currentTimeMillis();
    private long lastHeartbeat = System.currentTimeMillis();
    private long timer = -1;
    private boolean closed;
    private boolean admitted;
    private int producesInFlight;
    private boolean pausedForProduce;

    interface Subscription {
        String id();

        /** Releases engine resources (watches, append watchers) without sending anything. */
        void cancel();
    }

    WsConnection(HttpFrontDoor door, ServerWebSocket ws, Context context, ZkAuth auth) {
        this.door = door;
        this.ws = ws;
        this.context = context;
        this.clientIp = ws.remoteAddress() == null ? "unknown" : ws.remoteAddress().hostAddress();
        this.auth = auth;
        this.out = new SendQueue(ws, door.settings.wsMaxQueuedBytes());
        this.watchFrames = new OrderedFrames(out);
        this.produce = new WsProduce(this);
    }

    /** @param authProblem why the upgrade's credentials were refused, or null */
    void start(String authProblem) {
        ws.closeHandler(v -> onClosed());
        ws.exceptionHandler(t -> LOG.debug("WebSocket from {}: {}", clientIp, t.toString()));
        if (!door.admitSocket(clientIp)) {
            closed = true;
            LOG.warn("refusing WebSocket from {}: more than {} sockets from that address ({})", clientIp,
                    door.settings.wsMaxSocketsPerIp(), "http.ws.max.connections.per.ip");
            ws.close(CLOSE_TOO_MANY_SOCKETS, "too many sockets from " + clientIp);
            return;
        }
        admitted = true;
        if (authProblem != null) {
            closeWith(CLOSE_UNAUTHORIZED, authProblem);
            return;
        }
        ws.textMessageHandler(this::onText);
        ws.binaryMessageHandler(b -> {
            touched();
            error(null, HttpErrors.UNSUPPORTED_MEDIA_TYPE, "binary frames are not part of the protocol; send JSON text");
        });
        ws.pongHandler(b -> touched());
        long period = Math.max(10, Math.min(door.settings.wsHeartbeatMs(),
                Math.min(door.settings.wsIdleTimeoutMs() / 2, door.settings.wsSessionTimeoutMs() / 3)));
        timer = door.vertx.setPeriodic(period, id -> onTimer());
    }

    private void touched() {
        lastReceived = System.currentTimeMillis();
    }

    private void onTimer() {
        if (closed) {
            return;
        }
        long now = System.currentTimeMillis();
        if (now - lastReceived > door.settings.wsIdleTimeoutMs()) {
            closeWith(CLOSE_IDLE, "nothing received for " + door.settings.wsIdleTimeoutMs() + " ms");
            return;
        }
        if (sessionId != 0) {
            door.coordinator.touch(sessionId);
        }
        if (now - lastHeartbeat >= door.settings.wsHeartbeatMs()) {
            lastHeartbeat = now;
            // A WebSocket ping makes browsers answer with a pong by themselves, which counts as traffic.
            ws.writePing(Buffer.buffer());
            if (!out.full()) {
                out.send(new JsonObject().put("type", "heartbeat").put("time", now));
            }
        }
    }

    // ---- frames from the client ----

    private void onText(String text) {
        touched();
        if (closed) {
            return;
        }
        JsonObject frame;
        try {
            frame = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            error(null, HttpErrors.INVALID_PAYLOAD, "frame is not a JSON object");
            return;
        }
        Object type = frame.getValue("type");
        Object idValue = frame.getValue("id");
        String id = idValue instanceof String s ? s : null;
        if (!(type instanceof String t)) {
            error(id, HttpErrors.INVALID_PAYLOAD, "frame has no string \"type\"");
            return;
        }
        if (idValue != null && (id == null || id.isEmpty() || id.length() > 128)) {
            error(null, HttpErrors.INVALID_PAYLOAD, "\"id\" must be a string of 1..128 characters");
            return;
        }
        switch (t) {
            case "init" -> onInit(frame);
            case "ping" -> out.send(new JsonObject().put("type", "pong").put("time", System.currentTimeMillis()));
            case "subscribe" -> onSubscribe(id, frame);
            case "unsubscribe" -> onUnsubscribe(id);
            case "produce" -> produce.onProduce(id, frame);
            case "ack" -> onAck(id, frame);
            default -> error(id, HttpErrors.INVALID_PAYLOAD, "unknown frame type \"" + t + "\"");
        }
    }

    /** {@code {"type":"init","auth":[{"scheme":"digest","credentials":"user:password"}]}}; may come again (like addauth). */
    private void onInit(JsonObject frame) {
        Object a = frame.getValue("auth");
        if (a != null) {
            io.vertx.core.json.JsonArray list = a instanceof io.vertx.core.json.JsonArray arr ? arr
                    : a instanceof JsonObject o ? new io.vertx.core.json.JsonArray().add(o) : null;
            if (list == null) {
                error(null, HttpErrors.INVALID_PAYLOAD, "\"auth\" must be an object or a list of objects");
                return;
            }
            for (Object e : list) {
                if (!(e instanceof JsonObject o) || !(o.getValue("credentials") instanceof String cred)
                        || !"digest".equals(o.getString("scheme", "digest")) || cred.indexOf(':') < 0) {
                    closeWith(CLOSE_UNAUTHORIZED, "only digest credentials \"user:password\" are accepted");
                    return;
                }
                auth.add("digest", cred.getBytes(StandardCharsets.UTF_8));
            }
        }
        io.vertx.core.json.JsonArray ids = new io.vertx.core.json.JsonArray();
        auth.ids().forEach(i -> ids.add(i.getScheme() + ":" + ("digest".equals(i.getScheme())
                ? i.getId().substring(0, i.getId().indexOf(':')) : i.getId())));
        out.send(new JsonObject().put("type", "ready").put("heartbeat_ms", door.settings.wsHeartbeatMs())
                .put("idle_timeout_ms", door.settings.wsIdleTimeoutMs())
                .put("max_queued_bytes", door.settings.wsMaxQueuedBytes())
                .put("max_subscriptions", door.settings.wsMaxSubscriptions()).put("ids", ids));
    }

    private void onSubscribe(String id, JsonObject frame) {
        if (id == null) {
            error(null, HttpErrors.INVALID_PAYLOAD, "subscribe needs an \"id\"");
            return;
        }
        if (subs.containsKey(id)) {
            error(id, 40901, "subscription id \"" + id + "\" is already in use on this socket");
            return;
        }
        if (subs.size() >= door.settings.wsMaxSubscriptions()) {
            error(id, 42901, "at most " + door.settings.wsMaxSubscriptions()
                    + " subscriptions per socket (http.ws.max.subscriptions)");
            return;
        }
        Object w = frame.getValue("watch");
        Object t = frame.getValue("tail");
        if ((w == null) == (t == null)) {
            error(id, HttpErrors.INVALID_PAYLOAD, "subscribe needs exactly one of \"watch\" or \"tail\"");
            return;
        }
        if (!((w != null ? w : t) instanceof JsonObject)) {
            error(id, HttpErrors.INVALID_PAYLOAD, "\"" + (w == null ? "tail" : "watch") + "\" must be an object");
            return;
        }
        if (w != null) {
            WatchSubscription s = WatchSubscription.parse(this, id, (JsonObject) w);
            if (s != null) {
                subs.put(id, s);
                door.wsSubscriptions.incrementAndGet();
                s.start();
            }
        } else {
            TailSubscription s = TailSubscription.parse(this, id, (JsonObject) t);
            if (s != null) {
                subs.put(id, s);
                door.wsSubscriptions.incrementAndGet();
                s.start();
            }
        }
    }

    private void onUnsubscribe(String id) {
        Subscription s = id == null ? null : subs.remove(id);
        if (s != null) {
            door.wsSubscriptions.decrementAndGet();
        }
        if (s == null) {
            error(id, 40406, "no subscription \"" + id + "\" on this socket");
            return;
        }
        s.cancel();
        complete(id, "unsubscribed");
    }

    /** {@code {"type":"ack","id":..,"token":..}} or {@code {..,"partition":p,"offset":o}}: what a group tail may commit. */
    private void onAck(String id, JsonObject frame) {
        Subscription s = id == null ? null : subs.get(id);
        if (!(s instanceof TailSubscription tail)) {
            error(id, 40406, "no tail subscription \"" + id + "\" on this socket");
            return;
        }
        tail.onAck(frame);
    }

    // ---- what subscriptions call ----

    boolean isOpen() {
        return !closed;
    }

    /** The socket's coordination session (created on first use), for watch subscriptions. */
    Future<Long> session() {
        if (session == null) {
            Promise<Long> p = Promise.promise();
            session = p.future();
            door.coordinator.connect(0, null, door.settings.wsSessionTimeoutMs(), 0, this).onComplete(ar -> {
                if (ar.succeeded() && ar.result() != null) {
                    sessionId = ar.result().sessionId();
                    if (closed) {
                        closeSession();
                    }
                    p.complete(sessionId);
                } else {
                    p.fail(ar.failed() ? ar.cause() : new IllegalStateException("no session"));
                }
            });
        }
        return session;
    }

    Caller caller(WatchSink sink) {
        return new Caller(sessionId, auth.ids(), sink);
    }

    /** Ends a subscription from the server side (one-shot fired, error, overflow): no more frames for it. */
    void forget(String id) {
        if (subs.remove(id) != null) {
            door.wsSubscriptions.decrementAndGet();
        }
    }

    void error(String id, int code, String message) {
        JsonObject f = new JsonObject().put("type", "error");
        if (id != null) {
            f.put("id", id);
        }
        out.send(f.put("error_code", code).put("message", message));
    }

    void complete(String id, String reason) {
        out.send(new JsonObject().put("type", "complete").put("id", id).put("reason", reason));
    }

    void produceStarted() {
        if (++producesInFlight >= MAX_PRODUCES_IN_FLIGHT && !pausedForProduce) {
            pausedForProduce = true;
            ws.pause();
        }
    }

    void produceDone() {
        if (--producesInFlight < MAX_PRODUCES_IN_FLIGHT / 2 && pausedForProduce) {
            pausedForProduce = false;
            ws.resume();
        }
    }

    // ---- WatchSink of the session itself (its watches belong to the subscriptions' sinks) ----

    @Override
    public void event(int type, String path, long zxid) {
        // never registered as a watcher
    }

    @Override
    public void sessionClosed(String reason) {
        context.runOnContext(v -> closeWith(CLOSE_SESSION_EXPIRED, reason));
    }

    // ---- closing ----

    void closeWith(short code, String reason) {
        if (closed) {
            return;
        }
        LOG.info("closing WebSocket from {} with {}: {}", clientIp, code, reason);
        closed = true;
        ws.close(code, reason.length() > 120 ? reason.substring(0, 120) : reason);
        release();
    }

    private void onClosed() {
        closed = true;
        release();
    }

    private boolean released;

    private void release() {
        if (released) {
            return;
        }
        released = true;
        if (timer >= 0) {
            door.vertx.cancelTimer(timer);
        }
        for (Subscription s : subs.values()) {
            s.cancel();
        }
        door.wsSubscriptions.addAndGet(-subs.size());
        subs.clear();
        watchFrames.close();
        closeSession();
        if (admitted) {
            admitted = false;
            door.socketClosed(clientIp);
        }
    }

    private void closeSession() {
        if (sessionId != 0) {
            long id = sessionId;
            sessionId = 0;
            door.coordinator.execute(new Caller(id, auth.ids(), this), new Op.CloseSession());
        }
    }
}
