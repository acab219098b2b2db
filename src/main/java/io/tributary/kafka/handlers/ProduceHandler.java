package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.Leadership;
import io.tributary.kafka.RequestContext;
import io.tributary.log.LogAppendInfo;
import io.tributary.log.RecordValidationException;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Produce: request-level checks as Kafka does them (acks, one v2 batch per partition, zstd needs v7+,
 * min.insync.replicas for acks=all), then one append per partition on the partition's owner. A transactional
 * batch is accepted (it opens or continues its producer's transaction; the log refuses it when its epoch is
 * fenced, INVALID_PRODUCER_EPOCH) after the KIP-890 check ({@link #verified}); a control batch from a client is
 * refused with INVALID_RECORD, as Kafka does: only WriteTxnMarkers writes markers. With a
 * single replica an append is acknowledged once it is written to the segment file (page cache), the
 * same durability Kafka gives with its default flush settings. acks=0 gets no response; a failed acks=0
 * request closes the connection, which is how Kafka tells such a producer something went wrong.
 */
public final class ProduceHandler implements ApiHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProduceHandler.class);

    private final KafkaBroker broker;

    public ProduceHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        ProduceRequestData req = ((ProduceRequest) request).data();
        short version = request.version();
        short acks = req.acks();
        Map<String, TopicInfo> catalog = broker.logs().manager().topics();
        ProduceResponseData resp = new ProduceResponseData();
        List<Future<?>> appends = new ArrayList<>();

        for (ProduceRequestData.TopicProduceData topic : req.topicData()) {
            TopicInfo info = topic.name() != null && !topic.name().isEmpty()
                    ? catalog.get(topic.name())
                    : broker.logs().manager().topicById(topic.topicId());
            TopicProduceResponse topicResp = new TopicProduceResponse().setName(topic.name()).setTopicId(topic.topicId());
            resp.responses().add(topicResp);
            for (ProduceRequestData.PartitionProduceData pd : topic.partitionData()) {
                PartitionProduceResponse pr = new PartitionProduceResponse().setIndex(pd.index());
                topicResp.partitionResponses().add(pr);
                Errors early = check(acks, version, info, topic, pd);
                if (early == Errors.NONE) {
                    early = Leadership.check(broker, info.name(), pd.index(), -1);
                }
                if (early == Errors.NONE && acks == -1 && info.config().minInsyncReplicas() > isrSize(info.name(), pd.index())) {
                    // Kafka checks before the append: fewer in-sync replicas than min.insync.replicas cannot meet acks=all.
                    early = Errors.NOT_ENOUGH_REPLICAS;
                }
                if (early != Errors.NONE) {
                    fail(pr, early, null);
                    continue;
                }
                TopicPartition tp = new TopicPartition(info.name(), pd.index());
                MemoryRecords records = (MemoryRecords) pd.records();
                appends.add(verified(tp, req.transactionalId(), records)
                        .compose(v -> broker.logs().append(tp, records, Leadership.epoch(broker, info.name(), pd.index())))
                        .compose(a -> {
                            if (!a.duplicate()) {
                                broker.metrics().produced(tp.topic(), a.numMessages(), records.sizeInBytes());
                            }
                            return acks == -1 && broker.clustered()
                                    ? broker.cluster().awaitReplicated(tp, a.lastOffset() + 1,
                                            info.config().minInsyncReplicas(), req.timeoutMs()).map(e -> {
                                        if (e == Errors.NONE) {
                                            succeed(pr, a);
                                        } else {
                                            fail(pr, e, null);
                                        }
                                        return a;
                                    })
                                    : succeeded(pr, a);
                        })
                        .andThen(ar -> {
                            if (ar.failed()) {
                                fail(pr, ar.cause(), version);
                            }
                        }));
            }
        }
        return Future.join(appends).transform(ignored -> {
            if (acks == 0) {
                String failure = firstError(resp);
                if (failure != null) {
                    ctx.connection().closeWith("acks=0 produce failed: " + failure);
                }
                return Future.succeededFuture(NO_RESPONSE);
            }
            return Future.succeededFuture(resp);
        });
    }

    private Errors check(short acks, short version, TopicInfo info, ProduceRequestData.TopicProduceData topic,
                         ProduceRequestData.PartitionProduceData pd) {
        if (acks != 0 && acks != 1 && acks != -1) {
            return Errors.INVALID_REQUIRED_ACKS;
        }
        if (info == null) {
            boolean byId = topic.name() == null || topic.name().isEmpty();
            return byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (pd.index() < 0 || pd.index() >= info.partitions()) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (org.apache.kafka.common.internals.Topic.isInternal(info.name())) {
            // Only the coordinators write internal topics (Kafka: "Cannot append to internal topic").
            return Errors.INVALID_TOPIC_EXCEPTION;
        }
        if (!(pd.records() instanceof MemoryRecords records)) {
            return Errors.CORRUPT_MESSAGE;
        }
        // ProduceRequest v3+ carries exactly one batch of magic v2 (Kafka's ProduceRequest.validateRecords).
        Iterator<MutableRecordBatch> batches = records.batches().iterator();
        if (!batches.hasNext()) {
            return Errors.INVALID_RECORD;
        }
        RecordBatch batch;
        try {
            batch = batches.next();
        } catch (RuntimeException e) {
            return Errors.CORRUPT_MESSAGE;
        }
        if (batches.hasNext() || batch.magic() < RecordBatch.MAGIC_VALUE_V2) {
            return Errors.INVALID_RECORD;
        }
        if (version < 7 && batch.compressionType() == CompressionType.ZSTD) {
            return Errors.UNSUPPORTED_COMPRESSION_TYPE;
        }
        return Errors.NONE;
    }

    /**
     * KIP-890 part 1: a transactional batch is appended only once the transaction coordinator confirms the
     * partition is in the producer's ongoing transaction ({@link io.tributary.log.LogTransactions#verify}; at once
     * when no coordinator verifier is installed or the producer already has a transaction open here).
     */
    private Future<Void> verified(TopicPartition tp, String transactionalId, MemoryRecords records) {
        RecordBatch batch = records.batches().iterator().next(); // check() made sure there is exactly one
        if (!batch.isTransactional() || batch.isControlBatch()) {
            return Future.succeededFuture();
        }
        return broker.logs().transactions().verify(tp, transactionalId, batch.producerId(), batch.producerEpoch());
    }

    /** The partition's ISR size: 1 on a single node (this node), else the cluster's view. */
    private int isrSize(String topic, int partition) {
        if (!broker.clustered()) {
            return 1;
        }
        io.tributary.kafka.ClusterMetadata.Partition p = broker.cluster().image().partition(topic, partition);
        return p == null ? 0 : p.isr().size();
    }

    private Future<LogAppendInfo> succeeded(PartitionProduceResponse pr, LogAppendInfo a) {
        succeed(pr, a);
        return Future.succeededFuture(a);
    }

    private void succeed(PartitionProduceResponse pr, LogAppendInfo a) {
        pr.setErrorCode(Errors.NONE.code())
                .setBaseOffset(a.firstOffset())
                .setLogAppendTimeMs(a.logAppendTime())
                .setLogStartOffset(a.logStartOffset());
    }

    /**
     * A batch refused for some of its records names them (record_errors, v8+) with the request-level
     * error of the first kind found, as Kafka's ReplicaManager answers a RecordValidationException.
     */
    private void fail(PartitionProduceResponse pr, Throwable cause, short version) {
        if (cause instanceof RecordValidationException rve) {
            fail(pr, Errors.forException(rve.invalidException()), rve.invalidException());
            if (version >= 8) {
                for (RecordValidationException.RecordError e : rve.recordErrors()) {
                    pr.recordErrors().add(new ProduceResponseData.BatchIndexAndErrorMessage()
                            .setBatchIndex(e.batchIndex()).setBatchIndexErrorMessage(e.message()));
                }
            }
            return;
        }
        fail(pr, Errors.forException(cause), cause);
    }

    private void fail(PartitionProduceResponse pr, Errors error, Throwable cause) {
        if (cause != null && !(cause instanceof ApiException)) {
            LOG.error("append failed", cause);
        }
        pr.setErrorCode(error.code())
                .setErrorMessage(cause != null && cause instanceof ApiException ? cause.getMessage() : error.message())
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1);
    }

    private static String firstError(ProduceResponseData resp) {
        for (TopicProduceResponse t : resp.responses()) {
            for (PartitionProduceResponse p : t.partitionResponses()) {
                if (p.errorCode() != Errors.NONE.code()) {
                    return t.name() + "-" + p.index() + ": " + Errors.forCode(p.errorCode()).name();
                }
            }
        }
        return null;
    }


}
