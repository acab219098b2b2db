package io.tributary.log;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.apache.kafka.common.config.TopicConfig.*;

/**
 * Effective topic-level configuration of one topic: broker defaults overlaid with topic overrides.
 *
 * <p>Names, types, defaults and validators follow Kafka 4.x's {@code LogConfig} so that
 * {@code DescribeConfigs}/{@code CreateTopics} behave the way Kafka clients and tools expect.
 * Immutable; safe to share between threads. A {@link PartitionLog} holds its config in a volatile
 * field and swaps the whole object on {@code AlterConfigs}.
 *
 * <p>Test escape hatch: Kafka refuses {@code segment.bytes} below 1 MiB. Tests need tiny segments,
 * so when the broker property {@value #UNSAFE_SMALL_SEGMENTS} is {@code true} the floor drops to
 * 1024 bytes for that broker and every topic derived from its defaults.
 */
public final class LogConfig {
    /** Broker property enabling segments smaller than 1 MiB (tests only). */
    public static final String UNSAFE_SMALL_SEGMENTS = "tributary.unsafe.small.segments";
    static final int MIN_SEGMENT_BYTES = 1024 * 1024;
    static final int UNSAFE_MIN_SEGMENT_BYTES = 1024;

    // Declared before CONFIG_DEF, which uses them (static initialisation runs in textual order).
    /** Kafka's replication throttle lists: {@code *}, or {@code partition:broker} pairs. */
    static final String LEADER_THROTTLED_REPLICAS = "leader.replication.throttled.replicas";
    static final String FOLLOWER_THROTTLED_REPLICAS = "follower.replication.throttled.replicas";
    private static final String LEADER_THROTTLED_REPLICAS_DOC = "A list of replicas for which log replication should "
        + "be throttled on the leader side. The list should describe a set of replicas in the form "
        + "[PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... or alternatively the wildcard '*' can be used to "
        + "throttle all replicas for this topic. Accepted and ignored: a single node replicates nothing.";
    private static final String FOLLOWER_THROTTLED_REPLICAS_DOC = "A list of replicas for which log replication should "
        + "be throttled on the follower side. The list should describe a set of replicas in the form "
        + "[PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... or alternatively the wildcard '*' can be used to "
        + "throttle all replicas for this topic. Accepted and ignored: a single node replicates nothing.";
    static final String TIERED_STORAGE_DISABLED =
        "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.";

