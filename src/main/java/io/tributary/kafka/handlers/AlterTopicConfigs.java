package io.tributary.kafka.handlers;

import io.tributary.kafka.KafkaBroker;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.requests.ApiError;

import java.util.Map;
import java.util.function.Function;

/**
 * What AlterConfigs and IncrementalAlterConfigs share: resource checks and the write of a topic's new
 * override set. The new set is computed from a catalog snapshot and written as a full replacement; two
 * clients altering the same topic at the same instant resolve as last-writer-wins.
 */
final class AlterTopicConfigs {
    static final String BROKER_UNSUPPORTED = "Dynamic broker configuration is not supported yet";

    private AlterTopicConfigs() {
    }

    /**
     * Alters one resource: for a topic, {@code newOverrides} maps the current topic (snapshot) to its
     * complete new override set (and may throw an ApiException to refuse). Completes with the error to
     * report, or null on success.
     */
    static Future<ApiError> alter(KafkaBroker broker, byte resourceType, String resourceName, boolean validateOnly,
                                  Function<TopicInfo, Map<String, String>> newOverrides) {
        try {
            ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
            switch (type) {
                case TOPIC -> {
                    Topic.validate(resourceName);
                    TopicInfo info = broker.logs().manager().topic(resourceName);
                    if (info == null) {
                        throw new UnknownTopicOrPartitionException("Topic '" + resourceName + "' does not exist.");
                    }
                    Map<String, String> overrides = newOverrides.apply(info);
                    return broker.logs().alterTopicConfig(resourceName, overrides, validateOnly)
                            .transform(ar -> Future.succeededFuture(ar.succeeded() ? null : AdminErrors.of(ar.cause())));
                }
                case BROKER, BROKER_LOGGER -> throw new InvalidRequestException(BROKER_UNSUPPORTED);
                default -> throw new InvalidRequestException("Unsupported resource type: " + type);
            }
        } catch (RuntimeException e) {
            return Future.succeededFuture(AdminErrors.of(e));
        }
    }
}
