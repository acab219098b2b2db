package io.tributary.client.kafka.internal;

import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.ProducerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request side of a producer: takes closed batches, sends them to their leaders (one Produce request per broker
 * per drain, at most one batch in flight per partition, so a retried batch can never overtake a later one), and
 * settles each batch from the response — success, a duplicate the broker already has, a retry with the same bytes
 * and sequence, or a failure.
 *
 * <p>Idempotence: the producer id and epoch come from InitProducerId before the first batch is sent; a batch is
 * stamped with its partition's next sequence only when first sent, and a batch that fails for good after being
 * stamped leaves a sequence gap, so the producer starts over with a fresh producer id (sequences from 0).
 *
 * <p>The producer owns the batches' partitions and topics maps; both are shared with this class and, like all its
 * state, touched on the producer's loop only.
 */
public final class ProduceSender {
    /** What the producer does when batches leave the buffer. */
    public interface Accounting {
        /** {@code records} records of {@code bytes} buffer bytes are settled (acknowledged or failed). */
        void finished(long bytes, int records);

        /** Buffer room came back: parked sends and upstreams may go on. */
        void released();
    }

    private final KafkaCluster cluster;
    private final Loop loop;
    private final Vertx vertx;
    private final ProducerOptions options;
    private final Map<String, ProduceTopic> topics;
    private final Map<TopicPartition, ProduceBatch.Partition> partitions;
    private final Accounting accounting;
    private final Set<ProduceBatch.Partition> ready = new LinkedHashSet<>();
    private boolean drainScheduled;
    private long producerId = -1;
    private short producerEpoch = -1;
    private Future<Void> producerIdFuture;

    public ProduceSender(KafkaCluster cluster, ProducerOptions options, Map<String, ProduceTopic> topics,
                         Map<TopicPartition, ProduceBatch.Partition> partitions, Accounting accounting) {
        this.cluster = cluster;
        this.loop = cluster.loop();
        this.vertx = loop.context().owner();
        this.options = options;
        this.topics = topics;
        this.partitions = partitions;
        this.accounting = accounting;
    }

    /** {@code ps} has a closed batch queued: send it at the next drain. */
    public void ready(ProduceBatch.Partition ps) {
        ready.add(ps);
        scheduleDrain();
    }

    public void scheduleDrain() {
        if (!drainScheduled) {
            drainScheduled = true;
            // One turn of the loop later, so the batches closed in this turn leave in one request per broker.
            loop.context().runOnContext(v -> {
                drainScheduled = false;
                drain();
            });
        }
    }

    private void drain() {
        if (options.idempotence() && producerId < 0) {
            if (producerIdFuture == null) {
                producerIdFuture = initProducerId().onComplete(ar -> {
                    producerIdFuture = null;
                    if (ar.failed()) {
                        failAllReady(ar.cause());
                    } else {
                        scheduleDrain();
                    }
                });
            }
            return;
        }
        Map<Integer, List<ProduceBatch>> byLeader = new HashMap<>();
        for (var it = ready.iterator(); it.hasNext(); ) {
            ProduceBatch.Partition ps = it.next();
            ProduceTopic ts = topics.get(ps.tp.topic());
            if (ps.inFlight != null || ts.stale || ts.fetching) {
                continue;
            }
            ProduceBatch b = ps.queue.poll();
            if (ps.queue.isEmpty()) {
                it.remove();
            }
            if (b == null) {
                continue;
            }
            if (!b.isBuilt()) {
                int seq = -1;
                if (options.idempotence()) {
                    seq = ps.nextSequence;
                    ps.nextSequence = ProduceBatch.incrementSequence(seq, b.recordCount());
                }
                b.build(producerId, producerEpoch, seq);
            }
            ps.inFlight = b;
            byLeader.computeIfAbsent(ps.leader, k -> new ArrayList<>()).add(b);
        }
        for (Map.Entry<Integer, List<ProduceBatch>> e : byLeader.entrySet()) {
            send(e.getKey(), e.getValue());
        }
    }

