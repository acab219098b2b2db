package io.tributary.http;

import io.tributary.coord.Caller;
import io.tributary.coord.Codes;
import io.tributary.coord.CoordException;
import io.tributary.coord.Op;
import io.tributary.coord.Paths;
import io.tributary.coord.Result;
import io.tributary.coord.WatchSink;
import io.tributary.zk.ZkAuth;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Znodes over REST, as requests to the coordination engine (the ops a ZooKeeper client sends):
 * {@code GET /v1/znodes/{path}} (data, stat, children), {@code PUT} setData with {@code version}
 * (compare-and-set: 409 with the current stat on a clash), {@code POST} create (mode persistent,
 * persistent-sequential, container, ttl, persistent-sequential-ttl; ACL), {@code DELETE} with
 * {@code version}, {@code ?recursive=true} up to {@link #MAX_RECURSIVE} nodes in one multi. Credentials:
 * HTTP Basic {@code user:password}, proved as a digest id, as for the WebSocket.
 *
 * <p>The engine needs a session for any request: the REST API holds one for the whole front door,
 * created on first use and again if it ever expires; REST never creates ephemerals.
 */
final class RestZnodes {
    static final int MAX_RECURSIVE = 1000;
    private static final String PREFIX = "/v1/znodes";

    private final HttpFrontDoor door;

    RestZnodes(HttpFrontDoor door) {
        this.door = door;
    }

    void mount(Router r) {
        for (String route : new String[]{PREFIX, PREFIX + "/*"}) {
            r.get(route).handler(ctx -> Rest.guard(ctx, () -> get(ctx)));
            r.put(route).handler(ctx -> Rest.guard(ctx, () -> put(ctx)));
            r.post(route).handler(ctx -> Rest.guard(ctx, () -> post(ctx)));
            r.delete(route).handler(ctx -> Rest.guard(ctx, () -> delete(ctx)));
        }
    }

    // ---- the shared session ----

    private static final WatchSink NO_WATCHES = new WatchSink() {
        @Override
        public void event(int type, String path, long zxid) {
        }

        @Override
        public void sessionClosed(String reason) {
        }
    };

    private Future<Long> session() {
        return door.restSession(() -> door.coordinator.connect(0, null, door.settings.wsSessionTimeoutMs(), 0, NO_WATCHES)
                .map(c -> c == null ? 0L : c.sessionId()));
    }

    /** Runs ops as one engine task with the caller's ids; a session that expired is replaced once. */
    private Future<List<Result>> run(RoutingContext ctx, List<Op> ops) {
        ZkAuth auth = new ZkAuth(ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress(),
                door.superDigest);
        String problem = HttpServerVerticle.basic(ctx.request().getHeader(HttpHeaders.AUTHORIZATION), auth);
        if (problem != null) {
            return Future.failedFuture(new Rest.Refused(HttpErrors.UNAUTHORIZED, problem));
        }
        return session().compose(id -> send(new Caller(id, auth.ids(), null), ops)).compose(rs -> {
            if (rs.get(rs.size() - 1).err() == Codes.SESSIONEXPIRED) {
                door.resetRestSession();
                return session().compose(id -> send(new Caller(id, auth.ids(), null), ops));
            }
            return Future.succeededFuture(rs);
        });
    }

    /**
     * One op (every write) goes through {@code execute}, the path a ZooKeeper request takes (and the one a
     * replicated coordination log orders); several (the GET's data + children) through {@code executeAll}.
     */
    private Future<List<Result>> send(Caller caller, List<Op> ops) {
        return ops.size() == 1 ? door.coordinator.execute(caller, ops.get(0)).map(List::of)
                : door.coordinator.executeAll(caller, ops);
    }

    // ---- routes ----

    static String path(RoutingContext ctx) {
        String p = ctx.request().path();
        String rest = p.length() <= PREFIX.length() ? "" : p.substring(PREFIX.length());
        String path = rest.isEmpty() ? "/" : java.net.URLDecoder.decode(rest, StandardCharsets.UTF_8);
        try {
            Paths.validate(path);
        } catch (CoordException e) {
            throw new Rest.Refused(42207, e.getMessage());
        }
        return path;
    }

    private void get(RoutingContext ctx) {
        String path = path(ctx);
        Rest.reply(ctx, 200, run(ctx, List.of(new Op.GetData(path, false), new Op.GetChildren(path, false))).map(rs -> {
            check(rs, path);
            Result.Data d = (Result.Data) rs.get(0).value();
            Result.Children c = (Result.Children) rs.get(1).value();
            JsonObject o = new JsonObject().put("path", path);
            Json.putBytes(o, "data", d.data() == null ? null : ByteBuffer.wrap(d.data()), "utf8");
            List<String> kids = new ArrayList<>(c.children());
            java.util.Collections.sort(kids);
            return o.put("stat", Json.stat(d.stat())).put("children", new JsonArray(new ArrayList<>(kids)));
        }));
    }

    private void put(RoutingContext ctx) {
        String path = path(ctx);
        JsonObject b = Rest.body(ctx);
        byte[] data = data(b);
        int version = version(b.getValue("version", -1));
        run(ctx, List.of(new Op.SetData(path, data, version))).onComplete(ar -> {
            if (ar.failed()) {
                Rest.fail(ctx, ar.cause());
                return;
            }
            Result r = ar.result().get(0);
            if (r.err() == Codes.BADVERSION) {
                clash(ctx, path, version);
                return;
            }
            try {
                check(ar.result(), path);
            } catch (Rest.Refused e) {
                HttpErrors.send(ctx, e.code, e.getMessage());
                return;
            }
            Rest.ok(ctx, 200, new JsonObject().put("path", path).put("stat", Json.stat((Stat) r.value())));
        });
    }

    /** 409 with the node's current stat, so the client can re-read and retry its compare-and-set. */
    private void clash(RoutingContext ctx, String path, int expected) {
        run(ctx, List.of(new Op.Exists(path, false))).onComplete(ar -> {
            JsonObject body = new JsonObject().put("error_code", 40901).put("message",
                    "version " + expected + " does not match the znode's current version (BADVERSION)");
            if (ar.succeeded() && ar.result().get(0).err() == Codes.OK) {
                body.put("current_stat", Json.stat((Stat) ar.result().get(0).value()));
            }
            ctx.response().setStatusCode(409).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
        });
    }

    private void post(RoutingContext ctx) {
        String path = path(ctx);
        JsonObject b = Rest.body(ctx);
        byte[] data = data(b);
        String mode = String.valueOf(b.getValue("mode", "persistent"));
        int m = switch (mode) {
            case "persistent" -> Op.PERSISTENT;
            case "persistent-sequential" -> Op.PERSISTENT_SEQUENTIAL;
            case "container" -> Op.CONTAINER;
            case "ttl" -> Op.PERSISTENT_WITH_TTL;
            case "persistent-sequential-ttl" -> Op.PERSISTENT_SEQUENTIAL_WITH_TTL;
            default -> throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD,
                    "mode is persistent, persistent-sequential, container, ttl or persistent-sequential-ttl (REST creates no ephemerals)");
        };
        long ttl = -1;
        if (m == Op.PERSISTENT_WITH_TTL || m == Op.PERSISTENT_SEQUENTIAL_WITH_TTL) {
            if (!(b.getValue("ttl_ms") instanceof Number n) || n.longValue() <= 0) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "ttl modes need a positive ttl_ms");
            }
            ttl = n.longValue();
        }
        List<ACL> acl = acl(b.getValue("acl"));
        Rest.reply(ctx, 201, run(ctx, List.of(new Op.Create(path, data, acl, m, ttl))).map(rs -> {
            check(rs, path);
            Result.Created c = (Result.Created) rs.get(0).value();
            return new JsonObject().put("path", c.path()).put("stat", Json.stat(c.stat()));
        }));
    }

    private void delete(RoutingContext ctx) {
        String path = path(ctx);
        int version = version(ctx.queryParams().get("version") == null ? -1 : ctx.queryParams().get("version"));
        if (!"true".equals(ctx.queryParams().get("recursive"))) {
            Rest.reply(ctx, 204, run(ctx, List.of(new Op.Delete(path, version))).map(rs -> {
                if (rs.get(0).err() == Codes.BADVERSION) {
                    throw new Rest.Refused(40901, "version " + version + " does not match the znode's current version (BADVERSION)");
                }
                check(rs, path);
                return null;
            }));
            return;
        }
        if ("/".equals(path) || path.startsWith(Paths.ZOOKEEPER)) {
            throw new Rest.Refused(40301, "refusing to delete " + path + " recursively");
        }
        Rest.reply(ctx, 204, subtree(ctx, path).compose(nodes -> {
            List<Op> ops = new ArrayList<>();
            for (int i = nodes.size() - 1; i >= 0; i--) {
                ops.add(new Op.Delete(nodes.get(i), nodes.get(i).equals(path) ? version : -1));
            }
            return run(ctx, List.of(new Op.Multi(ops)));
        }).map(rs -> {
            Result r = rs.get(0);
            if (r.value() instanceof Result.Multi multi) {
                for (Result each : multi.results()) {
                    if (each.err() != Codes.OK && each.err() != Codes.RUNTIMEINCONSISTENCY) {
                        throw refused(each.err(), path);
                    }
                }
            }
            check(rs, path);
            return null;
        }));
    }

    /** The subtree at {@code path}, parents before children, at most MAX_RECURSIVE nodes. */
    private Future<List<String>> subtree(RoutingContext ctx, String path) {
        Promise<List<String>> p = Promise.promise();
        List<String> out = new ArrayList<>();
        ArrayDeque<String> todo = new ArrayDeque<>();
        todo.add(path);
        step(ctx, out, todo, p);
        return p.future();
    }

    private void step(RoutingContext ctx, List<String> out, ArrayDeque<String> todo, Promise<List<String>> p) {
        if (todo.isEmpty()) {
            p.complete(out);
            return;
        }
        String next = todo.poll();
        out.add(next);
        if (out.size() > MAX_RECURSIVE) {
            p.fail(new Rest.Refused(HttpErrors.BAD_REQUEST, "the subtree has more than " + MAX_RECURSIVE
                    + " znodes; delete it in parts"));
            return;
        }
        run(ctx, List.of(new Op.GetChildren(next, false))).onComplete(ar -> {
            if (ar.failed()) {
                p.fail(ar.cause());
                return;
            }
            Result r = ar.result().get(0);
            if (r.err() != Codes.OK) {
                p.fail(refused(r.err(), next));
                return;
            }
            for (String c : ((Result.Children) r.value()).children()) {
                todo.add(Paths.child(next, c));
            }
            step(ctx, out, todo, p);
        });
    }

    // ---- bodies and errors ----

    private static byte[] data(JsonObject b) {
        Object s = b.getValue("data");
        Object s64 = b.getValue("data_base64");
        if (s != null && s64 != null) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "give data or data_base64, not both");
        }
        if (s64 != null) {
            if (!(s64 instanceof String str)) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "data_base64 is a string");
            }
            try {
                return Base64.getDecoder().decode(str);
            } catch (IllegalArgumentException e) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "data_base64 is not base64");
            }
        }
        if (s == null) {
            return new byte[0];
        }
        if (!(s instanceof String str)) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "data is a UTF-8 string (use data_base64 for bytes)");
        }
        return str.getBytes(StandardCharsets.UTF_8);
    }

    private static int version(Object v) {
        try {
            int i = v instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(v));
            if (i < -1) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "version is an integer >= -1 (-1: any version)");
        }
    }

    /** {@code [{"scheme": "world", "id": "anyone", "perms": "cdrwa"}]}; default world:anyone all. */
    private static List<ACL> acl(Object v) {
        List<ACL> out = new ArrayList<>();
        if (v == null) {
            out.add(new ACL(Codes.PERM_ALL, new Id("world", "anyone")));
            return out;
        }
        if (!(v instanceof JsonArray arr) || arr.isEmpty()) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "acl is a non-empty list of {scheme, id, perms}");
        }
        for (Object o : arr) {
            if (!(o instanceof JsonObject a) || !(a.getValue("scheme") instanceof String scheme)
                    || !(a.getValue("id") instanceof String id) || !(a.getValue("perms") instanceof String perms)) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "each acl entry is {scheme, id, perms: \"cdrwa\"}");
            }
            int bits = 0;
            for (char c : perms.toCharArray()) {
                bits |= switch (c) {
                    case 'c' -> Codes.PERM_CREATE;
                    case 'd' -> Codes.PERM_DELETE;
                    case 'r' -> Codes.PERM_READ;
                    case 'w' -> Codes.PERM_WRITE;
                    case 'a' -> Codes.PERM_ADMIN;
                    default -> throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "perms are letters of cdrwa");
                };
            }
            out.add(new ACL(bits, new Id(scheme, id)));
        }
        return out;
    }

    private static void check(List<Result> rs, String path) {
        Result last = rs.get(rs.size() - 1);
        if (last.err() != Codes.OK) {
            throw refused(last.err(), path);
        }
    }

    static Rest.Refused refused(int err, String path) {
        return switch (err) {
            case Codes.NONODE -> new Rest.Refused(HttpErrors.ZNODE_NOT_FOUND, "no znode " + path + " (or its parent)");
            case Codes.NOAUTH -> new Rest.Refused(40301, "the ACL of " + path + " does not allow this (NOAUTH)");
            case Codes.NODEEXISTS -> new Rest.Refused(40902, "znode " + path + " already exists");
            case Codes.NOTEMPTY -> new Rest.Refused(40903, "znode " + path + " has children; use ?recursive=true");
            case Codes.BADVERSION -> new Rest.Refused(40901, "version does not match (BADVERSION)");
            case Codes.NOCHILDRENFOREPHEMERALS -> new Rest.Refused(40003, "ephemeral znodes cannot have children");
            case Codes.INVALIDACL -> new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "invalid ACL (INVALIDACL)");
            case Codes.BADARGUMENTS -> new Rest.Refused(42207, "bad arguments for " + path + " (BADARGUMENTS)");
            case Codes.QUOTAEXCEEDED -> new Rest.Refused(40904, "quota exceeded under " + path);
            default -> new Rest.Refused(HttpErrors.INTERNAL, "coordination error " + err + " on " + path);
        };
    }
}
