package io.tributary.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.coord.CoordinatorVerticle;
import io.tributary.group.GroupService;
import io.tributary.http.HttpFrontDoor;
import io.tributary.log.LogService;
import io.tributary.zk.ZkServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's metrics part: one {@link PrometheusMeterRegistry} made here (never Micrometer's global one)
 * and handed to the parts that count things, the collectors that read engine state, and the scrape
 * behind {@code GET /metrics}.
 *
 * <p>A scrape: every {@link ScrapeSource} copies what lives on an engine thread (one hop each, in
 * parallel; the group coordinator's offsets, the coordination tree's counts), lag-time lookups for
 * offsets not seen before complete, then a worker renders the registry (Micrometer's meters and the
 * collectors of kafka_exporter's families) into the format {@code Accept} asked for. No event loop or
 * engine thread waits for the rendering.
 *
 * <p>Thread-safe. {@link #close} unbinds the JVM binders that hold listeners.
 */
public final class NodeMetrics implements HttpFrontDoor.MetricsEndpoint, AutoCloseable {
    /** {@code tributary.metrics.enabled}: false serves no /metrics and counts nothing. */
    public static final String ENABLED = "tributary.metrics.enabled";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final KafkaMetrics kafka;
    private final List<ScrapeSource> sources = new ArrayList<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public NodeMetrics(Vertx vertx) {
        this.vertx = vertx;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), Clock.SYSTEM);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        this.kafka = new KafkaMetrics(registry);
        registry.getPrometheusRegistry().register(kafka);
    }

    /** The registry, for parts that register meters of their own. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Kafka front door's request timers and topic counters. */
    public KafkaMetrics kafka() {
        return kafka;
    }

    /** kafka_exporter's families and the lag in seconds, from the log and the group coordinator. */
    public void bindKafka(LogService logs, GroupService groups, Time time, int nodeId, String brokerAddress) {
        bindKafka(logs, groups, time, nodeId, brokerAddress, null);
    }

    /**
     * As {@link #bindKafka(LogService, GroupService, Time, int, String)}; in a cluster ({@code cluster} not null)
     * the brokers, leaders, replicas and ISR come from the cluster's metadata, and each node exports the
     * partitions it leads, so the series of all nodes together describe the cluster once.
     */
    public void bindKafka(LogService logs, GroupService groups, Time time, int nodeId, String brokerAddress,
                          io.tributary.kafka.ClusterMetadata cluster) {
        KafkaExporterMetrics exporter = new KafkaExporterMetrics(vertx, logs, groups, time, nodeId, brokerAddress, cluster);
        sources.add(exporter);
        registry.getPrometheusRegistry().register(exporter);
        registry.getPrometheusRegistry().register(new LogMetrics(logs, exporter::groupsRebalanced));
        kafka.reportOnly(topic -> logs.manager().topics().containsKey(topic));
    }

    /** The coordination service under ZooKeeper's Prometheus names. */
    public void bindZooKeeper(ZkServer zk, CoordinatorVerticle coordinator) {
        sources.add(new ZooKeeperMetrics(registry, zk, coordinator));
    }

    /** For the coordination engine, before it starts: its fsync and snapshot durations (ZooKeeper's names). */
    public io.tributary.coord.DurabilityTimings coordinationTimings() {
        return ZooKeeperMetrics.durabilityTimings(registry);
    }

    /** WebSocket streams: open sockets and subscriptions, watch subscriptions ended by overflow. */
    public void bindHttp(HttpFrontDoor door) {
        Gauge.builder("tributary.ws.connections", door, HttpFrontDoor::openSockets)
                .description("WebSockets open on /ws").register(registry);
        Gauge.builder("tributary.ws.subscriptions", door, HttpFrontDoor::wsSubscriptions)
                .description("Watch and tail subscriptions open over every /ws socket").register(registry);
        FunctionCounter.builder("tributary.ws.overflows", door, HttpFrontDoor::wsOverflows)
                .description("Watch subscriptions ended with an overflow frame (the socket's send queue was full)")
                .register(registry);
    }

    @Override
    public Future<Scrape> scrape(String accept) {
        List<Future<?>> copies = new ArrayList<>(sources.size());
        for (ScrapeSource s : sources) {
            copies.add(s.refresh());
        }
        String contentType = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
        return Future.all(copies).compose(v -> vertx.executeBlocking(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
            registry.scrape(out, contentType);
            return new Scrape(contentType, Buffer.buffer(out.toByteArray()));
        }, false));
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
