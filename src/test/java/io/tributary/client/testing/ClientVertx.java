package io.tributary.client.testing;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.concurrent.TimeUnit;

/** The Vert.x instance a client test runs its clients on: separate from the node's, with a strict blocked-thread checker. */
public final class ClientVertx {
    private ClientVertx() {
    }

    public static Vertx create() {
        return Vertx.vertx(new VertxOptions().setPreferNativeTransport(false).setEventLoopPoolSize(2)
                .setBlockedThreadCheckInterval(100).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
                .setMaxEventLoopExecuteTime(200).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    }

    public static void close(Vertx vertx) {
        try {
            vertx.close().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("vertx did not close", e);
        }
    }
}
