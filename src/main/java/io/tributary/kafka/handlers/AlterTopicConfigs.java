package io.tributary.kafka.handlers;

import io.tributary.kafka.KafkaBroker;
import io.tributary.log.BrokerConfigDef;
import io.tributary.log.BrokerConfigLayers;
import io.tributary.log.LogConfig;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.requests.ApiError;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What AlterConfigs and IncrementalAlterConfigs share: Kafka's request checks (ConfigAdminManager
 * preprocessing: each resource once, each key once, no null value), resource checks, and the write of a
 * resource's new config set — a topic's overrides, or one dynamic layer of the broker configuration (this
 * node's, resource name = node id, or the cluster-wide default, resource name ""). The new set is computed
 * from a snapshot and written as a full replacement; two clients altering the same resource at the same
 * instant resolve as last-writer-wins.
 */
final class AlterTopicConfigs {
    /** What a config edit can ask about the resource it edits. */
    interface ConfigView {
        /**
         * The comma-separated list an APPEND or SUBTRACT of {@code name} starts from when the resource does not
         * set it; refuses, with INVALID_CONFIG and Kafka's message for this resource type, a name that is not a
         * LIST config.
         */
        String listBase(OpType op, String name);
    }

    /** Computes the resource's complete new config set from its current one; may throw an ApiException. */
    @FunctionalInterface
    interface ConfigEdit {
        Map<String, String> apply(Map<String, String> current, ConfigView view);
    }

    static final String DUPLICATE_RESOURCE = "Each resource must appear at most once.";

    private AlterTopicConfigs() {
    }

    /** The resources that appear more than once in one request (every occurrence), which Kafka refuses all. */
    static <R> Set<R> duplicateResources(Collection<R> resources, Function<R, Byte> type, Function<R, String> name) {
        Map<String, Integer> counts = new HashMap<>();
        for (R r : resources) {
            counts.merge(type.apply(r) + "/" + name.apply(r), 1, Integer::sum);
        }
        Set<R> duplicates = Collections.newSetFromMap(new IdentityHashMap<>());
        for (R r : resources) {
            if (counts.get(type.apply(r) + "/" + name.apply(r)) > 1) {
                duplicates.add(r);
            }
        }
        return duplicates;
    }

    /**
     * Kafka's checks of one resource's config list, before anything else about the resource: no key twice,
     * no null value for a name that is being set.
     */
    static void checkConfigList(List<String> names, List<String> namesWithNullValue) {
        if (new HashSet<>(names).size() != names.size()) {
            throw new InvalidRequestException("Error due to duplicate config keys");
        }
        if (!namesWithNullValue.isEmpty()) {
            throw new InvalidRequestException("Null value not supported for : " + String.join(", ", namesWithNullValue));
        }
    }

    /**
     * Alters one resource: {@code edit} maps the resource's current config set (a snapshot: a topic's
     * overrides, or the dynamic broker layer) to its complete new set, and may throw an ApiException to
     * refuse. Completes with the error to report, or null on success.
     */
    static Future<ApiError> alter(KafkaBroker broker, byte resourceType, String resourceName, boolean validateOnly,
                                  ConfigEdit edit) {
        try {
            ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
            switch (type) {
                case TOPIC -> {
                    Topic.validate(resourceName);
                    TopicInfo info = broker.logs().manager().topic(resourceName);
                    if (info == null) {
                        throw new UnknownTopicOrPartitionException("The topic '" + resourceName + "' does not exist.");
                    }
                    Map<String, String> overrides = edit.apply(info.configOverrides(), AlterTopicConfigs::topicListBase);
                    Future<?> done = !broker.clustered() || validateOnly
                            ? broker.logs().alterTopicConfig(resourceName, overrides, validateOnly)
                            // On a cluster: checked here, then written to /config/topics/T, which every broker applies
                            // to its replicas (this one at once, so its DescribeConfigs shows it).
                            : broker.logs().alterTopicConfig(resourceName, overrides, true)
                                    .compose(ok -> broker.cluster().alterTopicConfig(resourceName, overrides))
                                    .compose(ok -> broker.logs().alterTopicConfig(resourceName, overrides, false));
                    return done.transform(ar -> Future.succeededFuture(ar.succeeded() ? null : AdminErrors.of(ar.cause())));
                }
                case BROKER -> {
                    boolean clusterWide = resourceName == null || resourceName.isEmpty();
                    if (!clusterWide) {
                        requireThisNode(broker, resourceName);
                    }
                    BrokerConfigLayers layers = broker.logs().brokerConfig();
                    Map<String, String> dynamic = edit.apply(layers.dynamic(clusterWide), AlterTopicConfigs::brokerListBase);
                    return broker.logs().alterBrokerConfig(clusterWide, dynamic, validateOnly)
                            .transform(ar -> Future.succeededFuture(ar.succeeded() ? null : AdminErrors.of(ar.cause())));
                }
                case BROKER_LOGGER -> throw new InvalidRequestException("BROKER_LOGGER is altered by IncrementalAlterConfigs only");
                default -> throw new InvalidRequestException("Unsupported resource type: " + type);
            }
        } catch (RuntimeException e) {
            return Future.succeededFuture(AdminErrors.of(e));
        }
    }

    /** Kafka's check of a broker resource name on the alter path (ConfigAdminManager), with its messages. */
    private static void requireThisNode(KafkaBroker broker, String name) {
        int id;
        try {
            id = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Node id must be an integer, but it is: " + name);
        }
        if (id != broker.nodeId()) {
            throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId() + ", but received " + name);
        }
    }

    /**
     * A topic list starts from the topic config's own default, as Kafka's controller does (the broker-level
     * default does not enter); anything but a LIST topic config is refused with the controller's message.
     */
    private static String topicListBase(OpType op, String name) {
        ConfigDef.ConfigKey key = LogConfig.CONFIG_DEF.configKeys().get(name);
        if (key == null || key.type != ConfigDef.Type.LIST) {
            throw new InvalidConfigurationException("Can't " + op + " to key " + name + " because its type is not LIST.");
        }
        return ConfigDef.convertToString(key.defaultValue, key.type);
    }

    /** A broker list starts from Kafka's default of the property, as the broker's preprocessing does. */
    private static String brokerListBase(OpType op, String name) {
        BrokerConfigDef.Setting s = BrokerConfigDef.setting(name);
        if (s == null) {
            throw new InvalidConfigurationException("Unknown config name: " + name);
        }
        if (s.type() != ConfigDef.Type.LIST) {
            throw new InvalidConfigurationException("Config value " + op.name().toLowerCase(Locale.ROOT)
                    + " is not allowed for config key: " + name);
        }
        return s.kafkaDefault();
    }
}
