package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ElectLeadersRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ElectLeaders (v0-2; {@code kafka-leader-election.sh}): PREFERRED (v0 has no type) or UNCLEAN elections for the
 * listed partitions, or all of them when none are listed — then, as Kafka answers, only the partitions an election
 * was needed for appear. On a cluster the controller decides and writes the partition states (another broker
 * answers NOT_CONTROLLER, which the admin client retries at the controller); on one node this node is the
 * preferred and only replica of every partition, so no election is ever needed.
 */
public final class ElectLeadersHandler implements ApiHandler {
    private final KafkaBroker broker;

    public ElectLeadersHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        ElectLeadersRequestData req = ((ElectLeadersRequest) request).data();
        boolean unclean = request.version() >= 1 && req.electionType() == ElectionType.UNCLEAN.value;
        if (request.version() >= 1 && req.electionType() != ElectionType.UNCLEAN.value
                && req.electionType() != ElectionType.PREFERRED.value) {
            return Future.succeededFuture(new ElectLeadersResponseData().setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        List<TopicPartition> asked = null;
        if (req.topicPartitions() != null) {
            asked = new ArrayList<>();
            for (ElectLeadersRequestData.TopicPartitions t : req.topicPartitions()) {
                for (int p : t.partitions()) {
                    asked.add(new TopicPartition(t.topic(), p));
                }
            }
        }
        Future<Map<TopicPartition, ApiError>> results = broker.clustered() ? broker.cluster().electLeaders(unclean, asked)
                : Future.succeededFuture(local(asked));
        return results.map(r -> (ApiMessage) response(r)).recover(t -> Future.succeededFuture(
                new ElectLeadersResponseData().setErrorCode(AdminErrors.of(t).error().code())));
    }

    private Map<TopicPartition, ApiError> local(List<TopicPartition> asked) {
        Map<TopicPartition, ApiError> out = new LinkedHashMap<>();
        if (asked == null) {
            return out; // every partition is led by its preferred replica: nothing to report
        }
        for (TopicPartition tp : asked) {
            TopicInfo info = broker.logs().manager().topic(tp.topic());
            out.put(tp, info == null || tp.partition() < 0 || tp.partition() >= info.partitions()
                    ? new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The partition does not exist.")
                    : new ApiError(Errors.ELECTION_NOT_NEEDED, "Leader election not needed for topic partition."));
        }
        return out;
    }

    private static ElectLeadersResponseData response(Map<TopicPartition, ApiError> results) {
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        results.forEach((tp, e) -> byTopic.computeIfAbsent(tp.topic(), t -> new ReplicaElectionResult().setTopic(t))
                .partitionResult().add(new PartitionResult().setPartitionId(tp.partition()).setErrorCode(e.error().code())
                        .setErrorMessage(e.error() == Errors.NONE ? null : e.message())));
        return new ElectLeadersResponseData().setErrorCode(Errors.NONE.code())
                .setReplicaElectionResults(new ArrayList<>(byTopic.values()));
    }
}
