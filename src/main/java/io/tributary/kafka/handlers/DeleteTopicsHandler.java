package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DeleteTopics (v1-6): by name ({@code topicNames} before v6, {@code topics[].name} from v6) or by id
 * (v6). Follows Kafka's controller: a topic named twice, or named and given an id, is an INVALID_REQUEST;
 * with {@code delete.topic.enable=false} every topic gets TOPIC_DELETION_DISABLED (INVALID_REQUEST for
 * clients older than v3, which do not know that code). Deletions run concurrently; each topic gets its
 * own result carrying its name and id.
 */
public final class DeleteTopicsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public DeleteTopicsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        DeleteTopicsRequestData req = ((DeleteTopicsRequest) request).data();
        short version = request.version();
        List<DeleteTopicState> targets = new ArrayList<>();
        if (version >= 6) {
            targets.addAll(req.topics());
        } else {
            req.topicNames().forEach(n -> targets.add(new DeleteTopicState().setName(n).setTopicId(Uuid.ZERO_UUID)));
        }
        DeleteTopicsResponseData resp = new DeleteTopicsResponseData();
        Map<String, TopicInfo> catalog = broker.logs().manager().topics();
        Set<String> names = new HashSet<>();
        Set<Uuid> ids = new HashSet<>();
        Set<String> dupNames = new HashSet<>();
        Set<Uuid> dupIds = new HashSet<>();
        for (DeleteTopicState t : targets) {
            if (t.name() != null && !names.add(t.name())) {
                dupNames.add(t.name());
            }
            if (hasId(t) && !ids.add(t.topicId())) {
                dupIds.add(t.topicId());
            }
        }
        List<Future<?>> work = new ArrayList<>();
        Set<Object> answered = new HashSet<>();
        for (DeleteTopicState t : targets) {
            DeletableTopicResult result = new DeletableTopicResult().setName(t.name()).setTopicId(hasId(t) ? t.topicId() : Uuid.ZERO_UUID);
            Object identity = t.name() != null ? t.name() : t.topicId();
            if (!answered.add(identity)) {
                continue;
            }
            resp.responses().add(result);
            ApiError error = null;
            TopicInfo info = null;
            if (t.name() != null && hasId(t)) {
                error = AdminErrors.of(Errors.INVALID_REQUEST, "You may not specify both topic name and topic id.");
            } else if (t.name() == null && !hasId(t)) {
                error = AdminErrors.of(Errors.INVALID_REQUEST, "Neither topic name nor id were specified.");
            } else if (t.name() != null && dupNames.contains(t.name())) {
                error = AdminErrors.of(Errors.INVALID_REQUEST, "Duplicate topic name.");
            } else if (hasId(t) && dupIds.contains(t.topicId())) {
                error = AdminErrors.of(Errors.INVALID_REQUEST, "Duplicate topic id.");
            } else if (!broker.deleteTopicEnable()) {
                error = version < 3
                        ? AdminErrors.of(Errors.INVALID_REQUEST, "Topic deletion is disabled.")
                        : AdminErrors.of(Errors.TOPIC_DELETION_DISABLED, "Topic deletion is disabled (delete.topic.enable=false).");
            } else if (t.name() != null) {
                info = catalog.get(t.name());
                if (info == null) {
                    error = AdminErrors.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + t.name() + "' does not exist.");
                }
            } else {
                info = broker.logs().manager().topicById(t.topicId());
                if (info == null) {
                    error = AdminErrors.of(Errors.UNKNOWN_TOPIC_ID, "Topic id " + t.topicId() + " does not exist.");
                }
            }
            if (error != null) {
                setError(result, error, version);
                continue;
            }
            TopicInfo target = info;
            result.setName(target.name()).setTopicId(target.topicId());
            if (org.apache.kafka.common.internals.Topic.isInternal(target.name())) {
                // The group coordinator lives in __consumer_offsets; it cannot work without it.
                setError(result, AdminErrors.of(Errors.INVALID_REQUEST, "Internal topic " + target.name() + " cannot be deleted."), version);
                continue;
            }
            Future<Void> deleted = broker.clustered() ? broker.cluster().deleteTopic(target.name(), Math.max(0, req.timeoutMs()))
                    : broker.logs().deleteTopic(target.name());
            work.add(deleted
                    // As Kafka does, committed offsets of a deleted topic are deleted too (on a cluster, every
                    // coordinator does it for its groups when it sees the topic gone).
                    .compose(v -> broker.clustered() ? Future.succeededFuture()
                            : broker.groups().call(c -> c.deleteOffsetsOfTopic(target.name())))
                    .andThen(ar -> {
                        if (ar.failed()) {
                            setError(result, AdminErrors.of(ar.cause()), version);
                        }
                    }));
        }
        return Future.join(work).transform(ignored -> Future.succeededFuture(resp));
    }

    private static boolean hasId(DeleteTopicState t) {
        return t.topicId() != null && !Uuid.ZERO_UUID.equals(t.topicId());
    }

    private static void setError(DeletableTopicResult result, ApiError error, short version) {
        result.setErrorCode(error.error().code());
        if (version >= 5) {
            result.setErrorMessage(error.messageWithFallback());
        }
    }
}
