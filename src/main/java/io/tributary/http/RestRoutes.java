package io.tributary.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The REST API: Confluent REST Proxy v3 shapes under {@code /v3} ({@link RestTopics}, {@link RestRecords},
 * {@link RestGroups}), znodes under {@code /v1/znodes} ({@link RestZnodes}), REST Proxy v2's consumer
 * instances under {@code /consumers} ({@link RestConsumers}) and its produce, {@code POST /topics/{t}}
 * ({@link RestV2Produce}). Bodies are bounded by
 * {@code http.max.body.bytes} (413 beyond it, before the rest is read).
 */
final class RestRoutes {
    private final HttpFrontDoor door;
    private final Vertx vertx;

    RestRoutes(HttpFrontDoor door, Vertx vertx) {
        this.door = door;
        this.vertx = vertx;
    }

    void mount(Router router) {
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(door.settings.maxBodyBytes());
        router.route("/v3/*").handler(bodies);
        router.route("/v1/*").handler(bodies);
        router.route("/consumers/*").handler(bodies);
        router.route("/topics/*").handler(bodies);
        RestTopics topics = new RestTopics(door);
        topics.mount(router);
        new RestRecords(door, topics).mount(router);
        new RestGroups(door, topics).mount(router);
        new RestZnodes(door).mount(router);
        new RestConsumers(door).mount(router);
        new RestV2Produce(door).mount(router);
    }
}
