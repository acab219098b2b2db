package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.Leadership;
import io.tributary.kafka.RequestContext;
import io.tributary.log.LogAppendInfo;
import io.tributary.log.TopicInfo;
import io.tributary.log.TxnMarker;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * WriteTxnMarkers (the transaction coordinator to partition leaders, KIP-98): for each marker, a COMMIT or ABORT
 * control batch appended to each named partition with the coordinator's epoch ({@code LogTransactions.appendMarker}),
 * internal topics included ({@code __consumer_offsets} carries transactional offset commits). Per-partition errors
 * as Kafka's {@code handleWriteTxnMarkersRequest} answers them: UNKNOWN_TOPIC_OR_PARTITION for a partition this
 * node does not have, NOT_LEADER_OR_FOLLOWER when another node leads it, INVALID_PRODUCER_EPOCH for a marker older
 * than the producer's epoch, TRANSACTION_COORDINATOR_FENCED for one from an older coordinator; a refused marker
 * writes nothing. On a cluster a marker is acknowledged once replicated as acks=all (Kafka appends markers with
 * acks=-1), since the last stable offset moves only with the high watermark.
 *
 * <p>Sent by brokers only; Kafka requires CLUSTER_ACTION, which this node, having no ACLs on its Kafka listener,
 * does not check.
 */
public final class WriteTxnMarkersHandler implements ApiHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WriteTxnMarkersHandler.class);
    /** Kafka waits request.timeout.ms (30 s) for the markers to replicate. */
    private static final int REPLICATION_TIMEOUT_MS = 30_000;

    private final KafkaBroker broker;

    public WriteTxnMarkersHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        Map<String, TopicInfo> catalog = broker.logs().manager().topics();
        WriteTxnMarkersResponseData resp = new WriteTxnMarkersResponseData();
        List<Future<?>> appends = new ArrayList<>();
        for (WritableTxnMarker m : ((WriteTxnMarkersRequest) request).data().markers()) {
            WritableTxnMarkerResult mr = new WritableTxnMarkerResult().setProducerId(m.producerId());
            resp.markers().add(mr);
            TxnMarker marker = new TxnMarker(m.producerId(), m.producerEpoch(), m.coordinatorEpoch(), m.transactionResult(),
                    m.transactionVersion());
            for (WritableTxnMarkerTopic topic : m.topics()) {
                WritableTxnMarkerTopicResult tr = new WritableTxnMarkerTopicResult().setName(topic.name());
                mr.topics().add(tr);
                TopicInfo info = catalog.get(topic.name());
                for (int partition : topic.partitionIndexes()) {
                    WritableTxnMarkerPartitionResult pr = new WritableTxnMarkerPartitionResult().setPartitionIndex(partition);
                    tr.partitions().add(pr);
                    if (info == null || partition < 0 || partition >= info.partitions()) {
                        pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                        continue;
                    }
                    Errors leader = Leadership.check(broker, info.name(), partition, -1);
                    if (leader != Errors.NONE) {
                        pr.setErrorCode(leader.code());
                        continue;
                    }
                    TopicPartition tp = new TopicPartition(info.name(), partition);
                    appends.add(broker.logs().transactions().appendMarker(tp, marker, Leadership.epoch(broker, info.name(), partition))
                            .compose(a -> replicated(tp, info, a))
                            .andThen(ar -> pr.setErrorCode(ar.succeeded() ? ar.result().code() : errorOf(tp, ar.cause()).code())));
                }
            }
        }
        return Future.join(appends).transform(ignored -> Future.succeededFuture(resp));
    }

    private Future<Errors> replicated(TopicPartition tp, TopicInfo info, LogAppendInfo a) {
        if (!broker.clustered()) {
            return Future.succeededFuture(Errors.NONE);
        }
        return broker.cluster().awaitReplicated(tp, a.lastOffset() + 1, info.config().minInsyncReplicas(), REPLICATION_TIMEOUT_MS);
    }

    private static Errors errorOf(TopicPartition tp, Throwable cause) {
        if (!(cause instanceof ApiException)) {
            LOG.error("{}: transaction marker append failed", tp, cause);
        }
        return Errors.forException(cause);
    }
}
