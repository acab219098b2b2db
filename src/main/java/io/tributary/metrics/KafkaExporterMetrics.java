package io.tributary.metrics;

import io.tributary.group.GroupCoordinator.GroupView;
import io.tributary.group.GroupCoordinator.MetricsView;
import io.tributary.group.GroupService;
import io.tributary.log.LogService;
import io.tributary.log.PartitionLog;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * kafka_exporter's metric families, with its names, labels and semantics (kafka_exporter.go at
 * danielqsj/kafka_exporter, default flags: {@code --offset.show-all}), computed from the node's own state
 * instead of Metadata/ListOffsets/OffsetFetch round trips; plus the lag in time no exporter has:
 * {@code kafka_consumergroup_lag_seconds}, {@code _lag_seconds_max} and {@code kafka_consumergroup_state}.
 *
 * <p>Semantics kept from kafka_exporter: a group's topic is reported only if the group committed an offset
 * for at least one of its partitions, and then for every partition of the topic; a partition without a
 * commit has {@code current_offset} -1 and {@code lag} -1, and counts -1 into {@code current_offset_sum}
 * (as kafka_exporter adds it) but nothing into {@code lag_sum}. Lag is the partition's newest offset (the
 * high watermark, what ListOffsets LATEST answers) minus the committed offset, as kafka-consumer-groups'
 * LAG column. Groups are those ListGroups shows (Dead ones are not), {@code members} their member count.
 *
 * <p>Lag in seconds: now (the node's injected clock) minus the timestamp of the group's first unconsumed
 * record, the one at max(committed, log start); 0 when the group is caught up; absent for a partition with
 * no commit. Timestamps come from {@link LagTimes} (looked up once per offset, never per scrape).
 *
 * <p>Threads: {@link #refresh} on the scraping event loop (one hop to the group coordinator for a copy),
 * {@link #collect} on the scrape's worker; partition offsets are the logs' volatile fields.
 */
final class KafkaExporterMetrics implements MultiCollector, ScrapeSource {
    private static final String[] STATES = {"Stable", "PreparingRebalance", "CompletingRebalance", "Empty", "Dead"};

    private final LogService logs;
    private final GroupService groups;
    private final LagTimes lagTimes;
    private final Time time;
    private final int nodeId;
    private final String brokerAddress;
    private final io.tributary.kafka.ClusterMetadata cluster;
    private volatile MetricsView view;

    KafkaExporterMetrics(Vertx vertx, LogService logs, GroupService groups, Time time, int nodeId, String brokerAddress,
                         io.tributary.kafka.ClusterMetadata cluster) {
        this.cluster = cluster;
        this.logs = logs;
        this.groups = groups;
        this.lagTimes = new LagTimes(vertx, logs);
        this.time = time;
        this.nodeId = nodeId;
        this.brokerAddress = brokerAddress;
    }

    /** The groups' copy, then the record timestamps of offsets not seen before. */
    @Override
    public Future<?> refresh() {
        return groups.call(c -> c.metricsView()).compose(v -> {
            view = v;
            if (v == null) {
                return Future.succeededFuture();
            }
            List<LagTimes.Wanted> wanted = new ArrayList<>();
            Map<TopicPartition, Long> starts = new HashMap<>();
            for (GroupView g : v.groups()) {
                g.offsets().forEach((tp, committed) -> {
                    PartitionLog log = logs.partition(tp);
                    if (log == null || committed < 0) {
                        return;
                    }
                    long from = Math.max(committed, log.logStartOffset());
                    if (from < log.highWatermark()) {
                        wanted.add(new LagTimes.Wanted(tp, from));
                        starts.put(tp, log.logStartOffset());
                    }
                });
            }
            lagTimes.retain(starts);
            return lagTimes.resolve(wanted);
        });
    }

    long groupsRebalanced() {
        MetricsView v = view;
        return v == null ? 0 : v.rebalances();
    }

    @Override
    public MetricSnapshots collect() {
        Family brokers = Family.gauge("kafka_brokers", "Number of Brokers in the Kafka Cluster.");
        Family brokerInfo = Family.gauge("kafka_broker_info", "Information about the Kafka Broker.", "id", "address");
        io.tributary.kafka.ClusterMetadata.Image image = cluster == null ? null : cluster.image();
        if (image == null) {
            brokers.add(1);
            brokerInfo.add(1, Integer.toString(nodeId), brokerAddress);
        } else {
            brokers.add(image.brokers().size());
            for (io.tributary.kafka.ClusterMetadata.Broker b : image.brokers().values()) {
                brokerInfo.add(1, Integer.toString(b.id()), b.host() + ":" + b.port());
            }
        }

        Family partitions = Family.gauge("kafka_topic_partitions", "Number of partitions for this Topic", "topic");
        Family current = tp("kafka_topic_partition_current_offset", "Current Offset of a Broker at Topic/Partition");
        Family oldest = tp("kafka_topic_partition_oldest_offset", "Oldest Offset of a Broker at Topic/Partition");
        Family leader = tp("kafka_topic_partition_leader", "Leader Broker ID of this Topic/Partition");
        Family replicas = tp("kafka_topic_partition_replicas", "Number of Replicas for this Topic/Partition");
        Family isr = tp("kafka_topic_partition_in_sync_replica", "Number of In-Sync Replicas for this Topic/Partition");
        Family preferred = tp("kafka_topic_partition_leader_is_preferred", "1 if Topic/Partition is using the Preferred Broker");
        Family under = tp("kafka_topic_partition_under_replicated_partition", "1 if Topic/Partition is under Replicated");

        Map<String, TopicInfo> topics = logs.manager().topics();
        // newest offsets read once per scrape, so every group's lag uses the same one
        Map<String, long[]> newest = new HashMap<>(topics.size() * 2);
        for (TopicInfo t : topics.values()) {
            partitions.add(t.partitions(), t.name());
            long[] hw = new long[t.partitions()];
            for (int p = 0; p < t.partitions(); p++) {
                PartitionLog log = logs.partition(new TopicPartition(t.name(), p));
                if (log == null) {
                    hw[p] = -1;
                    continue;
                }
                String ps = Integer.toString(p);
                hw[p] = log.highWatermark();
                io.tributary.kafka.ClusterMetadata.Partition state = image == null ? null : image.partition(t.name(), p);
                if (image != null && (state == null || state.leader() != nodeId)) {
                    continue; // another broker leads it (or none does): its series come from there
                }
                current.add(hw[p], t.name(), ps);
                oldest.add(log.logStartOffset(), t.name(), ps);
                leader.add(nodeId, t.name(), ps);
                replicas.add(state == null ? 1 : state.replicas().size(), t.name(), ps);
                isr.add(state == null ? 1 : state.isr().size(), t.name(), ps);
                preferred.add(state == null || state.replicas().get(0) == nodeId ? 1 : 0, t.name(), ps);
                under.add(state == null || state.isr().size() >= state.replicas().size() ? 0 : 1, t.name(), ps);
            }
            newest.put(t.name(), hw);
        }

        List<MetricSnapshot> out = new ArrayList<>(List.of(brokers.snapshot(), brokerInfo.snapshot()));
        for (Family f : List.of(partitions, current, oldest, leader, replicas, isr, preferred, under)) {
            if (f.size() > 0) {
                out.add(f.snapshot());
            }
        }
        MetricsView v = view;
        if (v != null) {
            groupFamilies(v, newest, out);
        }
        return new MetricSnapshots(out);
    }

    private void groupFamilies(MetricsView v, Map<String, long[]> newest, List<MetricSnapshot> out) {
        Family members = Family.gauge("kafka_consumergroup_members", "Amount of members in a consumer group", "consumergroup");
        Family state = Family.gauge("kafka_consumergroup_state",
                "1 for the consumer group's current state (Stable, PreparingRebalance, CompletingRebalance, Empty, Dead), 0 for the others",
                "consumergroup", "state");
        Family offset = gtp("kafka_consumergroup_current_offset", "Current Offset of a ConsumerGroup at Topic/Partition");
        Family lag = gtp("kafka_consumergroup_lag", "Current Approximate Lag of a ConsumerGroup at Topic/Partition");
        Family lagSeconds = gtp("kafka_consumergroup_lag_seconds",
                "Age in seconds of the ConsumerGroup's first unconsumed record at Topic/Partition (0 when caught up)");
        Family offsetSum = Family.gauge("kafka_consumergroup_current_offset_sum",
                "Current Offset of a ConsumerGroup at Topic for all partitions", "consumergroup", "topic");
        Family lagSum = Family.gauge("kafka_consumergroup_lag_sum",
                "Current Approximate Lag of a ConsumerGroup at Topic for all partitions", "consumergroup", "topic");
        Family lagSecondsMax = Family.gauge("kafka_consumergroup_lag_seconds_max",
                "Largest kafka_consumergroup_lag_seconds of the ConsumerGroup over its partitions", "consumergroup");
        long now = time.milliseconds();
        for (GroupView g : v.groups()) {
            members.add(g.members(), g.groupId());
            for (String s : STATES) {
                state.add(s.equals(g.state()) ? 1 : 0, g.groupId(), s);
            }
            Map<String, Boolean> consumedTopics = new HashMap<>();
            g.offsets().forEach((tp, o) -> {
                if (o >= 0 && newest.containsKey(tp.topic())) {
                    consumedTopics.put(tp.topic(), Boolean.TRUE);
                }
            });
            double maxSeconds = -1;
            for (String topic : consumedTopics.keySet()) {
                long[] hw = newest.get(topic);
                long offsets = 0;
                long lags = 0;
                for (int p = 0; p < hw.length; p++) {
                    if (hw[p] < 0) {
                        continue;
                    }
                    TopicPartition tp = new TopicPartition(topic, p);
                    Long committed = g.offsets().get(tp);
                    long c = committed == null ? -1 : committed;
                    String ps = Integer.toString(p);
                    offset.add(c, g.groupId(), topic, ps);
                    offsets += c;
                    if (c < 0) {
                        lag.add(-1, g.groupId(), topic, ps);
                        continue;
                    }
                    long l = hw[p] - c;
                    lag.add(l, g.groupId(), topic, ps);
                    lags += l;
                    double seconds = lagSeconds(tp, c, hw[p], now);
                    if (seconds >= 0) {
                        lagSeconds.add(seconds, g.groupId(), topic, ps);
                        maxSeconds = Math.max(maxSeconds, seconds);
                    }
                }
                offsetSum.add(offsets, g.groupId(), topic);
                lagSum.add(lags, g.groupId(), topic);
            }
            if (maxSeconds >= 0) {
                lagSecondsMax.add(maxSeconds, g.groupId());
            }
        }
        for (Family f : List.of(members, state, offset, lag, lagSeconds, offsetSum, lagSum, lagSecondsMax)) {
            if (f.size() > 0) {
                out.add(f.snapshot());
            }
        }
    }

    /** Seconds since the first unconsumed record's timestamp; 0 when caught up; -1 when not known. */
    private double lagSeconds(TopicPartition tp, long committed, long highWatermark, long now) {
        PartitionLog log = logs.partition(tp);
        long from = log == null ? committed : Math.max(committed, log.logStartOffset());
        if (from >= highWatermark) {
            return 0;
        }
        long ts = lagTimes.timestamp(tp, from);
        return ts < 0 ? -1 : Math.max(0, now - ts) / 1000.0;
    }

    private static Family tp(String name, String help) {
        return Family.gauge(name, help, "topic", "partition");
    }

    private static Family gtp(String name, String help) {
        return Family.gauge(name, help, "consumergroup", "topic", "partition");
    }
}
