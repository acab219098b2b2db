package io.tributary.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.coord.CoordinatorVerticle;
import io.tributary.coord.DurabilityTimings;
import io.tributary.zk.ZkServer;
import io.vertx.core.Future;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The coordination service under ZooKeeper's own Prometheus names (PrometheusMetricsProvider with
 * ServerMetrics and ZooKeeperServer's gauges), so ZooKeeper's alert rules and dashboards apply: gauges
 * {@code znode_count}, {@code watch_count}, {@code ephemerals_count}, {@code approximate_data_size},
 * {@code num_alive_connections}, {@code outstanding_requests}, {@code global_sessions},
 * {@code avg_latency}/{@code max_latency}/{@code min_latency}, {@code uptime}, {@code open_file_descriptor_count};
 * counters {@code packets_received}, {@code packets_sent}, {@code op_count_*} (rendered with {@code _total},
 * as ZooKeeper's provider does on the 1.x Prometheus client); summaries in milliseconds with ZooKeeper's
 * quantiles: {@code readlatency} and {@code updatelatency} (0.5, 0.95, 0.99: DetailLevel.ADVANCED),
 * {@code fsynctime} and {@code snapshottime} (0.5: BASIC).
 *
 * <p>The tree's counts live on the coordinator's thread: {@link #refresh} copies them there (the same
 * {@code stats()} hop mntr makes) and the gauges read the copy. Connection and packet counters are the
 * ZooKeeper listener's own thread-safe counters, the very ones mntr prints.
 */
final class ZooKeeperMetrics implements ScrapeSource {
    /** ZooKeeper's op_count_* names (ServerMetrics); each is registered from the start, at 0. */
    static final List<String> OPS = List.of("add_watch", "check", "check_watches", "close_session", "create",
            "create_session", "delete", "exists", "get_acl", "get_all_children_number", "get_children", "get_data",
            "get_ephemerals", "multi", "multi_read", "ping", "reconfig", "remove_watches", "set_acl", "set_data",
            "set_watches", "sync", "who_am_i");

    private final ZkServer zk;
    private final CoordinatorVerticle coordinator;
    private volatile CoordinatorVerticle.Stats stats;

    ZooKeeperMetrics(MeterRegistry registry, ZkServer zk, CoordinatorVerticle coordinator) {
        this.zk = zk;
        this.coordinator = coordinator;
        stat(registry, "znode_count", "znodes in the tree", s -> s.nodes());
        stat(registry, "watch_count", "watches registered", s -> s.watches());
        stat(registry, "ephemerals_count", "ephemeral znodes", s -> s.ephemerals());
        stat(registry, "approximate_data_size", "bytes of znode paths and data", s -> s.dataSize());
        stat(registry, "global_sessions", "open sessions", s -> s.sessions());
        gauge(registry, "num_alive_connections", "ZooKeeper client connections open", z -> z.aliveConnections());
        gauge(registry, "outstanding_requests", "requests read and not answered yet", z -> z.outstandingRequests());
        gauge(registry, "avg_latency", "average request latency in ms since start or srst", z -> z.avgLatency());
        gauge(registry, "max_latency", "largest request latency in ms since start or srst", z -> z.maxLatency());
        gauge(registry, "min_latency", "smallest request latency in ms since start or srst", z -> z.minLatency());
        gauge(registry, "uptime", "ms since the ZooKeeper listener started", z -> z.uptimeMs());
        FunctionCounter.builder("packets_received", zk, z -> z.packetsReceived()).description("ZooKeeper packets received")
                .register(registry);
        FunctionCounter.builder("packets_sent", zk, z -> z.packetsSent()).description("ZooKeeper packets sent")
                .register(registry);
        for (String op : OPS) {
            FunctionCounter.builder("op_count_" + op, zk, z -> z.opCounts().getOrDefault(op, 0L))
                    .description(op + " requests").register(registry);
        }
        FunctionCounter.builder("op_count", zk, z -> z.opCounts().values().stream().mapToLong(Long::longValue).sum())
                .description("requests of every type").register(registry);
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            Gauge.builder("open_file_descriptor_count", unix, u -> u.getOpenFileDescriptorCount())
                    .description("file descriptors open").register(registry);
            Gauge.builder("max_file_descriptor_count", unix, u -> u.getMaxFileDescriptorCount())
                    .description("file descriptors allowed").register(registry);
        }
        DistributionSummary read = summary(registry, "readlatency", "read request latency in ms", 0.5, 0.95, 0.99);
        DistributionSummary update = summary(registry, "updatelatency", "write request latency in ms", 0.5, 0.95, 0.99);
        zk.observeLatency((write, ms) -> (write ? update : read).record(ms));
    }

    @Override
    public Future<?> refresh() {
        // map, not onSuccess: the scrape composes on the returned future, and a listener added after the
        // stats arrived from the coordinator's thread runs before one queued by that thread.
        return coordinator.stats().map(s -> stats = s);
    }

    private void stat(MeterRegistry registry, String name, String help, ToDoubleFunction<CoordinatorVerticle.Stats> f) {
        Gauge.builder(name, this, m -> m.stats == null ? 0 : f.applyAsDouble(m.stats)).description(help).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String help, ToDoubleFunction<ZkServer> f) {
        Gauge.builder(name, zk, f).description(help).register(registry);
    }

    /** ZooKeeper's fsynctime and snapshottime (ms, median), fed by the coordination engine. */
    static DurabilityTimings durabilityTimings(MeterRegistry registry) {
        DistributionSummary fsync = summary(registry, "fsynctime", "transaction log write and fsync in ms", 0.5);
        DistributionSummary snapshot = summary(registry, "snapshottime", "snapshot write in ms", 0.5);
        return new DurabilityTimings() {
            @Override
            public void fsync(long nanos) {
                fsync.record(nanos / 1e6);
            }

            @Override
            public void snapshot(long nanos) {
                snapshot.record(nanos / 1e6);
            }
        };
    }

    private static DistributionSummary summary(MeterRegistry registry, String name, String help, double... quantiles) {
        return DistributionSummary.builder(name).description(help).publishPercentiles(quantiles).register(registry);
    }
}
