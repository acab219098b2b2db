package io.tributary.http;

import io.tributary.zk.ZkAuth;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The HTTP listener: one vertx-web {@link Router} per instance, {@code http.network.threads} instances
 * sharing the port (Vert.x spreads connections over their event loops, as for the Kafka listener).
 * Handlers run on the event loop and reach the engines only through their asynchronous faces; static
 * files are in memory ({@link StaticPages}).
 *
 * <p>Routes: {@code GET /health}, {@code GET /ready}, {@code GET /ws} (WebSocket upgrade,
 * {@link WsConnection}), the live pages under {@code /live/}, {@code /openapi.yaml}, and the REST API
 * ({@link RestRoutes}). Unknown paths answer 404 and known paths with another method 405, both JSON.
 */
public final class HttpServerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServerVerticle.class);

    private final HttpFrontDoor door;
    private HttpServer server;

    public HttpServerVerticle(HttpFrontDoor door) {
        this.door = door;
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(StaticPages::load).compose(pages -> {
            HttpSettings s = door.settings;
            HttpServerOptions options = new HttpServerOptions().setHost(s.host()).setPort(s.port())
                    .setReuseAddress(true).setTcpNoDelay(true)
                    .setMaxWebSocketFrameSize(s.wsMaxFrameBytes()).setMaxWebSocketMessageSize(s.wsMaxFrameBytes())
                    .setRegisterWebSocketWriteHandlers(false);
            server = vertx.createHttpServer(options);
            server.requestHandler(router(pages));
            long touch = Math.max(100, s.wsSessionTimeoutMs() / 3);
            vertx.setPeriodic(touch, id -> door.touchRestSession());
            long sweep = Math.max(100, Math.min(1000, s.consumerInstanceTimeoutMs() / 4));
            vertx.setPeriodic(sweep, id -> door.consumers.expire(s.consumerInstanceTimeoutMs()));
            return server.listen();
        }).onSuccess(srv -> LOG.debug("HTTP listener instance on port {}", srv.actualPort()));
    }

    private Router router(StaticPages pages) {
        Router router = Router.router(vertx);
        router.get("/health").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
        router.get("/ready").handler(ctx -> {
            JsonObject body = door.health.toJson();
            json(ctx, door.health.ready() ? 200 : 503, body);
        });
        router.get("/metrics").handler(this::metrics);
        router.get("/ws").handler(this::upgrade);
        router.get("/live").handler(ctx -> ctx.redirect("/live/watch"));
        for (String path : pages.paths()) {
            StaticPages.Page page = pages.get(path);
            router.get(path).handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, page.contentType())
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").end(page.body()));
        }
        new RestRoutes(door, vertx).mount(router);
        router.route().failureHandler(HttpErrors::onFailure);
        router.errorHandler(404, HttpErrors::onFailure);
        router.errorHandler(405, HttpErrors::onFailure);
        router.errorHandler(413, HttpErrors::onFailure);
        router.errorHandler(415, HttpErrors::onFailure);
        router.errorHandler(500, HttpErrors::onFailure);
        return router;
    }

    /**
     * {@code GET /metrics}: Prometheus text format 0.0.4, or OpenMetrics 1.0 when {@code Accept} asks for
     * it (as Prometheus does). The scrape copies engine state with one hop per engine and renders on a
     * worker, so this event loop only writes the bytes.
     */
    private void metrics(RoutingContext ctx) {
        HttpFrontDoor.MetricsEndpoint endpoint = door.metrics();
        if (endpoint == null) {
            HttpErrors.send(ctx, 40401, "metrics are disabled (tributary.metrics.enabled=false)");
            return;
        }
        endpoint.scrape(ctx.request().getHeader(HttpHeaders.ACCEPT)).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("metrics scrape failed", ar.cause());
                HttpErrors.send(ctx, 50001, "scrape failed: " + ar.cause());
                return;
            }
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, ar.result().contentType()).end(ar.result().body());
        });
    }

    /** {@code GET /ws}: HTTP Basic on the upgrade becomes a digest id, as an init frame's credentials would. */
    private void upgrade(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (!req.canUpgradeToWebSocket()) {
            HttpErrors.send(ctx, 42600, "GET /ws is a WebSocket endpoint; send an Upgrade: websocket request");
            return;
        }
        String ip = req.remoteAddress() == null ? "unknown" : req.remoteAddress().hostAddress();
        ZkAuth auth = new ZkAuth(ip, door.superDigest);
        String problem = basic(req.getHeader(HttpHeaders.AUTHORIZATION), auth);
        consolidateFlushes(req);
        req.toWebSocket().onSuccess(ws -> new WsConnection(door, ws, context, auth).start(problem))
                .onFailure(t -> LOG.debug("WebSocket upgrade from {} failed: {}", ip, t.toString()));
    }

    /**
     * Vert.x flushes the socket after every WebSocket message written outside a read, so a tail sending one
     * {@code record} frame per record made one write system call per record. Netty's
     * {@link io.netty.handler.flush.FlushConsolidationHandler} at the head of the connection's pipeline turns
     * the flushes of one event-loop task into one (and one per 256 messages), and leaves flushes during a
     * read to the end of the read, as before. The connection is reached through Vert.x's internal
     * {@code ConnectionBase}; if that changes, sockets simply flush per message again.
     */
    private static void consolidateFlushes(HttpServerRequest req) {
        if (req.connection() instanceof io.vertx.core.net.impl.ConnectionBase c
                && c.channel().pipeline().get(io.netty.handler.flush.FlushConsolidationHandler.class) == null) {
            c.channel().pipeline().addFirst("flush-consolidation", new io.netty.handler.flush.FlushConsolidationHandler(256, true));
        }
    }

    /** Adds the digest id of Basic credentials; returns why they are refused, or null. */
    static String basic(String header, ZkAuth auth) {
        if (header == null) {
            return null;
        }
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return "only Basic credentials are accepted";
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "Basic credentials are not base64";
        }
        if (decoded.indexOf(':') <= 0) {
            return "Basic credentials must be user:password";
        }
        auth.add("digest", decoded.getBytes(StandardCharsets.UTF_8));
        return null;
    }

    static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body instanceof JsonObject o ? o.encode() : io.vertx.core.json.Json.encode(body));
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
