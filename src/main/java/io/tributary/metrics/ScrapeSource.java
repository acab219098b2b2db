package io.tributary.metrics;

import io.vertx.core.Future;

/**
 * A part of the scrape whose state lives on an engine's thread: before the registry is rendered, each
 * source copies what it needs (one hop to the owner, a copy of counters, back) and keeps the copy for its
 * collector or gauges to read. Called on the scraping HTTP event loop; must never block it.
 */
interface ScrapeSource {
    Future<?> refresh();
}
