package io.tributary.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * One metric family being filled during a scrape: its data points as plain values and label arrays,
 * turned into the Prometheus client's snapshot at the end. Used by the collectors whose series come and
 * go with topics, partitions and groups (kafka_exporter's names), where a Micrometer meter per series
 * would have to be registered and removed as the catalog changes. Not thread-safe: one scrape fills it.
 */
final class Family {
    private final String name;
    private final String help;
    private final boolean counter;
    private final String[] labelNames;
    private final List<double[]> values = new ArrayList<>();
    private final List<String[]> labelValues = new ArrayList<>();

    private Family(String name, String help, boolean counter, String... labelNames) {
        this.name = name;
        this.help = help;
        this.counter = counter;
        this.labelNames = labelNames;
    }

    static Family gauge(String name, String help, String... labelNames) {
        return new Family(name, help, false, labelNames);
    }

    /** A counter; {@code name} without {@code _total}, which the exposition formats append. */
    static Family counter(String name, String help, String... labelNames) {
        return new Family(name, help, true, labelNames);
    }

    Family add(double value, String... labelValues) {
        if (labelValues.length != labelNames.length) {
            throw new IllegalArgumentException(name + " takes labels " + String.join(",", labelNames));
        }
        this.values.add(new double[]{value});
        this.labelValues.add(labelValues);
        return this;
    }

    int size() {
        return values.size();
    }

    MetricSnapshot snapshot() {
        if (counter) {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
            for (int i = 0; i < values.size(); i++) {
                b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(values.get(i)[0])
                        .labels(Labels.of(labelNames, labelValues.get(i))).build());
            }
            return b.build();
        }
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (int i = 0; i < values.size(); i++) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(values.get(i)[0])
                    .labels(Labels.of(labelNames, labelValues.get(i))).build());
        }
        return b.build();
    }
}
