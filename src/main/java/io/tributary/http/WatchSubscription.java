package io.tributary.http;

import io.tributary.coord.Codes;
import io.tributary.coord.CoordException;
import io.tributary.coord.Op;
import io.tributary.coord.Paths;
import io.tributary.coord.Result;
import io.tributary.coord.WatchSink;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A znode watch over a WebSocket: the subscription is the engine's {@link WatchSink} for its watches, as a
 * ZooKeeper connection is for its own.
 *
 * <p>Registration and the initial read are one engine task ({@code CoordinatorVerticle.executeAll}):
 * getData (checks the node exists and the caller may READ it; arms the one-shot data watch in mode
 * {@code data}), getChildren (arms the one-shot child watch in mode {@code children}), and addWatch for the
 * persistent modes, in that order, stopping at the first failure. So the snapshot and the watch see the
 * same state: a change is either in the snapshot or arrives as an event, never both, never neither. Every
 * reply and event leaves the engine only once durable, in zxid order.
 *
 * <p>Modes: {@code data} and {@code children} fire once (then {@code complete}), {@code persistent}
 * and {@code persistent-recursive} until {@code unsubscribe}, with ZooKeeper's event rules. A recursive
 * watch tells only of descendants the socket's ids may READ, as ZooKeeper checks each node's ACL before it
 * delivers a persistent recursive event (CVE-2024-23944): a created or changed descendant is read with
 * those ids first (in the ordered stream, so order is kept) and its event withheld on NOAUTH; a deletion
 * is told only for a node this subscription saw readable, since the engine's event no longer carries the
 * node's ACL.
 * Overflow: an event that would take the socket's queue past {@code http.ws.max.queued.bytes} ends the
 * subscription with an {@code overflow} frame naming the last zxid delivered; nothing is dropped silently.
 */
final class WatchSubscription implements WsConnection.Subscription, WatchSink {
    private static final long EVENT_ESTIMATE = 256;
    /** Descendants whose readability a recursive watch remembers for their deletion events. */
    static final int MAX_KNOWN = 10_000;

    private final WsConnection conn;
    private final String id;
    private final String path;
    private final String mode;
    private final boolean initial;
    private final boolean includeData;
    private final String encoding;
    private long lastZxid;
    private boolean active = true;
    /** Recursive mode: descendant path -> whether the socket's ids may READ it, as last checked. */
    private final java.util.Map<String, Boolean> readable = new java.util.HashMap<>();

    private WatchSubscription(WsConnection conn, String id, String path, String mode, boolean initial,
                              boolean includeData, String encoding) {
        this.conn = conn;
        this.id = id;
        this.path = path;
        this.mode = mode;
        this.initial = initial;
        this.includeData = includeData;
        this.encoding = encoding;
    }

