package io.tributary.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** The REST API (Confluent REST Proxy v3 shapes where they exist; znodes under /v1). */
final class RestRoutes {
    private final HttpFrontDoor door;
    private final Vertx vertx;

    RestRoutes(HttpFrontDoor door, Vertx vertx) {
        this.door = door;
        this.vertx = vertx;
    }

    void mount(Router router) {
    }
}
