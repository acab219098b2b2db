package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.Leadership;
import io.tributary.kafka.RequestContext;
import io.tributary.log.FetchIsolation;
import io.tributary.log.PartitionLog;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ListOffsets: earliest (-2, and earliest-local -4) is the log start offset, latest (-1) the high
 * watermark (read_committed, v2+: the last stable offset), max-timestamp (-3) and real timestamps are looked up
 * in the time index on the partition's owner (read_committed: only offsets below the last stable offset, as
 * Kafka). Tiered-storage queries (-5, -6) find nothing here: offset and timestamp -1, as Kafka answers
 * when remote storage is off.
 */
public final class ListOffsetsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public ListOffsetsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        ListOffsetsRequest req = (ListOffsetsRequest) request;
        Map<String, TopicInfo> catalog = broker.logs().manager().topics();
        ListOffsetsResponseData resp = new ListOffsetsResponseData();
        // The leader epoch field exists from v4; earlier versions must leave it at its default.
        int epoch = request.version() >= 4 ? 0 : -1;
        FetchIsolation isolation = FetchIsolation.ofConsumer(request.version() >= 2 ? req.data().isolationLevel() : 0);
        List<Future<?>> lookups = new ArrayList<>();
        for (ListOffsetsTopic topic : req.data().topics()) {
            ListOffsetsTopicResponse tr = new ListOffsetsTopicResponse().setName(topic.name());
            resp.topics().add(tr);
            TopicInfo info = catalog.get(topic.name());
            for (ListOffsetsPartition p : topic.partitions()) {
                ListOffsetsPartitionResponse pr = new ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex())
                        .setTimestamp(-1)
                        .setOffset(-1)
                        .setLeaderEpoch(-1);
                tr.partitions().add(pr);
                PartitionLog log = info == null ? null : broker.logs().partition(new TopicPartition(info.name(), p.partitionIndex()));
                if (log == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                Errors leader = Leadership.check(broker, info.name(), p.partitionIndex(), p.currentLeaderEpoch());
                if (leader != Errors.NONE) {
                    pr.setErrorCode(leader.code());
                    continue;
                }
                long ts = p.timestamp();
                if (ts == ListOffsetsRequest.EARLIEST_TIMESTAMP || ts == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
                    pr.setOffset(log.logStartOffset()).setLeaderEpoch(epoch);
                } else if (ts == ListOffsetsRequest.LATEST_TIMESTAMP) {
                    long latest = isolation == FetchIsolation.TXN_COMMITTED ? log.lastStableOffset() : log.highWatermark();
                    pr.setOffset(latest).setLeaderEpoch(epoch);
                } else if (ts == ListOffsetsRequest.MAX_TIMESTAMP || ts >= 0) {
                    lookups.add(broker.logs().offsetForTimestamp(log.topicPartition(), ts, isolation)
                            .andThen(ar -> {
                                if (ar.failed()) {
                                    pr.setErrorCode(Errors.forException(ar.cause()).code());
                                } else {
                                    ar.result().ifPresent(t -> pr.setOffset(t.offset).setTimestamp(t.timestamp).setLeaderEpoch(epoch));
                                }
                            }));
                } else if (ts != ListOffsetsRequest.LATEST_TIERED_TIMESTAMP && ts != -6L) {
                    pr.setErrorCode(Errors.INVALID_REQUEST.code());
                }
            }
        }
        return Future.join(lookups).transform(ignored -> Future.succeededFuture(resp));
    }
}
