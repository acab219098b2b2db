package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.ClusterMetadata;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ListPartitionReassignments (v0; {@code kafka-reassign-partitions.sh --verify/--list}): the reassignments in
 * progress (all, or those of the listed partitions), from the controller; none on one node.
 */
public final class ListPartitionReassignmentsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public ListPartitionReassignmentsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        ListPartitionReassignmentsRequestData req = ((ListPartitionReassignmentsRequest) request).data();
        List<TopicPartition> asked = null;
        if (req.topics() != null) {
            asked = new ArrayList<>();
            for (ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics t : req.topics()) {
                for (int p : t.partitionIndexes()) {
                    asked.add(new TopicPartition(t.name(), p));
                }
            }
        }
        Future<Map<TopicPartition, ClusterMetadata.Reassignment>> ongoing = broker.clustered()
                ? broker.cluster().listReassignments(asked) : Future.succeededFuture(Map.of());
        return ongoing.map(m -> {
            Map<String, OngoingTopicReassignment> byTopic = new LinkedHashMap<>();
            m.forEach((tp, r) -> byTopic.computeIfAbsent(tp.topic(), t -> new OngoingTopicReassignment().setName(t))
                    .partitions().add(new OngoingPartitionReassignment().setPartitionIndex(tp.partition())
                            .setReplicas(new ArrayList<>(r.replicas())).setAddingReplicas(new ArrayList<>(r.adding()))
                            .setRemovingReplicas(new ArrayList<>(r.removing()))));
            return (ApiMessage) new ListPartitionReassignmentsResponseData().setErrorCode(Errors.NONE.code())
                    .setTopics(new ArrayList<>(byTopic.values()));
        }).recover(t -> {
            ApiError e = AdminErrors.of(t);
            return Future.succeededFuture(new ListPartitionReassignmentsResponseData().setErrorCode(e.error().code())
                    .setErrorMessage(e.message()));
        });
    }
}
