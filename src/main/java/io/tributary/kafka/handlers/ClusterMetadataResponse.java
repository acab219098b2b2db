package io.tributary.kafka.handlers;

import io.tributary.kafka.ClusterMetadata;
import io.tributary.kafka.KafkaBroker;
import io.vertx.core.Future;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Metadata in cluster mode, from the cluster's metadata image: every live broker, the controller, each
 * partition's leader, leader epoch, replicas, ISR and offline replicas (replicas whose broker is not
 * registered). A partition without a leader answers LEADER_NOT_AVAILABLE, so clients refresh and retry. An
 * unknown topic that may be auto-created is written to the cluster (default.replication.factor replicas) and
 * answered LEADER_NOT_AVAILABLE in this response, as Kafka does.
 */
final class ClusterMetadataResponse {
    private ClusterMetadataResponse() {
    }

    static Future<ApiMessage> answer(KafkaBroker broker, MetadataRequestData req, boolean allTopics, boolean allowAutoCreate) {
        ClusterMetadata cluster = broker.cluster();
        ClusterMetadata.Image image = cluster.image();
        List<String> names = new ArrayList<>();
        List<MetadataResponseTopic> unresolved = new ArrayList<>();
        if (allTopics) {
            names.addAll(image.topics().keySet());
        } else {
            for (MetadataRequestData.MetadataRequestTopic t : req.topics()) {
                if (t.name() != null) {
                    names.add(t.name());
                } else if (t.topicId() != null && !Uuid.ZERO_UUID.equals(t.topicId())) {
                    ClusterMetadata.Topic found = image.topicById(t.topicId());
                    if (found == null) {
                        unresolved.add(new MetadataResponseTopic().setTopicId(t.topicId()).setName(null)
                                .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                    } else {
                        names.add(found.name());
                    }
                }
            }
        }
        Set<String> creating = new TreeSet<>();
        if (!allTopics && allowAutoCreate && broker.autoCreateTopics()) {
            int rf = Integer.parseInt(broker.brokerProperties().getOrDefault("default.replication.factor", "1").trim());
            for (String name : names) {
                if (image.topic(name) == null && Topic.isValid(name)) {
                    creating.add(name);
                    cluster.createTopic(name, broker.defaultPartitions(), Math.min(rf, Math.max(1, image.brokers().size())),
                            null, Map.of(), false, 1);
                }
            }
        }
        MetadataResponseData resp = new MetadataResponseData()
                .setClusterId(image.clusterId() == null ? broker.clusterId() : image.clusterId())
                .setControllerId(image.controllerId());
        for (ClusterMetadata.Broker b : image.brokers().values()) {
            resp.brokers().add(new MetadataResponseBroker().setNodeId(b.id()).setHost(b.host()).setPort(b.port()).setRack(b.rack()));
        }
        for (String name : names) {
            if (creating.contains(name)) {
                resp.topics().add(new MetadataResponseTopic().setName(name).setTopicId(Uuid.ZERO_UUID)
                        .setIsInternal(Topic.isInternal(name)).setErrorCode(Errors.LEADER_NOT_AVAILABLE.code()));
            } else {
                resp.topics().add(describe(name, image));
            }
        }
        unresolved.forEach(resp.topics()::add);
        return Future.succeededFuture(resp);
    }

    private static MetadataResponseTopic describe(String name, ClusterMetadata.Image image) {
        ClusterMetadata.Topic t = image.topic(name);
        MetadataResponseTopic topic = new MetadataResponseTopic().setName(name).setIsInternal(Topic.isInternal(name));
        if (t == null) {
            Errors error = Topic.isValid(name) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.INVALID_TOPIC_EXCEPTION;
            return topic.setErrorCode(error.code()).setTopicId(Uuid.ZERO_UUID);
        }
        topic.setTopicId(t.id());
        for (int p = 0; p < t.partitions().size(); p++) {
            ClusterMetadata.Partition s = t.partitions().get(p);
            List<Integer> offline = s.replicas().stream().filter(r -> !image.brokers().containsKey(r)).toList();
            topic.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setErrorCode(s.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())
                    .setLeaderId(s.leader())
                    .setLeaderEpoch(Math.max(0, s.leaderEpoch()))
                    .setReplicaNodes(new ArrayList<>(s.replicas()))
                    .setIsrNodes(new ArrayList<>(s.isr()))
                    .setOfflineReplicas(offline));
        }
        return topic;
    }
}
