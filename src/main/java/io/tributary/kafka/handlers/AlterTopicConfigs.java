package io.tributary.kafka.handlers;

import io.tributary.kafka.KafkaBroker;
import io.tributary.log.BrokerConfigLayers;
import io.tributary.log.LogConfig;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.requests.ApiError;

import java.util.Map;

/**
 * What AlterConfigs and IncrementalAlterConfigs share: resource checks, and the write of a resource's
 * new config set — a topic's overrides, or one dynamic layer of the broker configuration (this node's,
 * resource name = node id, or the cluster-wide default, resource name ""). The new set is computed
 * from a snapshot and written as a full replacement; two clients altering the same resource at the
 * same instant resolve as last-writer-wins.
 */
final class AlterTopicConfigs {
    /** What a config edit can ask about the resource it edits. */
    interface ConfigView {
        /** The value in force now (for APPEND/SUBTRACT on a list that is not set at this level). */
        String effective(String name);

        /** The definition of a config of this resource, or null when the name is unknown. */
        ConfigDef.ConfigKey key(String name);
    }

    /** Computes the resource's complete new config set from its current one; may throw an ApiException. */
    @FunctionalInterface
    interface ConfigEdit {
        Map<String, String> apply(Map<String, String> current, ConfigView view);
    }

    private AlterTopicConfigs() {
    }

    /**
     * Alters one resource: for a topic, {@code newOverrides} maps the current topic (snapshot) to its
     * complete new override set (and may throw an ApiException to refuse). Completes with the error to
     * report, or null on success.
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
                        throw new UnknownTopicOrPartitionException("Topic '" + resourceName + "' does not exist.");
                    }
                    LogConfig defaults = broker.logs().manager().brokerDefaults();
                    Map<String, String> overrides = edit.apply(info.configOverrides(), new ConfigView() {
                        public String effective(String name) {
                            return defaults.valueAsString(name);
                        }

                        public ConfigDef.ConfigKey key(String name) {
                            return TopicConfigs.key(name);
                        }
                    });
                    return broker.logs().alterTopicConfig(resourceName, overrides, validateOnly)
                            .transform(ar -> Future.succeededFuture(ar.succeeded() ? null : AdminErrors.of(ar.cause())));
                }
                case BROKER -> {
                    boolean clusterWide = resourceName == null || resourceName.isEmpty();
                    if (!clusterWide && !Integer.toString(broker.nodeId()).equals(resourceName)) {
                        throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId()
                                + " or empty string, but received " + resourceName);
                    }
                    BrokerConfigLayers layers = broker.logs().brokerConfig();
                    Map<String, String> dynamic = edit.apply(layers.dynamic(clusterWide), new ConfigView() {
                        public String effective(String name) {
                            String v = layers.effective().get(name);
                            ConfigDef.ConfigKey key = key(name);
                            return v != null || key == null ? v : ConfigDef.convertToString(key.defaultValue, key.type);
                        }

                        public ConfigDef.ConfigKey key(String name) {
                            return TopicConfigs.brokerKey(name);
                        }
                    });
                    return broker.logs().alterBrokerConfig(clusterWide, dynamic, validateOnly)
                            .transform(ar -> Future.succeededFuture(ar.succeeded() ? null : AdminErrors.of(ar.cause())));
                }
                case BROKER_LOGGER -> throw new InvalidRequestException("Dynamic broker logger configuration is not supported");
                default -> throw new InvalidRequestException("Unsupported resource type: " + type);
            }
        } catch (RuntimeException e) {
            return Future.succeededFuture(AdminErrors.of(e));
        }
    }
}
