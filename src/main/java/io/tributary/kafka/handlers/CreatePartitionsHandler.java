package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CreatePartitions (v0-3): partitions can only be added. A manual assignment must name one new
 * partition per added partition, each hosted by this node alone (the existing partitions have one
 * replica, and Kafka requires new ones to match). The partition count is re-checked by the log engine
 * under its catalog lock, so a concurrent change cannot shrink a topic.
 */
public final class CreatePartitionsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public CreatePartitionsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        CreatePartitionsRequestData req = ((CreatePartitionsRequest) request).data();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        for (CreatePartitionsTopic t : req.topics()) {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        }
        CreatePartitionsResponseData resp = new CreatePartitionsResponseData();
        List<Future<?>> work = new ArrayList<>();
        Set<String> answered = new HashSet<>();
        for (CreatePartitionsTopic t : req.topics()) {
            if (!answered.add(t.name())) {
                continue;
            }
            CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(t.name());
            resp.results().add(result);
            ApiError error = duplicates.contains(t.name())
                    ? AdminErrors.of(Errors.INVALID_REQUEST, "Duplicate topic name.")
                    : check(t, broker.logs().manager().topic(t.name()));
            if (error != null) {
                setError(result, error);
                continue;
            }
            Future<Void> done = broker.clustered()
                    ? broker.cluster().createPartitions(t.name(), t.count(), t.assignments() == null ? null
                            : t.assignments().stream().map(a -> List.copyOf(a.brokerIds())).toList(), req.validateOnly(),
                            Math.max(0, req.timeoutMs()))
                    : broker.logs().createPartitions(t.name(), t.count(), req.validateOnly());
            work.add(done.andThen(ar -> {
                if (ar.failed()) {
                    setError(result, AdminErrors.of(ar.cause()));
                }
            }));
        }
        return Future.join(work).transform(ignored -> Future.succeededFuture(resp));
    }

    private ApiError check(CreatePartitionsTopic t, TopicInfo info) {
        if (info == null) {
            return AdminErrors.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + t.name() + "' does not exist.");
        }
        int current = info.partitions();
        if (t.count() < current) {
            return AdminErrors.of(Errors.INVALID_PARTITIONS, "Topic currently has " + current
                    + " partitions, which is higher than the requested " + t.count() + ".");
        }
        if (t.count() == current) {
            return AdminErrors.of(Errors.INVALID_PARTITIONS, "Topic currently has " + current
                    + " partitions, which is equal to the requested " + t.count() + ".");
        }
        if (t.assignments() != null) {
            int added = t.count() - current;
            if (t.assignments().size() != added) {
                return AdminErrors.of(Errors.INVALID_REPLICA_ASSIGNMENT, "Attempted to add " + added
                        + " additional partition(s), but only " + t.assignments().size() + " assignment(s) were specified.");
            }
            for (CreatePartitionsAssignment a : t.assignments()) {
                ApiError bad = CreateTopicsHandler.checkReplicas(broker.clustered()
                        ? broker.cluster().image().brokers().keySet() : Set.of(broker.nodeId()), a.brokerIds());
                if (bad != null) {
                    return bad;
                }
            }
        }
        return null;
    }

    private static void setError(CreatePartitionsTopicResult result, ApiError error) {
        result.setErrorCode(error.error().code()).setErrorMessage(error.messageWithFallback());
    }
}
