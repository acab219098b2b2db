package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DescribeConfigs (v1-4) for TOPIC resources (every topic config, effective value and source), BROKER
 * resources (the broker properties behind topic defaults plus the node's main settings; the empty name
 * describes cluster-wide dynamic defaults, of which there are none yet) and BROKER_LOGGER (accepted for
 * this node with an empty list — loggers are not exposed). Reads a catalog snapshot; never blocks.
 */
public final class DescribeConfigsHandler implements ApiHandler {
    /** Node-level broker settings reported besides the topic defaults: Kafka name, type, Kafka's default, doc. */
    private record NodeSetting(String name, ConfigDef.Type type, String kafkaDefault, String doc) {
    }

    private static final List<NodeSetting> NODE_SETTINGS = List.of(
            new NodeSetting("node.id", ConfigDef.Type.INT, null, "The node ID of this server."),
            new NodeSetting("log.dirs", ConfigDef.Type.STRING, null, "The directory in which the log data is kept."),
            new NodeSetting("auto.create.topics.enable", ConfigDef.Type.BOOLEAN, "true", "Enable auto creation of topic on the server."),
            new NodeSetting("num.partitions", ConfigDef.Type.INT, "1", "The default number of log partitions per topic."),
            new NodeSetting("default.replication.factor", ConfigDef.Type.INT, "1", "The replication factor for automatically created topics."),
            new NodeSetting("socket.request.max.bytes", ConfigDef.Type.INT, "104857600", "The maximum number of bytes in a socket request."),
            new NodeSetting("delete.topic.enable", ConfigDef.Type.BOOLEAN, "true", "Enables delete topic."),
            new NodeSetting("num.network.threads", ConfigDef.Type.INT, "3", "The number of threads that the server uses for receiving requests from the network and sending responses to the network."),
            new NodeSetting("num.io.threads", ConfigDef.Type.INT, "8", "The number of threads that the server uses for processing requests, which may include disk I/O."),
            new NodeSetting("queued.max.requests", ConfigDef.Type.INT, "500", "The number of queued requests allowed before blocking the network threads."));

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
                Set<String> keys = resource.configurationKeys() == null ? null : new HashSet<>(resource.configurationKeys());
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
                    throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
                }
                return TopicConfigs.describeTopic(info, broker.logs().brokerConfig());
            }
            case BROKER -> {
                if (name == null || name.isEmpty()) {
                    // The cluster-wide default entity holds only what was set dynamically for it.
                    return TopicConfigs.describeDynamicLayer(broker.logs().brokerConfig().clusterDefault(),
                            ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
                }
                requireThisBroker(name, true);
                return describeBroker();
            }
            case BROKER_LOGGER -> {
                if (name == null || name.isEmpty()) {
                    throw new InvalidRequestException("Broker id must not be empty");
                }
                requireThisBroker(name, false);
                return List.of();
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
            throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId()
                    + (emptyAllowed ? " or empty string" : "") + ", but received " + name);
        }
    }

    private List<TopicConfigs.Entry> describeBroker() {
        Map<String, String> props = broker.brokerProperties();
        List<TopicConfigs.Entry> entries = new ArrayList<>();
        for (NodeSetting s : NODE_SETTINGS) {
            String value = props.get(s.name());
            if (value == null) {
                value = switch (s.name()) {
                    case "node.id" -> Integer.toString(broker.nodeId());
                    case "num.partitions" -> Integer.toString(broker.defaultPartitions());
                    case "auto.create.topics.enable" -> Boolean.toString(broker.autoCreateTopics());
                    case "delete.topic.enable" -> Boolean.toString(broker.deleteTopicEnable());
                    case "socket.request.max.bytes" -> Integer.toString(broker.maxRequestBytes());
                    default -> s.kafkaDefault();
                };
            }
            // Tributary always has a value for its settings; one that differs from Kafka's default was set
            // for this node (by its properties or Tributary's own defaults), which Kafka calls static config.
            boolean isKafkaDefault = s.kafkaDefault() != null && s.kafkaDefault().equals(value);
            List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
            if (!isKafkaDefault) {
                synonyms.add(TopicConfigs.synonym(s.name(), value, ConfigSource.STATIC_BROKER_CONFIG));
            }
            if (s.kafkaDefault() != null) {
                synonyms.add(TopicConfigs.synonym(s.name(), s.kafkaDefault(), ConfigSource.DEFAULT_CONFIG));
            }
            entries.add(new TopicConfigs.Entry(s.name(), value,
                    isKafkaDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG, s.type(), s.doc(), synonyms));
        }
        entries.addAll(TopicConfigs.describeBrokerTopicDefaults(broker.logs().manager().brokerDefaults(), broker.logs().brokerConfig()));
        return entries;
    }
}
