package io.tributary.log;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The broker properties Tributary has under Kafka's names, as Kafka 4.3's {@code KafkaConfig} defines them
 * (type, default, validator), so that DescribeConfigs reports them and dynamic changes are checked the way a
 * Kafka broker reports and checks them. Two groups:
 *
 * <ul>
 *   <li>the broker-level topic defaults ({@code log.retention.ms}, {@code log.segment.bytes}, …, every name in
 *       {@link LogConfig#BROKER_SYNONYMS}) — the only ones that change at runtime, as in Kafka's
 *       DynamicLogConfig — plus their coarse-unit fallbacks ({@code log.retention.hours}, …), which Kafka
 *       does not let change at runtime either;</li>
 *   <li>the node's own settings that have a Kafka name (threads, limits, group coordinator, log cleaner);
 *       static here, although Kafka can resize some thread pools and the cleaner at runtime.</li>
 * </ul>
 *
 * <p>Kafka's broker validators are sometimes looser than the topic ones ({@code log.retention.ms} has none:
 * a negative value means unlimited); they are kept as Kafka has them. Immutable, stateless.
 */
public final class BrokerConfigDef {
    /**
     * One broker property: Kafka's type and default (as a string; null when Kafka has none), and the value
     * Tributary uses when the node's properties do not set it, where that differs from Kafka's (else null).
     */
    public record Setting(String name, Type type, String kafkaDefault, String tributaryDefault, String documentation) {
    }

    private static final ConfigDef DEF = new ConfigDef();
    private static final Map<String, Setting> SETTINGS = new LinkedHashMap<>();

    /** The names that may change at runtime (for this node or cluster-wide): Kafka's DynamicLogConfig. */
    public static final Set<String> DYNAMIC = Collections.unmodifiableSet(new LinkedHashSet<>(LogConfig.BROKER_SYNONYMS.values()));

    static {
        // Topic defaults: Kafka's broker-level definitions (ServerLogConfigs and friends). Where Kafka has no
        // validator the topic level still checks the derived default (LogConfig.brokerDefaults).
        topicDefault("log.segment.bytes", Type.INT, 1073741824, Range.atLeast(1024 * 1024));
        topicDefault("log.roll.ms", Type.LONG, null, null);
        topicDefault("log.roll.jitter.ms", Type.LONG, null, null);
        topicDefault("log.index.size.max.bytes", Type.INT, 10485760, Range.atLeast(4));
        topicDefault("log.flush.interval.messages", Type.LONG, Long.MAX_VALUE, Range.atLeast(1));
        topicDefault("log.flush.interval.ms", Type.LONG, null, null);
        topicDefault("log.retention.bytes", Type.LONG, -1L, null);
        topicDefault("log.retention.ms", Type.LONG, null, null);
        topicDefault("message.max.bytes", Type.INT, 1048588, Range.atLeast(0));
        topicDefault("log.index.interval.bytes", Type.INT, 4096, Range.atLeast(0));
        topicDefault("log.segment.delete.delay.ms", Type.LONG, 60000L, Range.atLeast(0));
        topicDefault("log.cleaner.delete.retention.ms", Type.LONG, 86400000L, Range.atLeast(0));
        topicDefault("log.cleaner.min.compaction.lag.ms", Type.LONG, 0L, Range.atLeast(0));
        topicDefault("log.cleaner.max.compaction.lag.ms", Type.LONG, Long.MAX_VALUE, Range.atLeast(1));
        topicDefault("log.cleaner.min.cleanable.ratio", Type.DOUBLE, 0.5, Range.between(0, 1));
        topicDefault("log.cleanup.policy", Type.LIST, "delete", sameAsTopic("log.cleanup.policy"));
        topicDefault("unclean.leader.election.enable", Type.BOOLEAN, false, null);
        topicDefault("min.insync.replicas", Type.INT, 1, Range.atLeast(1));
        topicDefault("compression.type", Type.STRING, "producer", sameAsTopic("compression.type"));
        topicDefault("compression.gzip.level", Type.INT, -1, sameAsTopic("compression.gzip.level"));
        topicDefault("compression.lz4.level", Type.INT, 9, Range.between(1, 17));
        topicDefault("compression.zstd.level", Type.INT, 3, Range.between(-131072, 22));
        topicDefault("log.preallocate", Type.BOOLEAN, false, null);
        topicDefault("log.message.timestamp.type", Type.STRING, "CreateTime", sameAsTopic("log.message.timestamp.type"));
        topicDefault("log.message.timestamp.before.max.ms", Type.LONG, Long.MAX_VALUE, Range.atLeast(0));
        topicDefault("log.message.timestamp.after.max.ms", Type.LONG, 3600000L, Range.atLeast(0));
        topicDefault("log.local.retention.ms", Type.LONG, -2L, Range.atLeast(-2));
        topicDefault("log.local.retention.bytes", Type.LONG, -2L, Range.atLeast(-2));
        define("log.retention.minutes", Type.INT, null, null, null, "The number of minutes to keep a log file before "
                + "deleting it (in minutes), secondary to log.retention.ms property. If not set, the value in "
                + "log.retention.hours is used");
        define("log.retention.hours", Type.INT, 168, null, null, "The number of hours to keep a log file before "
                + "deleting it (in hours), tertiary to log.retention.ms property");
        define("log.roll.hours", Type.INT, 168, Range.atLeast(1), null, "The maximum time before a new log segment "
                + "is rolled out (in hours), secondary to log.roll.ms property");
        define("log.roll.jitter.hours", Type.INT, 0, Range.atLeast(0), null, "The maximum jitter to subtract from "
                + "logRollTimeMillis (in hours), secondary to log.roll.jitter.ms property");

        // The node's settings (README, Configuration). The node's properties carry Tributary's built-in value
        // of most of them (NodeConfig.defaults); where they do not and Tributary still departs from Kafka's
        // default (the cleaner's smaller buffer), that value is given here.
        define("node.id", Type.INT, null, Range.atLeast(0), null, "The node ID of this server.");
        define("broker.id", Type.INT, -1, null, null, "The broker id for this server; the same as node.id.");
        define("log.dirs", Type.LIST, null, null, null, "The directory in which the log data is kept (one).");
        define("auto.create.topics.enable", Type.BOOLEAN, true, null, null, "Enable auto creation of topic on the server.");
        define("num.partitions", Type.INT, 1, Range.atLeast(1), null, "The default number of log partitions per topic.");
        define("default.replication.factor", Type.INT, 1, null, null,
                "The replication factor for automatically created topics (always 1 on a single node).");
        define("delete.topic.enable", Type.BOOLEAN, true, null, null, "Enables delete topic.");
        define("socket.request.max.bytes", Type.INT, 104857600, Range.atLeast(1), null,
                "The maximum number of bytes in a socket request.");
        define("queued.max.requests", Type.INT, 500, Range.atLeast(1), null,
                "The number of requests in flight on one connection before reading from it pauses.");
        define("num.network.threads", Type.INT, 3, Range.atLeast(1), null,
                "The number of event loops of the Kafka listener.");
        define("num.io.threads", Type.INT, 8, Range.atLeast(1), null,
                "The number of worker threads for fsync and recovery.");
        define("log.cleaner.enable", Type.BOOLEAN, true, null, null,
                "Enable the log cleaner process to run on the server.");
        define("log.cleaner.threads", Type.INT, 1, Range.atLeast(0), null,
                "The number of background threads to use for log cleaning.");
        define("log.cleaner.backoff.ms", Type.LONG, 15000L, Range.atLeast(0), null,
                "The amount of time to sleep when there are no logs to clean.");
        define("log.cleaner.dedupe.buffer.size", Type.LONG, 134217728L, null, Long.toString(LogCleaner.Config.DEFAULT_DEDUPE_BUFFER_SIZE),
                "The total memory used for log deduplication across all cleaner threads.");
        define("log.cleaner.io.buffer.size", Type.INT, 524288, Range.atLeast(0), null,
                "The total memory used for log cleaner I/O buffers across all cleaner threads.");
        define("log.retention.check.interval.ms", Type.LONG, 300000L, Range.atLeast(1), null,
                "The frequency in milliseconds that the log cleaner checks whether any log is eligible for deletion");
        define("offsets.topic.num.partitions", Type.INT, 50, Range.atLeast(1), null,
                "The number of partitions for the offset commit topic (should not change after deployment).");
        define("offsets.retention.minutes", Type.INT, 10080, Range.atLeast(1), null,
                "For subscribed consumers, committed offset of a specific partition will be expired and discarded "
                        + "when the consumer group has been empty for this long.");
        define("offsets.retention.check.interval.ms", Type.LONG, 600000L, Range.atLeast(1), null,
                "Frequency at which to check for stale offsets.");
        define("offset.metadata.max.bytes", Type.INT, 4096, null, null,
                "The maximum size for a metadata entry associated with an offset commit.");
        define("group.initial.rebalance.delay.ms", Type.INT, 3000, null, null,
                "The amount of time the group coordinator will wait for more consumers to join a new group before "
                        + "performing the first rebalance.");
        define("group.min.session.timeout.ms", Type.INT, 6000, null, null,
                "The minimum allowed session timeout for registered consumers.");
        define("group.max.session.timeout.ms", Type.INT, 1800000, null, null,
                "The maximum allowed session timeout for registered consumers.");
        define("group.max.size", Type.INT, Integer.MAX_VALUE, Range.atLeast(1), null,
                "The maximum number of consumers that a single consumer group can accommodate.");
    }

    private BrokerConfigDef() {
    }

    /** A broker-level topic default; its documentation is the topic config's. */
    private static void topicDefault(String name, Type type, Object kafkaDefault, ConfigDef.Validator validator) {
        define(name, type, kafkaDefault, validator, null, LogConfig.CONFIG_DEF.configKeys().get(topicName(name)).documentation);
    }

    /** The topic config's own validator, for the enumerated values Kafka checks alike at both levels. */
    private static ConfigDef.Validator sameAsTopic(String brokerName) {
        return LogConfig.CONFIG_DEF.configKeys().get(topicName(brokerName)).validator;
    }

    private static String topicName(String brokerName) {
        return LogConfig.BROKER_SYNONYMS.entrySet().stream().filter(e -> e.getValue().equals(brokerName))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new IllegalStateException("not a topic default: " + brokerName));
    }

    private static void define(String name, Type type, Object kafkaDefault, ConfigDef.Validator validator,
                               String tributaryDefault, String doc) {
        // A property without a default (node.id, log.retention.ms, ...) is defined as having none, so that
        // its validator is not run on a null default.
        DEF.define(name, type, kafkaDefault == null ? ConfigDef.NO_DEFAULT_VALUE : kafkaDefault, validator, Importance.MEDIUM, doc);
        String kafkaDefaultString = kafkaDefault == null ? null
                : ConfigDef.convertToString(ConfigDef.parseType(name, kafkaDefault, type), type);
        SETTINGS.put(name, new Setting(name, type, kafkaDefaultString, tributaryDefault, doc));
    }

    /** Every broker property Tributary reports, in definition order. */
    public static Iterable<Setting> settings() {
        return SETTINGS.values();
    }

    public static Setting setting(String name) {
        return SETTINGS.get(name);
    }

    /**
     * Kafka's synonyms of a broker property, in precedence order (DynamicBrokerConfig.brokerConfigSynonyms):
     * the time properties fall back to coarser units, {@code log.flush.interval.ms} to the flush scheduler's
     * interval; every other name stands alone.
     */
    public static List<String> synonyms(String name) {
        List<List<String>> groups = List.of(
                List.of("log.roll.ms", "log.roll.hours"),
                List.of("log.roll.jitter.ms", "log.roll.jitter.hours"),
                List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours"));
        for (List<String> g : groups) {
            if (g.contains(name)) {
                return g;
            }
        }
        if (name.equals("log.flush.interval.ms")) {
            return List.of("log.flush.interval.ms", "log.flush.scheduler.interval.ms");
        }
        return List.of(name);
    }

    /**
     * Checks a dynamic layer (this node's or the cluster default) as a Kafka broker does before it accepts
     * it: first that every name may change at runtime, then each value against its definition.
     *
     * @throws ConfigException with Kafka's message ("Cannot update these configs dynamically: [log.dirs]",
     *                         "Invalid value abc for configuration log.retention.ms: Not a number of type LONG")
     */
    public static void validateDynamic(Map<String, String> layer) {
        Set<String> fixed = new TreeSet<>(layer.keySet());
        fixed.removeAll(DYNAMIC);
        if (!fixed.isEmpty()) {
            throw new ConfigException("Cannot update these configs dynamically: " + fixed);
        }
        layer.forEach((name, value) -> {
            ConfigDef.ConfigKey key = DEF.configKeys().get(name);
            Object parsed = ConfigDef.parseType(name, value, key.type);
            if (key.validator != null) {
                key.validator.ensureValid(name, parsed);
            }
        });
    }
}