    private void send(int leader, List<ProduceBatch> batches) {
        cluster.node(leader).onComplete(ar -> {
            if (ar.failed()) {
                for (ProduceBatch b : batches) {
                    retryOrFail(b, ar.cause());
                }
                return;
            }
            BrokerConnection c = ar.result();
            short version = c.version(ApiKeys.PRODUCE);
            boolean ids = version >= 13;
            Map<String, ProduceRequestData.TopicProduceData> byTopic = new HashMap<>();
            ProduceRequestData.TopicProduceDataCollection coll = new ProduceRequestData.TopicProduceDataCollection();
            for (ProduceBatch b : batches) {
                ProduceRequestData.TopicProduceData td = byTopic.computeIfAbsent(b.tp.topic(), t -> {
                    ProduceRequestData.TopicProduceData d = new ProduceRequestData.TopicProduceData();
                    Uuid id = partitions.get(b.tp).topicId;
                    if (ids) {
                        d.setTopicId(id);
                    } else {
                        d.setName(t);
                    }
                    d.setPartitionData(new ArrayList<>());
                    coll.add(d);
                    return d;
                });
                td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(b.tp.partition())
                        .setRecords(b.records()));
            }
            ProduceRequestData req = new ProduceRequestData().setAcks(options.acks())
                    .setTimeoutMs((int) cluster.options().requestTimeoutMs()).setTopicData(coll);
            if (options.acks() == 0) {
                c.sendOneWay(ApiKeys.PRODUCE, req).onComplete(w -> {
                    for (ProduceBatch b : batches) {
                        if (w.succeeded()) {
                            complete(b, -1, -1);
                        } else {
                            retryOrFail(b, w.cause());
                        }
                    }
                });
                return;
            }
            c.<ProduceResponseData>call(ApiKeys.PRODUCE, req).onComplete(rr -> {
                if (rr.failed()) {
                    for (ProduceBatch b : batches) {
                        retryOrFail(b, rr.cause());
                    }
                    return;
                }
                onResponse(rr.result(), batches, ids);
            });
        });
    }

    private void onResponse(ProduceResponseData resp, List<ProduceBatch> batches, boolean ids) {
        Map<TopicPartition, ProduceResponseData.PartitionProduceResponse> byTp = new HashMap<>();
        Map<Uuid, String> names = new HashMap<>();
        for (ProduceBatch b : batches) {
            names.put(partitions.get(b.tp).topicId, b.tp.topic());
        }
        for (ProduceResponseData.TopicProduceResponse t : resp.responses()) {
            String name = ids ? names.get(t.topicId()) : t.name();
            for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
                byTp.put(new TopicPartition(name, p.index()), p);
            }
        }
        for (ProduceBatch b : batches) {
            ProduceResponseData.PartitionProduceResponse p = byTp.get(b.tp);
            if (p == null) {
                retryOrFail(b, Errors.UNKNOWN_SERVER_ERROR.exception("no response for " + b.tp));
                continue;
            }
            Errors err = Errors.forCode(p.errorCode());
            if (err == Errors.NONE) {
                complete(b, p.baseOffset(), p.logAppendTimeMs());
            } else if (err == Errors.DUPLICATE_SEQUENCE_NUMBER) {
                // The broker has this batch already (an earlier attempt got through): delivered once.
                complete(b, -1, -1);
            } else {
                String msg = p.errorMessage() != null ? p.errorMessage() : err.message();
                retryOrFail(b, err.exception(b.tp + ": " + msg));
            }
        }
    }

    private void complete(ProduceBatch b, long baseOffset, long logAppendTime) {
        ProduceBatch.Partition ps = partitions.get(b.tp);
        ps.inFlight = null;
        if (!ps.queue.isEmpty()) {
            ready.add(ps);
        }
        accounting.finished(b.bytes(), b.recordCount());
        b.succeed(baseOffset, logAppendTime);
        scheduleDrain();
        accounting.released();
    }

    private void retryOrFail(ProduceBatch b, Throwable cause) {
        ProduceBatch.Partition ps = partitions.get(b.tp);
        boolean expired = (System.nanoTime() - b.createdNanos()) / 1_000_000L > options.deliveryTimeoutMs();
        if (KafkaCluster.isRetriable(cause) && !expired) {
            // Resent as it is (same bytes, same sequence): the broker drops it if an earlier attempt landed.
            ps.inFlight = null;
            ps.queue.addFirst(b);
            ready.add(ps);
            ProduceTopic ts = topics.get(b.tp.topic());
            if (!ts.stale) {
                ts.stale = true;
                vertx.setTimer(cluster.options().retryBackoffMs(), t -> refreshAfterError(ts));
            }
            return;
        }
        ps.inFlight = null;
        if (!ps.queue.isEmpty()) {
            ready.add(ps);
        }
        Throwable failure = expired ? new TimeoutException("delivery of " + b.recordCount() + " records to " + b.tp
                + " timed out after " + options.deliveryTimeoutMs() + " ms: " + cause, cause) : cause;
        if (options.idempotence() && b.isBuilt()) {
            // A sequence gap now exists on this partition: start again with a fresh producer id (sequences from 0).
            producerId = -1;
            for (ProduceBatch.Partition other : partitions.values()) {
                other.nextSequence = 0;
            }
        }
        accounting.finished(b.bytes(), b.recordCount());
        b.fail(failure);
        scheduleDrain();
        accounting.released();
    }

    private void refreshAfterError(ProduceTopic ts) {
        cluster.topicWithLeaders(ts.name).onComplete(ar -> {
            if (ar.succeeded()) {
                ts.meta = ar.result();
                for (ProduceBatch.Partition ps : partitions.values()) {
                    if (ps.tp.topic().equals(ts.name)) {
                        MetadataImage.PartitionMeta pm = ts.meta.partition(ps.tp.partition());
                        ps.leader = pm == null ? -1 : pm.leader();
                        ps.topicId = ts.meta.topicId();
                    }
                }
                ts.stale = false;
                scheduleDrain();
            } else {
                vertx.setTimer(cluster.options().retryBackoffMs(), t -> refreshAfterError(ts));
            }
        });
    }

    private void failAllReady(Throwable cause) {
        for (ProduceBatch.Partition ps : new ArrayList<>(ready)) {
            ProduceBatch b;
            while ((b = ps.queue.poll()) != null) {
                accounting.finished(b.bytes(), b.recordCount());
                b.fail(cause);
            }
        }
        ready.clear();
        accounting.released();
    }

    private Future<Void> initProducerId() {
        long deadline = System.nanoTime() + cluster.options().requestTimeoutMs() * 1_000_000L;
        return cluster.retrying(deadline, () -> cluster.any().compose(c -> c.<InitProducerIdResponseData>call(
                ApiKeys.INIT_PRODUCER_ID, new InitProducerIdRequestData().setTransactionalId(null)
                        .setTransactionTimeoutMs(Integer.MAX_VALUE).setProducerId(-1).setProducerEpoch((short) -1)))
                .compose(resp -> {
                    Errors err = Errors.forCode(resp.errorCode());
                    if (err != Errors.NONE) {
                        return Future.failedFuture(err.exception("InitProducerId: " + err.message()));
                    }
                    producerId = resp.producerId();
                    producerEpoch = resp.producerEpoch();
                    return Future.succeededFuture();
                }));
    }
}
