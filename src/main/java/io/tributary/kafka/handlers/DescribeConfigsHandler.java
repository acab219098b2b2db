package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsRequest;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * DescribeConfigs (v1-4) for TOPIC resources (every topic config, effective value and source:
 * {@link TopicConfigs}), BROKER resources (the node's Kafka-named properties, the empty name the dynamic
 * cluster-wide defaults: {@link BrokerConfigs}) and BROKER_LOGGER (this process's loggers and their
 * levels: {@link BrokerLoggers}). Reads a catalog snapshot; never blocks.
 */
public final class DescribeConfigsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public DescribeConfigsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        DescribeConfigsRequestData req = ((DescribeConfigsRequest) request).data();
        short version = request.version();
        boolean docs = version >= 3 && req.includeDocumentation();
        DescribeConfigsResponseData resp = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : req.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            resp.results().add(result);
            try {
                List<TopicConfigs.Entry> entries = describe(resource);
                // No key list, or an empty one, means every config (Kafka's ConfigHelperUtils).
                Set<String> keys = resource.configurationKeys() == null || resource.configurationKeys().isEmpty()
                        ? null : new HashSet<>(resource.configurationKeys());
                for (TopicConfigs.Entry e : entries) {
                    if (keys == null || keys.contains(e.name())) {
                        result.configs().add(TopicConfigs.toDescribeResult(e, version, req.includeSynonyms(), docs));
                    }
                }
                result.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
            } catch (RuntimeException e) {
                ApiError error = AdminErrors.of(e);
                result.setErrorCode(error.error().code()).setErrorMessage(error.messageWithFallback()).configs().clear();
            }
        }
        return Future.succeededFuture(resp);
    }

    private List<TopicConfigs.Entry> describe(DescribeConfigsResource resource) {
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        String name = resource.resourceName();
        switch (type) {
            case TOPIC -> {
                Topic.validate(name);
                TopicInfo info = broker.logs().manager().topic(name);
                if (info == null) {
                    throw new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist.");
                }
                return TopicConfigs.describeTopic(info, broker.logs().brokerConfig());
            }
            case BROKER -> {
                if (name == null || name.isEmpty()) {
                    // The cluster-wide default entity holds only what was set dynamically for it.
                    return BrokerConfigs.describeClusterDefault(broker.logs().brokerConfig());
                }
                requireThisBroker(name, true);
                return BrokerConfigs.describeBroker(broker.logs().brokerConfig());
            }
            case BROKER_LOGGER -> {
                if (name == null || name.isEmpty()) {
                    throw new InvalidRequestException("Broker id must not be empty");
                }
                requireThisBroker(name, false);
                return BrokerLoggers.describe();
            }
            default -> throw new InvalidRequestException("Unsupported resource type: " + type);
        }
    }

    private void requireThisBroker(String name, boolean emptyAllowed) {
        int id;
        try {
            id = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Broker id must be an integer, but it is: " + name);
        }
        if (id != broker.nodeId()) {
            // Kafka's two messages differ by more than the "or empty string" (ConfigHelper).
            throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId()
                    + (emptyAllowed ? " or empty string, but received " : " but received ") + name);
        }
    }
}
