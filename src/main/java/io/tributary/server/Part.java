package io.tributary.server;

import io.vertx.core.Future;

/**
 * One part of a node (the log, the group coordinator, the coordination service, each front door) that owns
 * its start and stop. {@link Node} starts the parts in dependency order and stops them in the reverse order,
 * so a front door closes before the engines it uses; a part reads what it needs from the parts started
 * before it. {@link #name()} is its entry in {@code GET /ready}.
 */
interface Part {
    String name();

    /** Starts the part; it is UP in {@code /ready} when {@link #ready()} completes too. */
    Future<Void> start();

    /** Completes when the part serves (e.g. the group coordinator once {@code __consumer_offsets} is loaded). */
    default Future<Void> ready() {
        return Future.succeededFuture();
    }

    /** Stops the part; called only after it started (or tried to), and after every later part stopped. */
    Future<Void> stop();
}
