package io.tributary.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tributary.log.LogService;
import io.tributary.log.PartitionLog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Tributary's own per-partition storage gauges, {@code tributary_log_segments{topic,partition}} and
 * {@code tributary_log_size_bytes{topic,partition}}, and {@code tributary_group_rebalances_total} (join
 * phases completed by the group coordinator). All read from volatile fields or a scrape's copy; no lock.
 */
final class LogMetrics implements MultiCollector {
    private final LogService logs;
    private final LongSupplier rebalances;

    LogMetrics(LogService logs, LongSupplier rebalances) {
        this.logs = logs;
        this.rebalances = rebalances;
    }

    @Override
    public MetricSnapshots collect() {
        Family segments = Family.gauge("tributary_log_segments", "Segments of the partition's log", "topic", "partition");
        Family size = Family.gauge("tributary_log_size_bytes", "Bytes in the partition's segment files", "topic", "partition");
        Collection<PartitionLog> all = logs.manager().allPartitions();
        for (PartitionLog log : all) {
            String topic = log.topicPartition().topic();
            String p = Integer.toString(log.topicPartition().partition());
            segments.add(log.numberOfSegments(), topic, p);
            size.add(log.sizeInBytes(), topic, p);
        }
        List<MetricSnapshot> out = new ArrayList<>();
        if (segments.size() > 0) {
            out.add(segments.snapshot());
            out.add(size.snapshot());
        }
        out.add(Family.counter("tributary_group_rebalances", "Consumer group join phases completed (each starts a generation)")
                .add(rebalances.getAsLong()).snapshot());
        return new MetricSnapshots(out);
    }
}
