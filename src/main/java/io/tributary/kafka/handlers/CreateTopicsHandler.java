package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateTopicsRequest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * CreateTopics (v2-7). Everything that can be checked from the request alone is checked here, with
 * Kafka's error codes and messages; the catalog (name collisions, existence, config values) is checked
 * by the log engine on a worker. A single node can host exactly one replica, so a replication factor
 * above one and any manual assignment naming another broker are refused as Kafka refuses them when too
 * few brokers are registered. Topics are created one by one in request order; each gets its own result.
 */
public final class CreateTopicsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public CreateTopicsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    /** A validated topic creation: partitions and configs resolved, or the error that stops it. */
    private record Plan(CreatableTopic topic, int partitions, Map<String, String> configs, ApiError error) {
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        CreateTopicsRequestData req = ((CreateTopicsRequest) request).data();
        short version = request.version();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new TreeSet<>();
        for (CreatableTopic t : req.topics()) {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        }
        CreateTopicsResponseData resp = new CreateTopicsResponseData();
        List<Future<?>> work = new ArrayList<>();
        Set<String> answered = new HashSet<>();
        for (CreatableTopic t : req.topics()) {
            if (!answered.add(t.name())) {
                continue; // one result per distinct name, as Kafka answers
            }
            CreatableTopicResult result = new CreatableTopicResult().setName(t.name());
            resp.topics().add(result);
            Plan plan = duplicates.contains(t.name())
                    ? fail(t, Errors.INVALID_REQUEST, "Create topics request from client `" + ctx.clientId()
                        + "` contains multiple entries for the following topics: " + String.join(",", duplicates))
                    : plan(t);
            if (plan.error() != null) {
                setError(result, plan.error());
                continue;
            }
            if (broker.clustered()) {
                work.add(createInCluster(t, plan, req.validateOnly(), req.timeoutMs())
                        .andThen(ar -> {
                            if (ar.succeeded()) {
                                fill(result, ar.result().info(), ar.result().replicationFactor(), version);
                            } else {
                                setError(result, AdminErrors.of(ar.cause()));
                            }
                        }));
                continue;
            }
            work.add(broker.logs().createTopic(t.name(), plan.partitions(), plan.configs(), req.validateOnly())
                    .andThen(ar -> {
                        if (ar.succeeded()) {
                            fill(result, ar.result(), 1, version);
                        } else {
                            setError(result, AdminErrors.of(ar.cause()));
                        }
                    }));
        }
        return Future.join(work).transform(ignored -> Future.succeededFuture(resp));
    }

    private record Created(TopicInfo info, int replicationFactor) {
    }

    /** Cluster mode: the assignment goes to the cluster's metadata; answered once every partition has a leader. */
    private Future<Created> createInCluster(CreatableTopic t, Plan plan, boolean validateOnly, int timeoutMs) {
        Map<Integer, List<Integer>> manual = null;
        if (!t.assignments().isEmpty()) {
            manual = new java.util.TreeMap<>();
            for (CreatableReplicaAssignment a : t.assignments()) {
                manual.put(a.partitionIndex(), List.copyOf(a.brokerIds()));
            }
        }
        int rf = t.replicationFactor() == -1
                ? Integer.parseInt(broker.brokerProperties().getOrDefault("default.replication.factor", "1").trim())
                : t.replicationFactor();
        return broker.cluster().createTopic(t.name(), plan.partitions(), rf, manual, plan.configs(), validateOnly,
                Math.max(0, timeoutMs)).map(topic -> new Created(new TopicInfo(topic.name(), topic.id(),
                topic.partitions().size(), plan.configs(), io.tributary.log.LogConfig.fromOverrides(
                        broker.logs().manager().brokerDefaults(), plan.configs())),
                topic.partitions().isEmpty() ? rf : topic.partitions().get(0).replicas().size()));
    }

    private Plan plan(CreatableTopic t) {
        try {
            Topic.validate(t.name());
        } catch (InvalidTopicException e) {
            return fail(t, Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        int partitions;
        if (!t.assignments().isEmpty()) {
            if (t.numPartitions() != -1) {
                return fail(t, Errors.INVALID_REQUEST, "A manual partition assignment was specified, but numPartitions was not set to -1.");
            }
            if (t.replicationFactor() != -1) {
                return fail(t, Errors.INVALID_REQUEST, "A manual partition assignment was specified, but replicationFactor was not set to -1.");
            }
            ApiError bad = checkAssignments(t.assignments());
            if (bad != null) {
                return new Plan(t, 0, null, bad);
            }
            partitions = t.assignments().size();
        } else {
            if (t.numPartitions() == -1) {
                partitions = broker.defaultPartitions();
            } else if (t.numPartitions() <= 0) {
                return fail(t, Errors.INVALID_PARTITIONS, "Number of partitions was set to an invalid non-positive value.");
            } else {
                partitions = t.numPartitions();
            }
            short rf = t.replicationFactor();
            if (rf == 0 || rf < -1) {
                return fail(t, Errors.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0, or -1 to use the default value.");
            }
            if (rf > 1 && !broker.clustered()) {
                return fail(t, Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition " + rf
                        + " time(s): The target replication factor of " + rf
                        + " cannot be reached because only 1 broker(s) are registered.");
            }
        }
        Map<String, String> configs = new HashMap<>();
        for (CreatableTopicConfig c : t.configs()) {
            if (c.value() == null) {
                return fail(t, Errors.INVALID_CONFIG, "Null value not supported for topic configs: " + c.name());
            }
            if (configs.put(c.name(), c.value()) != null) {
                return fail(t, Errors.INVALID_REQUEST, "Duplicate configuration key " + c.name() + " for topic " + t.name());
            }
        }
        return new Plan(t, partitions, configs, null);
    }

    /** Manual assignments must be partitions 0..n-1, each hosted by exactly this node. */
    private ApiError checkAssignments(Collection<CreatableReplicaAssignment> assignments) {
        Set<Integer> indexes = new HashSet<>();
        for (CreatableReplicaAssignment a : assignments) {
            if (!indexes.add(a.partitionIndex())) {
                return AdminErrors.of(Errors.INVALID_REPLICA_ASSIGNMENT,
                        "Found multiple manual partition assignments for partition " + a.partitionIndex());
            }
            ApiError bad = checkReplicas(a.brokerIds());
            if (bad != null) {
                return bad;
            }
        }
        for (int p = 0; p < assignments.size(); p++) {
            if (!indexes.contains(p)) {
                return AdminErrors.of(Errors.INVALID_REPLICA_ASSIGNMENT, "Partitions should be a consecutive 0-based "
                        + "integer sequence, but partition " + p + " is missing from the manual assignment " + new TreeSet<>(indexes));
            }
        }
        return null;
    }

    /** One partition's replica list against the registered brokers (shared with CreatePartitions). */
    ApiError checkReplicas(List<Integer> brokerIds) {
        return checkReplicas(broker.clustered() ? broker.cluster().image().brokers().keySet() : Set.of(broker.nodeId()),
                brokerIds);
    }

    static ApiError checkReplicas(int nodeId, List<Integer> brokerIds) {
        return checkReplicas(Set.of(nodeId), brokerIds);
    }

    static ApiError checkReplicas(Set<Integer> brokers, List<Integer> brokerIds) {
        if (brokerIds.isEmpty()) {
            return AdminErrors.of(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes an empty replica list.");
        }
        Set<Integer> distinct = new HashSet<>();
        for (int id : brokerIds) {
            if (!brokers.contains(id)) {
                return AdminErrors.of(Errors.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes broker " + id + ", but no such broker is registered.");
            }
            if (!distinct.add(id)) {
                return AdminErrors.of(Errors.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes the broker " + id + " more than once.");
            }
        }
        return null;
    }

    private static Plan fail(CreatableTopic t, Errors error, String message) {
        return new Plan(t, 0, null, AdminErrors.of(error, message));
    }

    private static void setError(CreatableTopicResult result, ApiError error) {
        result.setErrorCode(error.error().code())
                .setErrorMessage(error.messageWithFallback())
                .setTopicId(Uuid.ZERO_UUID)
                .setNumPartitions(-1)
                .setReplicationFactor((short) -1);
    }

    private void fill(CreatableTopicResult result, TopicInfo info, int replicationFactor, short version) {
        result.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
        if (version >= 7) {
            result.setTopicId(info.topicId());
        }
        if (version >= 5) {
            result.setNumPartitions(info.partitions()).setReplicationFactor((short) replicationFactor);
            for (TopicConfigs.Entry e : TopicConfigs.describeTopic(info, broker.logs().brokerConfig())) {
                result.configs().add(new CreatableTopicConfigs()
                        .setName(e.name())
                        .setValue(e.value())
                        .setReadOnly(false)
                        .setConfigSource(e.source().id())
                        .setIsSensitive(false));
            }
        }
    }
}
