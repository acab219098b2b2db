package io.tributary.kafka.handlers;

import io.tributary.group.GroupCoordinator;
import io.tributary.group.OffsetAndMetadata;
import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * OffsetCommit (v2-10; v10 names topics by id). Members commit with their generation; a generation of
 * -1 is a simple commit, accepted for an Empty group (consumers outside any group, offset resets).
 * Partitions of unknown topics are refused here; the rest are answered once their records are
 * appended to {@code __consumer_offsets}. Retention time (v2-4) is ignored, as Kafka 4 ignores it.
 */
public final class OffsetCommitHandler implements ApiHandler {
    private final KafkaBroker broker;

    public OffsetCommitHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        OffsetCommitRequestData req = ((OffsetCommitRequest) request).data();
        boolean byId = request.version() >= 10;
        OffsetCommitResponseData resp = new OffsetCommitResponseData();
        Map<TopicPartition, OffsetAndMetadata> commits = new LinkedHashMap<>();
        Map<TopicPartition, OffsetCommitResponsePartition> slots = new LinkedHashMap<>();
        for (OffsetCommitRequestTopic t : req.topics()) {
            OffsetCommitResponseTopic rt = new OffsetCommitResponseTopic();
            if (byId) {
                rt.setTopicId(t.topicId());
            } else {
                rt.setName(t.name());
            }
            resp.topics().add(rt);
            TopicInfo info = byId ? broker.logs().manager().topicById(t.topicId()) : broker.logs().manager().topic(t.name());
            for (OffsetCommitRequestPartition p : t.partitions()) {
                OffsetCommitResponsePartition rp = new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
                rt.partitions().add(rp);
                if (info == null || p.partitionIndex() < 0 || p.partitionIndex() >= info.partitions()) {
                    rp.setErrorCode((info == null && byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    continue;
                }
                TopicPartition tp = new TopicPartition(info.name(), p.partitionIndex());
                commits.put(tp, new OffsetAndMetadata(p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), -1));
                slots.put(tp, rp);
            }
        }
        if (commits.isEmpty()) {
            return Future.succeededFuture(resp);
        }
        return broker.groups().<Map<TopicPartition, Errors>>callAsync((GroupCoordinator c, Consumer<Map<TopicPartition, Errors>> done) ->
                        c.commitOffsets(req.groupId(), req.memberId(), req.groupInstanceId(), req.generationIdOrMemberEpoch(), commits, done))
                .map(errors -> {
                    errors.forEach((tp, e) -> slots.get(tp).setErrorCode(e.code()));
                    return resp;
                });
    }
}
