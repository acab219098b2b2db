package io.tributary.http;

import io.tributary.coord.CoordinatorVerticle;
import io.tributary.group.GroupService;
import io.tributary.log.LogService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every HTTP listener instance shares: the settings, the engines' asynchronous faces (the same ones
 * the Kafka and ZooKeeper front doors use), the node's part states for {@code /ready}, and the count of
 * WebSockets per client address. No files are reached from here. Thread-safe.
 */
public final class HttpFrontDoor {
    final Vertx vertx;
    final HttpSettings settings;
    final LogService logs;
    final GroupService groups;
    final CoordinatorVerticle coordinator;
    /** The Kafka handlers called in-process: REST admin calls take exactly the Kafka API's path. */
    final io.tributary.kafka.LocalKafkaApis kafka;
    final Health health;
    final String clusterId;
    final int nodeId;
    /** {@code zookeeper.DigestAuthenticationProvider.superDigest}, or null. */
    final String superDigest;
    /** REST Proxy v2 consumer instances, whichever listener instance a request arrives on. */
    final ConsumerInstances consumers = new ConsumerInstances();
    private final Map<String, AtomicInteger> socketsPerIp = new ConcurrentHashMap<>();
    final AtomicInteger openSockets = new AtomicInteger();
    /** Subscriptions open over every socket, and watch subscriptions ended by an overflow frame (metrics). */
    final AtomicInteger wsSubscriptions = new AtomicInteger();
    final java.util.concurrent.atomic.LongAdder wsOverflows = new java.util.concurrent.atomic.LongAdder();
    /** GET /metrics, or null when {@code tributary.metrics.enabled=false} (the route answers 404 then). */
    private volatile MetricsEndpoint metrics;

    /** What {@code GET /metrics} asks: a scrape in the format {@code accept} prefers. */
    public interface MetricsEndpoint {
        /** The scrape's content type and body, rendered off the event loop. */
        record Scrape(String contentType, io.vertx.core.buffer.Buffer body) {
        }

        Future<Scrape> scrape(String accept);
    }

    public HttpFrontDoor(Vertx vertx, HttpSettings settings, LogService logs, GroupService groups,
                         CoordinatorVerticle coordinator, io.tributary.kafka.LocalKafkaApis kafka, Health health,
                         String clusterId, int nodeId, String superDigest) {
        this.vertx = vertx;
        this.settings = settings;
        this.logs = logs;
        this.groups = groups;
        this.coordinator = coordinator;
        this.kafka = kafka;
        this.health = health;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.superDigest = superDigest == null || superDigest.isBlank() ? null : superDigest.trim();
    }

    private Future<Long> restSession;

    /** The REST API's coordination session, opened by {@code open} on first use (any event loop). */
    synchronized Future<Long> restSession(java.util.function.Supplier<Future<Long>> open) {
        if (restSession == null || restSession.failed()) {
            restSession = open.get();
        }
        return restSession;
    }

    synchronized void resetRestSession() {
        restSession = null;
    }

    /** Keeps the REST session alive (called from a listener's periodic timer). */
    void touchRestSession() {
        Future<Long> s;
        synchronized (this) {
            s = restSession;
        }
        if (s != null && s.succeeded() && s.result() != 0) {
            coordinator.touch(s.result());
        }
    }

    public HttpSettings settings() {
        return settings;
    }

    /** Serves {@code GET /metrics} from {@code endpoint} (null: 404). Set before the listener opens. */
    public void metrics(MetricsEndpoint endpoint) {
        this.metrics = endpoint;
    }

    MetricsEndpoint metrics() {
        return metrics;
    }

    /** WebSockets open now. */
    public int openSockets() {
        return openSockets.get();
    }

    /** {@code /ws} subscriptions open now, over every socket. */
    public int wsSubscriptions() {
        return wsSubscriptions.get();
    }

    /** Watch subscriptions ended with an {@code overflow} frame since start. */
    public long wsOverflows() {
        return wsOverflows.sum();
    }

    /** Counts a new WebSocket from {@code ip}; false when it would exceed {@code http.ws.max.connections.per.ip}. */
    boolean admitSocket(String ip) {
        int n = socketsPerIp.computeIfAbsent(ip, k -> new AtomicInteger()).incrementAndGet();
        if (settings.wsMaxSocketsPerIp() > 0 && n > settings.wsMaxSocketsPerIp()) {
            releaseSocket(ip);
            return false;
        }
        openSockets.incrementAndGet();
        return true;
    }

    void releaseSocket(String ip) {
        AtomicInteger n = socketsPerIp.get(ip);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    void socketClosed(String ip) {
        releaseSocket(ip);
        openSockets.decrementAndGet();
    }
}