    /** Kafka's rule for the throttled-replica lists, with Kafka's message. */
    private static final ConfigDef.Validator THROTTLED_REPLICAS = new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof List<?> list)) {
                throw new ConfigException(name, value, "Unknown type " + (value == null ? null : value.getClass().getName()));
            }
            List<String> entries = list.stream().map(o -> o.toString().trim()).toList();
            boolean pairs = entries.stream().allMatch(e -> e.matches("([0-9]+:[0-9]+)?"));
            if (!pairs && !String.join("", entries).equals("*")) {
                throw new ConfigException(name, value, name + " must be the literal '*' or a list of replicas in the "
                    + "following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...");
            }
        }

        @Override
        public String toString() {
            return "[partitionId]:[brokerId],[partitionId]:[brokerId],...";
        }
    };

    /** gzip levels 1-9, or -1 for the codec's default (Kafka's rule and message). */
    private static final ConfigDef.Validator GZIP_LEVEL = ConfigDef.LambdaValidator.with((name, value) -> {
        if (!(value instanceof Integer level) || (level != -1 && (level < 1 || level > 9))) {
            throw new ConfigException(name, value, "Value must be between 1 and 9 or equal to -1");
        }
    }, () -> "[1,...,9] or -1");

    public static final ConfigDef CONFIG_DEF = define(MIN_SEGMENT_BYTES);
    private static final ConfigDef UNSAFE_CONFIG_DEF = define(UNSAFE_MIN_SEGMENT_BYTES);

    public static final Map<String, String> BROKER_SYNONYMS;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SEGMENT_BYTES_CONFIG, "log.segment.bytes");
        m.put(SEGMENT_MS_CONFIG, "log.roll.ms");
        m.put(SEGMENT_JITTER_MS_CONFIG, "log.roll.jitter.ms");
        m.put(SEGMENT_INDEX_BYTES_CONFIG, "log.index.size.max.bytes");
        m.put(FLUSH_MESSAGES_INTERVAL_CONFIG, "log.flush.interval.messages");
        m.put(FLUSH_MS_CONFIG, "log.flush.interval.ms");
        m.put(RETENTION_BYTES_CONFIG, "log.retention.bytes");
        m.put(RETENTION_MS_CONFIG, "log.retention.ms");
        m.put(MAX_MESSAGE_BYTES_CONFIG, "message.max.bytes");
        m.put(INDEX_INTERVAL_BYTES_CONFIG, "log.index.interval.bytes");
        m.put(FILE_DELETE_DELAY_MS_CONFIG, "log.segment.delete.delay.ms");
        m.put(DELETE_RETENTION_MS_CONFIG, "log.cleaner.delete.retention.ms");
        m.put(MIN_COMPACTION_LAG_MS_CONFIG, "log.cleaner.min.compaction.lag.ms");
        m.put(MAX_COMPACTION_LAG_MS_CONFIG, "log.cleaner.max.compaction.lag.ms");
        m.put(MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "log.cleaner.min.cleanable.ratio");
        m.put(CLEANUP_POLICY_CONFIG, "log.cleanup.policy");
        m.put(UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "unclean.leader.election.enable");
        m.put(MIN_IN_SYNC_REPLICAS_CONFIG, "min.insync.replicas");
        m.put(COMPRESSION_TYPE_CONFIG, "compression.type");
        m.put(COMPRESSION_GZIP_LEVEL_CONFIG, "compression.gzip.level");
        m.put(COMPRESSION_LZ4_LEVEL_CONFIG, "compression.lz4.level");
        m.put(COMPRESSION_ZSTD_LEVEL_CONFIG, "compression.zstd.level");
        m.put(PREALLOCATE_CONFIG, "log.preallocate");
        m.put(MESSAGE_TIMESTAMP_TYPE_CONFIG, "log.message.timestamp.type");
        m.put(MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "log.message.timestamp.before.max.ms");
        m.put(MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "log.message.timestamp.after.max.ms");
        m.put(LOCAL_LOG_RETENTION_MS_CONFIG, "log.local.retention.ms");
        m.put(LOCAL_LOG_RETENTION_BYTES_CONFIG, "log.local.retention.bytes");
        BROKER_SYNONYMS = Collections.unmodifiableMap(m);
    }

    private static ConfigDef define(int minSegmentBytes) {
        return new ConfigDef()
            .define(SEGMENT_BYTES_CONFIG, Type.INT, 1024 * 1024 * 1024, Range.atLeast(minSegmentBytes), Importance.MEDIUM, SEGMENT_BYTES_DOC)
            .define(SEGMENT_MS_CONFIG, Type.LONG, 7 * 24 * 3600 * 1000L, Range.atLeast(1), Importance.MEDIUM, SEGMENT_MS_DOC)
            .define(SEGMENT_JITTER_MS_CONFIG, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM, SEGMENT_JITTER_MS_DOC)
            .define(SEGMENT_INDEX_BYTES_CONFIG, Type.INT, 10 * 1024 * 1024, Range.atLeast(4), Importance.MEDIUM, SEGMENT_INDEX_BYTES_DOC)
            .define(FLUSH_MESSAGES_INTERVAL_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM, FLUSH_MESSAGES_INTERVAL_DOC)
            .define(FLUSH_MS_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(0), Importance.MEDIUM, FLUSH_MS_DOC)
            .define(RETENTION_BYTES_CONFIG, Type.LONG, -1L, Importance.MEDIUM, RETENTION_BYTES_DOC)
            .define(RETENTION_MS_CONFIG, Type.LONG, 7 * 24 * 3600 * 1000L, Range.atLeast(-1), Importance.MEDIUM, RETENTION_MS_DOC)
            .define(MAX_MESSAGE_BYTES_CONFIG, Type.INT, 1024 * 1024 + 12, Range.atLeast(0), Importance.MEDIUM, MAX_MESSAGE_BYTES_DOC)
            .define(INDEX_INTERVAL_BYTES_CONFIG, Type.INT, 4096, Range.atLeast(0), Importance.MEDIUM, INDEX_INTERVAL_BYTES_DOC)
            .define(FILE_DELETE_DELAY_MS_CONFIG, Type.LONG, 60000L, Range.atLeast(0), Importance.MEDIUM, FILE_DELETE_DELAY_MS_DOC)
            .define(DELETE_RETENTION_MS_CONFIG, Type.LONG, 86400000L, Range.atLeast(0), Importance.MEDIUM, DELETE_RETENTION_MS_DOC)
            .define(MIN_COMPACTION_LAG_MS_CONFIG, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM, MIN_COMPACTION_LAG_MS_DOC)
            .define(MAX_COMPACTION_LAG_MS_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM, MAX_COMPACTION_LAG_MS_DOC)
            .define(MIN_CLEANABLE_DIRTY_RATIO_CONFIG, Type.DOUBLE, 0.5, Range.between(0, 1), Importance.MEDIUM, MIN_CLEANABLE_DIRTY_RATIO_DOC)
            .define(CLEANUP_POLICY_CONFIG, Type.LIST, CLEANUP_POLICY_DELETE,
                ValidList.in(CLEANUP_POLICY_COMPACT, CLEANUP_POLICY_DELETE), Importance.MEDIUM, CLEANUP_POLICY_DOC)
            .define(UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, UNCLEAN_LEADER_ELECTION_ENABLE_DOC)
            .define(MIN_IN_SYNC_REPLICAS_CONFIG, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM, MIN_IN_SYNC_REPLICAS_DOC)
            .define(COMPRESSION_TYPE_CONFIG, Type.STRING, "producer",
                ValidString.in("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"), Importance.MEDIUM, COMPRESSION_TYPE_DOC)
            .define(COMPRESSION_GZIP_LEVEL_CONFIG, Type.INT, -1, GZIP_LEVEL, Importance.MEDIUM, COMPRESSION_GZIP_LEVEL_DOC)
            .define(COMPRESSION_LZ4_LEVEL_CONFIG, Type.INT, 9, Range.between(1, 17), Importance.MEDIUM, COMPRESSION_LZ4_LEVEL_DOC)
            .define(COMPRESSION_ZSTD_LEVEL_CONFIG, Type.INT, 3, Range.between(-131072, 22), Importance.MEDIUM, COMPRESSION_ZSTD_LEVEL_DOC)
            .define(PREALLOCATE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, PREALLOCATE_DOC)
            .define(MESSAGE_TIMESTAMP_TYPE_CONFIG, Type.STRING, "CreateTime",
                ValidString.in("CreateTime", "LogAppendTime"), Importance.MEDIUM, MESSAGE_TIMESTAMP_TYPE_DOC)
            .define(MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(0), Importance.MEDIUM, MESSAGE_TIMESTAMP_BEFORE_MAX_MS_DOC)
            .define(MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Type.LONG, 3600000L, Range.atLeast(0), Importance.MEDIUM, MESSAGE_TIMESTAMP_AFTER_MAX_MS_DOC)
            // Accepted and reported as Kafka does, with no effect here: a single node has no followers to
            // throttle, and tiered storage is off (remote.storage.enable=true is refused, as by a Kafka broker
            // with remote.log.storage.system.enable=false; the local.retention.* limits only apply with it).
            .define(LEADER_THROTTLED_REPLICAS, Type.LIST, "", THROTTLED_REPLICAS, Importance.MEDIUM, LEADER_THROTTLED_REPLICAS_DOC)
            .define(FOLLOWER_THROTTLED_REPLICAS, Type.LIST, "", THROTTLED_REPLICAS, Importance.MEDIUM, FOLLOWER_THROTTLED_REPLICAS_DOC)
            .define(LOCAL_LOG_RETENTION_MS_CONFIG, Type.LONG, -2L, Range.atLeast(-2), Importance.MEDIUM, LOCAL_LOG_RETENTION_MS_DOC)
            .define(LOCAL_LOG_RETENTION_BYTES_CONFIG, Type.LONG, -2L, Range.atLeast(-2), Importance.MEDIUM, LOCAL_LOG_RETENTION_BYTES_DOC)
            .define(REMOTE_LOG_STORAGE_ENABLE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, REMOTE_LOG_STORAGE_ENABLE_DOC)
            .define(REMOTE_LOG_COPY_DISABLE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, REMOTE_LOG_COPY_DISABLE_DOC)
            .define(REMOTE_LOG_DELETE_ON_DISABLE_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, REMOTE_LOG_DELETE_ON_DISABLE_DOC);
    }


    private final Map<String, Object> values;      // every topic config -> parsed value
    private final Set<String> overridden;          // names set at topic level
    private final boolean unsafeSmallSegments;

    private LogConfig(Map<String, Object> values, Set<String> overridden, boolean unsafeSmallSegments) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.overridden = Set.copyOf(overridden);
        this.unsafeSmallSegments = unsafeSmallSegments;
    }

    /** Kafka's defaults, no overrides. */
    public static LogConfig defaults() {
        return brokerDefaults(Map.of());
    }

    /**
     * Topic defaults from broker properties. Honours Kafka's time-unit fallbacks:
     * {@code log.retention.ms} > {@code log.retention.minutes} > {@code log.retention.hours},
     * {@code log.roll.ms} > {@code log.roll.hours}, {@code log.roll.jitter.ms} > {@code log.roll.jitter.hours}.
     */
    public static LogConfig brokerDefaults(Map<String, String> brokerProps) throws ConfigException {
        boolean unsafe = Boolean.parseBoolean(brokerProps.getOrDefault(UNSAFE_SMALL_SEGMENTS, "false"));
        Map<String, String> topicLevel = new HashMap<>();
        for (Map.Entry<String, String> e : BROKER_SYNONYMS.entrySet()) {
            String v = brokerProps.get(e.getValue());
            if (v != null) topicLevel.put(e.getKey(), v);
        }
        String retentionMs = brokerProps.get("log.retention.ms");
        if (retentionMs != null) {
            // Kafka's broker property has no lower bound: any negative value means unlimited (-1).
            topicLevel.put(RETENTION_MS_CONFIG, String.valueOf(scaled(retentionMs, 1L, "log.retention.ms")));
        } else {
            String minutes = brokerProps.get("log.retention.minutes");
            String hours = brokerProps.get("log.retention.hours");
            if (minutes != null) topicLevel.put(RETENTION_MS_CONFIG, String.valueOf(scaled(minutes, 60_000L, "log.retention.minutes")));
            else if (hours != null) topicLevel.put(RETENTION_MS_CONFIG, String.valueOf(scaled(hours, 3_600_000L, "log.retention.hours")));
        }
        if (!brokerProps.containsKey("log.roll.ms") && brokerProps.containsKey("log.roll.hours")) {
            topicLevel.put(SEGMENT_MS_CONFIG, String.valueOf(scaled(brokerProps.get("log.roll.hours"), 3_600_000L, "log.roll.hours")));
        }
        if (!brokerProps.containsKey("log.roll.jitter.ms") && brokerProps.containsKey("log.roll.jitter.hours")) {
            topicLevel.put(SEGMENT_JITTER_MS_CONFIG,
                String.valueOf(scaled(brokerProps.get("log.roll.jitter.hours"), 3_600_000L, "log.roll.jitter.hours")));
        }
        Map<String, Object> parsed = def(unsafe).parse(topicLevel);
        return new LogConfig(parsed, Set.of(), unsafe);
    }

    private static long scaled(String v, long factor, String name) {
        try {
            long n = Long.parseLong(v.trim());
            // Kafka treats a negative retention as "unlimited" (-1).
            return n < 0 ? -1 : Math.multiplyExact(n, factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException(name, v, "must be a long");
        }
    }

    /** {@code defaults} overridden by topic-level {@code overrides}; unknown names are rejected. */
    public static LogConfig fromOverrides(LogConfig defaults, Map<String, String> overrides) throws ConfigException {
        ConfigDef def = def(defaults.unsafeSmallSegments);
        Map<String, Object> merged = new HashMap<>();
        for (String name : def.names()) merged.put(name, valueString(defaults.values.get(name), def.configKeys().get(name).type));
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!def.names().contains(e.getKey())) {
                throw new ConfigException("Unknown topic config name: " + e.getKey());
            }
            if (e.getValue() == null) throw new ConfigException(e.getKey(), null, "Null value not allowed");
            merged.put(e.getKey(), e.getValue());
        }
        Map<String, Object> parsed = def.parse(merged);
        if (Boolean.TRUE.equals(parsed.get(REMOTE_LOG_STORAGE_ENABLE_CONFIG))) {
            throw new ConfigException(TIERED_STORAGE_DISABLED);
        }
        return new LogConfig(parsed, overrides.keySet(), defaults.unsafeSmallSegments);
    }

    private static ConfigDef def(boolean unsafe) {
        return unsafe ? UNSAFE_CONFIG_DEF : CONFIG_DEF;
    }

    private static String valueString(Object value, Type type) {
        return ConfigDef.convertToString(value, type);
    }

    /** Every topic config name to its effective value. */
    public Map<String, Object> values() { return values; }

    /** Kafka's string form of the effective value (lists comma-joined). */
    public String valueAsString(String name) {
        ConfigDef.ConfigKey key = CONFIG_DEF.configKeys().get(name);
        if (key == null) throw new ConfigException(name, null, "Unknown topic config name");
        return valueString(values.get(name), key.type);
    }

    public boolean isDefault(String name) { return !overridden.contains(name); }
    public Set<String> overriddenNames() { return overridden; }
    boolean unsafeSmallSegments() { return unsafeSmallSegments; }

    public long segmentBytes() { return (Integer) values.get(SEGMENT_BYTES_CONFIG); }
    public long segmentMs() { return (Long) values.get(SEGMENT_MS_CONFIG); }
    public long segmentJitterMs() { return (Long) values.get(SEGMENT_JITTER_MS_CONFIG); }
    public long retentionMs() { return (Long) values.get(RETENTION_MS_CONFIG); }
    public long retentionBytes() { return (Long) values.get(RETENTION_BYTES_CONFIG); }
    public long flushMessages() { return (Long) values.get(FLUSH_MESSAGES_INTERVAL_CONFIG); }
    public long flushMs() { return (Long) values.get(FLUSH_MS_CONFIG); }
    public int maxMessageBytes() { return (Integer) values.get(MAX_MESSAGE_BYTES_CONFIG); }
    public boolean compact() { return cleanupPolicy().contains(CLEANUP_POLICY_COMPACT); }
    public boolean delete() { return cleanupPolicy().contains(CLEANUP_POLICY_DELETE); }
    public TimestampType timestampType() { return TimestampType.forName((String) values.get(MESSAGE_TIMESTAMP_TYPE_CONFIG)); }
    public long timestampBeforeMaxMs() { return (Long) values.get(MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG); }
    public long timestampAfterMaxMs() { return (Long) values.get(MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG); }
    public int indexIntervalBytes() { return (Integer) values.get(INDEX_INTERVAL_BYTES_CONFIG); }
    public int segmentIndexBytes() { return (Integer) values.get(SEGMENT_INDEX_BYTES_CONFIG); }
    public long fileDeleteDelayMs() { return (Long) values.get(FILE_DELETE_DELAY_MS_CONFIG); }
    public int minInsyncReplicas() { return (Integer) values.get(MIN_IN_SYNC_REPLICAS_CONFIG); }
    public String compressionType() { return (String) values.get(COMPRESSION_TYPE_CONFIG); }
    public long deleteRetentionMs() { return (Long) values.get(DELETE_RETENTION_MS_CONFIG); }
    public double minCleanableDirtyRatio() { return (Double) values.get(MIN_CLEANABLE_DIRTY_RATIO_CONFIG); }
    public long minCompactionLagMs() { return (Long) values.get(MIN_COMPACTION_LAG_MS_CONFIG); }
    public long maxCompactionLagMs() { return (Long) values.get(MAX_COMPACTION_LAG_MS_CONFIG); }
    public boolean preallocate() { return (Boolean) values.get(PREALLOCATE_CONFIG); }

    @SuppressWarnings("unchecked")
    private List<String> cleanupPolicy() { return (List<String>) values.get(CLEANUP_POLICY_CONFIG); }

    @Override public boolean equals(Object o) {
        return o instanceof LogConfig c && c.values.equals(values) && c.overridden.equals(overridden);
    }
    @Override public int hashCode() { return values.hashCode(); }
    @Override public String toString() { return "LogConfig" + values; }
}
