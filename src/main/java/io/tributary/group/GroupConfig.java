package io.tributary.group;

import java.util.Map;

/**
 * The coordinator's settings, with Kafka's broker property names and defaults.
 *
 * @param offsetsTopicPartitions     {@code offsets.topic.num.partitions} (50): partitions of {@code __consumer_offsets};
 *                                   used only when the topic is created, afterwards its real count wins
 * @param offsetsRetentionMs         {@code offsets.retention.minutes} (7 days) in ms
 * @param retentionCheckIntervalMs   {@code offsets.retention.check.interval.ms} (600000)
 * @param initialRebalanceDelayMs    {@code group.initial.rebalance.delay.ms} (3000)
 * @param minSessionTimeoutMs        {@code group.min.session.timeout.ms} (6000)
 * @param maxSessionTimeoutMs        {@code group.max.session.timeout.ms} (1800000)
 * @param maxGroupSize               {@code group.max.size} (Integer.MAX_VALUE)
 * @param maxMetadataBytes           {@code offset.metadata.max.bytes} (4096)
 */
public record GroupConfig(int offsetsTopicPartitions,
                          long offsetsRetentionMs,
                          long retentionCheckIntervalMs,
                          int initialRebalanceDelayMs,
                          int minSessionTimeoutMs,
                          int maxSessionTimeoutMs,
                          int maxGroupSize,
                          int maxMetadataBytes) {

    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";

    public GroupConfig {
        if (offsetsTopicPartitions < 1) {
            throw new IllegalArgumentException(OFFSETS_TOPIC_NUM_PARTITIONS + " must be at least 1");
        }
        if (minSessionTimeoutMs > maxSessionTimeoutMs) {
            throw new IllegalArgumentException(GROUP_MIN_SESSION_TIMEOUT_MS + " exceeds " + GROUP_MAX_SESSION_TIMEOUT_MS);
        }
    }

    /** Kafka's defaults. */
    public static Map<String, String> defaults() {
        return Map.of(OFFSETS_TOPIC_NUM_PARTITIONS, "50",
                OFFSETS_RETENTION_MINUTES, "10080",
                OFFSETS_RETENTION_CHECK_INTERVAL_MS, "600000",
                GROUP_INITIAL_REBALANCE_DELAY_MS, "3000",
                GROUP_MIN_SESSION_TIMEOUT_MS, "6000",
                GROUP_MAX_SESSION_TIMEOUT_MS, "1800000",
                GROUP_MAX_SIZE, Integer.toString(Integer.MAX_VALUE),
                OFFSET_METADATA_MAX_BYTES, "4096");
    }

    /** Reads the settings from a node's configuration, falling back to Kafka's defaults. */
    public static GroupConfig from(Map<String, String> props) {
        Map<String, String> d = defaults();
        java.util.function.Function<String, String> get = k -> props.getOrDefault(k, d.get(k)).trim();
        return new GroupConfig(Integer.parseInt(get.apply(OFFSETS_TOPIC_NUM_PARTITIONS)),
                Long.parseLong(get.apply(OFFSETS_RETENTION_MINUTES)) * 60_000L,
                Long.parseLong(get.apply(OFFSETS_RETENTION_CHECK_INTERVAL_MS)),
                Integer.parseInt(get.apply(GROUP_INITIAL_REBALANCE_DELAY_MS)),
                Integer.parseInt(get.apply(GROUP_MIN_SESSION_TIMEOUT_MS)),
                Integer.parseInt(get.apply(GROUP_MAX_SESSION_TIMEOUT_MS)),
                Integer.parseInt(get.apply(GROUP_MAX_SIZE)),
                Integer.parseInt(get.apply(OFFSET_METADATA_MAX_BYTES)));
    }
}
