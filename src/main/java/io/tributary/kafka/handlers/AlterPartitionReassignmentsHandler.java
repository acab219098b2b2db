package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ApiError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * AlterPartitionReassignments (v0-1; {@code kafka-reassign-partitions.sh --execute/--cancel}): per partition a
 * target replica list, or null to cancel. On a cluster the controller starts the moves (another broker answers
 * NOT_CONTROLLER); each partition's error says whether its reassignment started, not whether it finished
 * (ListPartitionReassignments shows that). On one node the only possible target is this node, which is a no-op.
 */
public final class AlterPartitionReassignmentsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public AlterPartitionReassignmentsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        AlterPartitionReassignmentsRequestData req = ((AlterPartitionReassignmentsRequest) request).data();
        boolean allowRf = request.version() < 1 || req.allowReplicationFactorChange();
        Map<TopicPartition, Optional<List<Integer>>> targets = new LinkedHashMap<>();
        for (ReassignableTopic t : req.topics()) {
            for (ReassignablePartition p : t.partitions()) {
                targets.put(new TopicPartition(t.name(), p.partitionIndex()),
                        p.replicas() == null ? Optional.empty() : Optional.of(List.copyOf(p.replicas())));
            }
        }
        Future<Map<TopicPartition, ApiError>> results = broker.clustered()
                ? broker.cluster().alterReassignments(targets, allowRf) : Future.succeededFuture(local(targets));
        return results.map(r -> (ApiMessage) response(r, req.allowReplicationFactorChange()))
                .recover(t -> {
                    ApiError e = AdminErrors.of(t);
                    return Future.succeededFuture(new AlterPartitionReassignmentsResponseData()
                            .setErrorCode(e.error().code()).setErrorMessage(e.message()));
                });
    }

    private Map<TopicPartition, ApiError> local(Map<TopicPartition, Optional<List<Integer>>> targets) {
        Map<TopicPartition, ApiError> out = new LinkedHashMap<>();
        targets.forEach((tp, target) -> {
            TopicInfo info = broker.logs().manager().topic(tp.topic());
            if (info == null || tp.partition() < 0 || tp.partition() >= info.partitions()) {
                out.put(tp, new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The partition does not exist."));
            } else if (target.isEmpty()) {
                out.put(tp, new ApiError(Errors.NO_REASSIGNMENT_IN_PROGRESS, "No reassignment in progress for " + tp + "."));
            } else if (!target.get().equals(List.of(broker.nodeId()))) {
                List<Integer> others = target.get().stream().filter(b -> b != broker.nodeId()).toList();
                out.put(tp, others.isEmpty()
                        ? new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "The replica list " + target.get() + " contains duplicates.")
                        : new ApiError(Errors.INVALID_REPLICA_ASSIGNMENT, "The proposed assignment contains non-live brokers " + others + "."));
            } else {
                out.put(tp, ApiError.NONE);
            }
        });
        return out;
    }

    private static AlterPartitionReassignmentsResponseData response(Map<TopicPartition, ApiError> results, boolean allowRf) {
        Map<String, ReassignableTopicResponse> byTopic = new LinkedHashMap<>();
        results.forEach((tp, e) -> byTopic.computeIfAbsent(tp.topic(), t -> new ReassignableTopicResponse().setName(t))
                .partitions().add(new ReassignablePartitionResponse().setPartitionIndex(tp.partition())
                        .setErrorCode(e.error().code()).setErrorMessage(e.error() == Errors.NONE ? null : e.message())));
        return new AlterPartitionReassignmentsResponseData().setErrorCode(Errors.NONE.code())
                .setAllowReplicationFactorChange(allowRf).setResponses(new ArrayList<>(byTopic.values()));
    }
}
