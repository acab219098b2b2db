package io.tributary.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every HTTP error is JSON in Confluent REST Proxy's shape, {@code {"error_code": <int>, "message": "..."}},
 * where {@code error_code} is the HTTP status followed by two digits saying which problem it is (REST
 * Proxy's own numbers where it has one: 40401 topic not found, 40403 consumer instance not found, 42206
 * invalid payload...). The codes are listed in {@code docs/websocket.md} and the OpenAPI file.
 */
public final class HttpErrors {
    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    public static final int NOT_FOUND = 40400;
    public static final int TOPIC_NOT_FOUND = 40401;
    public static final int PARTITION_NOT_FOUND = 40402;
    public static final int CONSUMER_INSTANCE_NOT_FOUND = 40403;
    public static final int ZNODE_NOT_FOUND = 40404;
    public static final int GROUP_NOT_FOUND = 40405;
    public static final int METHOD_NOT_ALLOWED = 40500;
    public static final int NOT_ACCEPTABLE = 40600;
    public static final int CONFLICT = 40900;
    public static final int BODY_TOO_LARGE = 41300;
    public static final int UNSUPPORTED_MEDIA_TYPE = 41500;
    public static final int UNPROCESSABLE = 42200;
    public static final int INVALID_PAYLOAD = 42206;
    public static final int BAD_REQUEST = 40000;
    public static final int UNAUTHORIZED = 40100;
    public static final int FORBIDDEN = 40300;
    public static final int INTERNAL = 50000;
    public static final int UNAVAILABLE = 50300;

    private HttpErrors() {
    }

    /** Ends the response with the error; {@code errorCode / 100} is the HTTP status. */
    public static void send(RoutingContext ctx, int errorCode, String message) {
        send(ctx.response(), errorCode, message);
    }

    public static void send(HttpServerResponse resp, int errorCode, String message) {
        send(resp, errorCode, message, "application/json");
    }

    /** With another JSON content type (REST Proxy v2 answers errors as {@code application/vnd.kafka.v2+json}). */
    public static void send(HttpServerResponse resp, int errorCode, String message, String contentType) {
        if (resp.ended() || resp.closed()) {
            return;
        }
        resp.setStatusCode(errorCode / 100)
                .putHeader("content-type", contentType)
                .end(new JsonObject().put("error_code", errorCode).put("message", message).encode());
    }

    /** The router's failure handler: what vertx-web or a handler failed with, as JSON. */
    static void onFailure(RoutingContext ctx) {
        int status = ctx.statusCode();
        Throwable t = ctx.failure();
        if (t instanceof HttpException h) {
            status = h.getStatusCode();
        }
        if (status <= 0) {
            status = 500;
        }
        String message = switch (status) {
            case 404 -> "Not found: " + ctx.request().path();
            case 405 -> "Method " + ctx.request().method() + " not allowed on " + ctx.request().path();
            case 413 -> "Request body larger than http.max.body.bytes";
            case 415 -> "Unsupported content type";
            case 400 -> t == null || t.getMessage() == null ? "Bad request" : t.getMessage();
            default -> t == null || t.getMessage() == null ? "Internal error" : t.getMessage();
        };
        if (status >= 500) {
            LOG.error("HTTP {} {} failed", ctx.request().method(), ctx.request().path(), t);
            message = "Internal error";
        }
        send(ctx, status * 100, message);
    }
}