    /** Checks a {@code watch} object; on bad input sends the error frame and returns null. */
    static WatchSubscription parse(WsConnection conn, String id, JsonObject w) {
        Object path = w.getValue("path");
        if (!(path instanceof String p)) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "watch needs a string \"path\"");
            return null;
        }
        try {
            Paths.validate(p);
        } catch (CoordException e) {
            conn.error(id, 42207, e.getMessage());
            return null;
        }
        String mode = String.valueOf(w.getValue("mode", "persistent"));
        if (!List.of("data", "children", "persistent", "persistent-recursive").contains(mode)) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "mode must be data, children, persistent or persistent-recursive");
            return null;
        }
        Object initial = w.getValue("initial", false);
        Object include = w.getValue("include");
        Object encoding = w.getValue("encoding", "utf8");
        if (!(initial instanceof Boolean) || (include != null && !"data".equals(include))
                || !("utf8".equals(encoding) || "base64".equals(encoding))) {
            conn.error(id, HttpErrors.INVALID_PAYLOAD, "initial is a boolean, include is \"data\", encoding utf8 or base64");
            return null;
        }
        return new WatchSubscription(conn, id, p, mode, (Boolean) initial, include != null, (String) encoding);
    }

    @Override
    public String id() {
        return id;
    }

    void start() {
        conn.session().onComplete(ar -> {
            if (!active || !conn.isOpen()) {
                return;
            }
            if (ar.failed()) {
                end();
                conn.error(id, 50300, "no coordination session: " + ar.cause().getMessage());
                return;
            }
            List<Op> ops = new ArrayList<>();
            ops.add(new Op.GetData(path, mode.equals("data")));
            ops.add(new Op.GetChildren(path, mode.equals("children")));
            if (mode.startsWith("persistent")) {
                ops.add(new Op.AddWatch(path, mode.equals("persistent-recursive")));
            }
            OrderedFrames.Slot slot = conn.watchFrames.reserve(EVENT_ESTIMATE);
            conn.door.coordinator.executeAll(conn.caller(this), ops).onComplete(res -> {
                if (res.failed()) {
                    conn.watchFrames.fill(slot, null);
                    fail(50000, "engine failure: " + res.cause().getMessage());
                    return;
                }
                List<Result> rs = res.result();
                Result last = rs.get(rs.size() - 1);
                if (last.err() != Codes.OK || rs.size() < ops.size()) {
                    conn.watchFrames.fill(slot, null);
                    fail(errorCode(last.err()), describe(last.err()));
                    return;
                }
                if (!active) {
                    conn.watchFrames.fill(slot, null);
                    return;
                }
                Result.Data data = (Result.Data) rs.get(0).value();
                Result.Children children = (Result.Children) rs.get(1).value();
                lastZxid = rs.get(0).zxid();
                JsonObject f = new JsonObject().put("type", initial ? "snapshot" : "subscribed").put("id", id)
                        .put("path", path).put("zxid", lastZxid);
                if (initial) {
                    Json.putBytes(f, "data", data.data() == null ? null : ByteBuffer.wrap(data.data()), encoding);
                    f.put("stat", Json.stat(data.stat()));
                    f.put("children", new JsonArray(new ArrayList<>(children.children())));
                }
                conn.watchFrames.fill(slot, f);
            });
        });
    }

    private void fail(int code, String message) {
        if (active) {
            end();
            conn.error(id, code, message);
        }
    }

    static int errorCode(int zkErr) {
        return switch (zkErr) {
            case Codes.NONODE -> HttpErrors.ZNODE_NOT_FOUND;
            case Codes.NOAUTH -> 40301;
            case Codes.BADARGUMENTS -> 42207;
            case Codes.SESSIONEXPIRED -> 50301;
            default -> 50000;
        };
    }

    static String describe(int zkErr) {
        return switch (zkErr) {
            case Codes.NONODE -> "no znode at that path (NONODE)";
            case Codes.NOAUTH -> "the ACL does not let these ids read the znode (NOAUTH)";
            case Codes.BADARGUMENTS -> "bad arguments (BADARGUMENTS)";
            case Codes.SESSIONEXPIRED -> "the socket's session expired (SESSIONEXPIRED)";
            default -> "coordination error " + zkErr;
        };
    }

    // ---- WatchSink: called on the coordination log's sync thread once the change is durable ----

    @Override
    public void event(int type, String eventPath, long zxid) {
        conn.context.runOnContext(v -> onEvent(type, eventPath, zxid));
    }

    @Override
    public void sessionClosed(String reason) {
        // the session belongs to the socket (WsConnection is its sink)
    }

    private void onEvent(int type, String eventPath, long zxid) {
        if (!active || !conn.isOpen()) {
            return;
        }
        long estimate = EVENT_ESTIMATE + eventPath.length();
        if (!conn.out.fits(conn.watchFrames.reservedBytes() + estimate)) {
            overflow();
            return;
        }
        boolean recursive = mode.equals("persistent-recursive");
        boolean createdOrChanged = type == Codes.EVENT_NODE_CREATED || type == Codes.EVENT_NODE_DATA_CHANGED;
        if (recursive && type == Codes.EVENT_NODE_DELETED && !Boolean.TRUE.equals(readable.remove(eventPath))) {
            return; // its ACL went with it, and it was never shown readable: withheld (docs/websocket.md)
        }
        JsonObject f = new JsonObject().put("type", "event").put("id", id).put("event", eventName(type))
                .put("path", eventPath).put("zxid", zxid);
        lastZxid = Math.max(lastZxid, zxid);
        boolean oneShot = mode.equals("data") || mode.equals("children");
        OrderedFrames.Slot slot = conn.watchFrames.reserve(estimate);
        OrderedFrames.Slot completed = oneShot ? conn.watchFrames.reserve(64) : null;
        if (oneShot) {
            end();
        }
        if (createdOrChanged && (includeData || recursive)) {
            // The data as of now (its stat's mzxid says whether it is this change or a later one), read with the
            // socket's ids: in a recursive watch that read is also the READ check ZooKeeper makes on every
            // descendant before it tells a watcher about it.
            conn.door.coordinator.execute(conn.caller(null), new Op.GetData(eventPath, false)).onComplete(ar -> {
                int err = ar.succeeded() ? ar.result().err() : -1;
                if (recursive && !eventPath.equals(path)) {
                    if (err == Codes.OK || err == Codes.NOAUTH) {
                        remember(eventPath, err == Codes.OK);
                    }
                    if (err == Codes.NOAUTH || (err != Codes.OK && !Boolean.TRUE.equals(readable.get(eventPath)))) {
                        conn.watchFrames.fill(slot, null); // not readable, or gone before it could be shown readable
                        return;
                    }
                }
                if (includeData && err == Codes.OK) {
                    Result.Data d = (Result.Data) ar.result().value();
                    Json.putBytes(f, "data", d.data() == null ? null : ByteBuffer.wrap(d.data()), encoding);
                    f.put("stat", Json.stat(d.stat()));
                } else if (includeData && ar.succeeded()) {
                    f.put("data_error", describe(err));
                }
                conn.watchFrames.fill(slot, f);
                fillCompleted(completed);
            });
        } else {
            conn.watchFrames.fill(slot, f);
            fillCompleted(completed);
        }
    }

    /** Remembers whether a descendant may be read, for its deletion event (bounded; past it, unknown). */
    private void remember(String node, boolean ok) {
        if (readable.size() < MAX_KNOWN || readable.containsKey(node)) {
            readable.put(node, ok);
        }
    }

    private void fillCompleted(OrderedFrames.Slot completed) {
        if (completed != null) {
            conn.watchFrames.fill(completed, new JsonObject().put("type", "complete").put("id", id).put("reason", "fired"));
        }
    }

    private void overflow() {
        conn.door.wsOverflows.increment();
        end();
        OrderedFrames.Slot slot = conn.watchFrames.reserve(0);
        conn.watchFrames.fill(slot, new JsonObject().put("type", "overflow").put("id", id).put("path", path)
                .put("last_zxid", lastZxid)
                .put("message", "the socket's send queue is past http.ws.max.queued.bytes; subscribe again with"
                        + " initial: true to re-read and continue"));
    }

    private static String eventName(int type) {
        return switch (type) {
            case Codes.EVENT_NODE_CREATED -> "NodeCreated";
            case Codes.EVENT_NODE_DELETED -> "NodeDeleted";
            case Codes.EVENT_NODE_DATA_CHANGED -> "NodeDataChanged";
            case Codes.EVENT_NODE_CHILDREN_CHANGED -> "NodeChildrenChanged";
            default -> "Event" + type;
        };
    }

    /** Ends the subscription server-side: its watches go, no further frame. */
    private void end() {
        if (active) {
            active = false;
            conn.forget(id);
            conn.door.coordinator.disconnected(sessionIdOrZero(), this);
        }
    }

    private long sessionIdOrZero() {
        return conn.caller(this).sessionId();
    }

    @Override
    public void cancel() {
        if (active) {
            active = false;
            conn.door.coordinator.disconnected(sessionIdOrZero(), this);
        }
    }
}
