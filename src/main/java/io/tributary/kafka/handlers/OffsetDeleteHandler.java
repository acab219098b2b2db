package io.tributary.kafka.handlers;

import io.tributary.group.GroupCoordinator;
import io.tributary.group.GroupCoordinator.DeleteOffsetsResult;
import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * OffsetDelete (v0, KIP-496): removes committed offsets of a group, except for topics an active group
 * still subscribes to (GROUP_SUBSCRIBED_TO_TOPIC). Tombstones go to {@code __consumer_offsets}.
 */
public final class OffsetDeleteHandler implements ApiHandler {
    private final KafkaBroker broker;

    public OffsetDeleteHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        OffsetDeleteRequestData req = ((OffsetDeleteRequest) request).data();
        List<TopicPartition> partitions = new ArrayList<>();
        for (OffsetDeleteRequestTopic t : req.topics()) {
            for (OffsetDeleteRequestPartition p : t.partitions()) {
                partitions.add(new TopicPartition(t.name(), p.partitionIndex()));
            }
        }
        return broker.groups().<DeleteOffsetsResult>callAsync((GroupCoordinator c, Consumer<DeleteOffsetsResult> done) ->
                        c.deleteOffsets(req.groupId(), partitions, done))
                .map(result -> {
                    OffsetDeleteResponseData resp = new OffsetDeleteResponseData().setErrorCode(result.groupError().code());
                    if (result.groupError() != Errors.NONE) {
                        return resp;
                    }
                    for (OffsetDeleteRequestTopic t : req.topics()) {
                        OffsetDeleteResponseTopic rt = resp.topics().find(t.name());
                        if (rt == null) {
                            rt = new OffsetDeleteResponseTopic().setName(t.name());
                            resp.topics().add(rt);
                        }
                        for (OffsetDeleteRequestPartition p : t.partitions()) {
                            if (rt.partitions().find(p.partitionIndex()) != null) {
                                continue;
                            }
                            Errors e = result.partitions().getOrDefault(new TopicPartition(t.name(), p.partitionIndex()), Errors.NONE);
                            boolean known = broker.logs().manager().topic(t.name()) != null;
                            rt.partitions().add(new OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                                    .setErrorCode((known || e != Errors.NONE ? e : Errors.UNKNOWN_TOPIC_OR_PARTITION).code()));
                        }
                    }
                    return resp;
                });
    }
}
