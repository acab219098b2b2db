package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.MetadataRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Metadata on a single node (cluster mode: {@link ClusterMetadataResponse}): this node as the only broker,
 * controller and leader of every partition; real topic ids
 * (kafka-clients uses Fetch v13+ only when it gets them). Unknown topics are created when
 * {@code auto.create.topics.enable} and the request allow it, and returned in the same response.
 */
public final class MetadataHandler implements ApiHandler {
    private final KafkaBroker broker;

    public MetadataHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        MetadataRequestData req = ((MetadataRequest) request).data();
        short version = request.version();
        boolean allTopics = req.topics() == null || (version == 0 && req.topics().isEmpty());
        boolean allowAutoCreate = version < 4 || req.allowAutoTopicCreation();
        if (broker.clustered()) {
            return ClusterMetadataResponse.answer(broker, req, allTopics, allowAutoCreate);
        }
        Map<String, TopicInfo> catalog = broker.logs().manager().topics();

        List<String> names = new ArrayList<>();
        List<MetadataResponseTopic> unresolved = new ArrayList<>();
        if (allTopics) {
            names.addAll(catalog.keySet());
        } else {
            for (MetadataRequestData.MetadataRequestTopic t : req.topics()) {
                if (t.name() != null) {
                    names.add(t.name());
                } else if (t.topicId() != null && !Uuid.ZERO_UUID.equals(t.topicId())) {
                    TopicInfo info = broker.logs().manager().topicById(t.topicId());
                    if (info == null) {
                        unresolved.add(new MetadataResponseTopic().setTopicId(t.topicId()).setName(null)
                                .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                    } else {
                        names.add(info.name());
                    }
                }
            }
        }

        List<Future<?>> creations = new ArrayList<>();
        if (!allTopics && allowAutoCreate && broker.autoCreateTopics()) {
            for (String name : names) {
                if (!catalog.containsKey(name) && Topic.isValid(name)) {
                    creations.add(broker.logs().createTopic(name, broker.defaultPartitions(), Map.of(), false)
                            .recover(t -> t instanceof TopicExistsException ? Future.succeededFuture() : Future.failedFuture(t)));
                }
            }
        }
        return Future.join(creations).transform(ignored -> {
            Map<String, TopicInfo> now = broker.logs().manager().topics();
            MetadataResponseData resp = new MetadataResponseData()
                    .setClusterId(broker.clusterId())
                    .setControllerId(broker.nodeId());
            resp.brokers().add(new MetadataResponseBroker()
                    .setNodeId(broker.nodeId())
                    .setHost(broker.advertisedHostFor(ctx.localHost()))
                    .setPort(ctx.localPort())
                    .setRack(null));
            for (String name : names) {
                resp.topics().add(describe(name, now.get(name)));
            }
            unresolved.forEach(resp.topics()::add);
            return Future.succeededFuture(resp);
        });
    }

    private MetadataResponseTopic describe(String name, TopicInfo info) {
        MetadataResponseTopic topic = new MetadataResponseTopic().setName(name).setIsInternal(Topic.isInternal(name));
        if (info == null) {
            Errors error = Topic.isValid(name) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.INVALID_TOPIC_EXCEPTION;
            return topic.setErrorCode(error.code()).setTopicId(Uuid.ZERO_UUID);
        }
        topic.setTopicId(info.topicId());
        List<Integer> self = List.of(broker.nodeId());
        for (int p = 0; p < info.partitions(); p++) {
            topic.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setLeaderId(broker.nodeId())
                    .setLeaderEpoch(0)
                    .setReplicaNodes(self)
                    .setIsrNodes(self)
                    .setOfflineReplicas(List.of()));
        }
        return topic;
    }
}
