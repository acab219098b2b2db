package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.internal.BrokerConnection;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.tributary.client.kafka.internal.MetadataImage;
import io.tributary.client.kafka.internal.ProduceBatch;
import io.tributary.client.kafka.internal.SendStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.utils.Utils;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A reactive Kafka producer. Records are batched per partition (a batch is sent when it reaches
 * {@link ProducerOptions#batchSize()} bytes or has waited {@link ProducerOptions#lingerMs()}), the batches bound for
 * one broker leave together in one Produce request, and each partition has at most one request in flight, so a
 * retried batch can never overtake a later one.
 *
 * <p>Idempotence (the default) asks the cluster for a producer id and epoch first and stamps every batch with the
 * next sequence number of its partition when it is first sent; a retry resends the same bytes with the same
 * sequence, which the broker recognizes as a duplicate, so retries neither duplicate nor reorder.
 *
 * <p>Memory is bounded by {@link ProducerOptions#bufferMemory()}: bytes of records accepted and not yet
 * acknowledged. A {@code Flowable} given to {@link #send(Flowable)} is only asked for more records while there is
 * room (real backpressure: a fast upstream is slowed to the broker's pace); a {@link #send(ProduceRecord)} beyond
 * the limit waits for room instead of failing.
 *
 * <p>All state lives on the client's event loop; every callback arrives there.
 */
public final class RxProducer {
    private final KafkaCluster cluster;
    private final Loop loop;
    private final Vertx vertx;
    private final ProducerOptions options;
    private final Compression compression;
    private final Map<String, TopicState> topics = new HashMap<>();
    private final Map<TopicPartition, ProduceBatch.Partition> partitions = new HashMap<>();
    private final Set<ProduceBatch.Partition> ready = new LinkedHashSet<>();
    private final ArrayDeque<Parked> parked = new ArrayDeque<>();
    private final Set<SendStream> streams = new LinkedHashSet<>();
    private final List<Promise<Void>> flushes = new ArrayList<>();
    private long bufferedBytes;
    private long pendingRecords;
    private boolean drainScheduled;
    private boolean closed;
    // Idempotence: the producer id and epoch (InitProducerId), known before the first batch is sent.
    private long producerId = -1;
    private short producerEpoch = -1;
    private Future<Void> producerIdFuture;

    RxProducer(KafkaCluster cluster, ProducerOptions options) {
        if (options.idempotence() && options.acks() != -1) {
            throw new IllegalArgumentException("idempotence needs acks=-1 (all); set idempotence(false) for acks="
                    + options.acks());
        }
        this.cluster = cluster;
        this.loop = cluster.loop();
        this.vertx = loop.context().owner();
        this.options = options;
        this.compression = Compression.of(CompressionType.forName(options.compression())).build();
    }

    /** Sends one record; succeeds once the broker acknowledged it (as the producer's acks ask). Cold. */
    public Single<RecordMetadata> send(ProduceRecord record) {
        return Single.create(emitter -> loop.run(() -> accept(record, new ProduceBatch.Sink() {
            @Override
            public void done(RecordMetadata md) {
                emitter.onSuccess(md);
            }

            @Override
            public void failed(Throwable t) {
                emitter.tryOnError(t);
            }
        })));
    }

    /**
     * Sends every record of {@code records}, emitting each one's metadata in the order of the input. Upstream is
     * requested from only while the producer's buffer has room and the results not yet taken downstream stay
     * bounded, so neither a fast source nor a slow consumer of the results makes the producer buffer without
     * bound. The first failed record fails the stream (and cancels the upstream).
     */
    public Flowable<RecordMetadata> send(Flowable<ProduceRecord> records) {
        return Flowable.fromPublisher(down -> records.subscribe(new SendStream(loop, this::accept, this::hasRoom,
                streams, down)));
    }

    /** Completes once every record sent so far is acknowledged (or failed); open batches are sent now. */
    public Completable flush() {
        return io.tributary.client.internal.Rx.completable(() -> loop.call(() -> {
            if (pendingRecords == 0) {
                return Future.succeededFuture();
            }
            for (ProduceBatch.Partition ps : partitions.values()) {
                closeOpen(ps);
            }
            Promise<Void> p = Promise.promise();
            flushes.add(p);
            return p.future();
        }));
    }

    /** Flushes, then refuses further sends. */
    public Completable close() {
        return flush().doOnComplete(() -> loop.run(() -> closed = true));
    }

    /** Bytes accepted and not yet acknowledged (for tests and metrics; read on the loop). */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    boolean hasRoom() {
        return bufferedBytes < options.bufferMemory() && parked.isEmpty();
    }

    // ---------------------------------------------------------------------------------------------- accept

    private void accept(ProduceRecord r, ProduceBatch.Sink sink) {
        loop.check();
        if (closed) {
            sink.failed(new IllegalStateException("producer closed"));
            return;
        }
        int size = r.bufferBytes();
        if (size > options.maxRequestSize()) {
            sink.failed(new RecordTooLargeException("record of about " + size + " bytes exceeds max.request.size "
                    + options.maxRequestSize()));
            return;
        }
        pendingRecords++;
        if (!parked.isEmpty() || (bufferedBytes > 0 && bufferedBytes + size > options.bufferMemory())) {
            parked.add(new Parked(r, sink, size));
            return;
        }
        admit(r, sink, size);
    }

    private void admit(ProduceRecord r, ProduceBatch.Sink sink, int size) {
        bufferedBytes += size;
        TopicState ts = topics.computeIfAbsent(r.topic(), TopicState::new);
        if (ts.meta == null) {
            ts.waiting.add(new Parked(r, sink, size));
            if (!ts.fetching) {
                fetchMetadata(ts);
            }
            return;
        }
        route(ts, r, sink, size);
    }

    private void fetchMetadata(TopicState ts) {
        ts.fetching = true;
        cluster.topicWithLeaders(ts.name).onComplete(ar -> {
            ts.fetching = false;
            if (ar.failed()) {
                List<Parked> w = new ArrayList<>(ts.waiting);
                ts.waiting.clear();
                for (Parked p : w) {
                    finish(p.size, 1);
                    p.sink.failed(ar.cause());
                }
                return;
            }
            ts.meta = ar.result();
            ts.stale = false;
            for (ProduceBatch.Partition ps : partitions.values()) {
                if (ps.tp.topic().equals(ts.name)) {
                    MetadataImage.PartitionMeta pm = ts.meta.partition(ps.tp.partition());
                    ps.leader = pm == null ? -1 : pm.leader();
                }
            }
            List<Parked> w = new ArrayList<>(ts.waiting);
            ts.waiting.clear();
            for (Parked p : w) {
                route(ts, p.record, p.sink, p.size);
            }
            scheduleDrain();
        });
    }

    private void route(TopicState ts, ProduceRecord r, ProduceBatch.Sink sink, int size) {
        int n = ts.meta.partitions().size();
        int p;
        if (r.partition() != null) {
            p = r.partition();
            if (p < 0 || p >= n) {
                finish(size, 1);
                sink.failed(Errors.UNKNOWN_TOPIC_OR_PARTITION.exception(r.topic() + "-" + p + " does not exist"));
                return;
            }
        } else if (r.key() != null) {
            p = Utils.toPositive(Utils.murmur2(r.key())) % n; // kafka-clients' BuiltInPartitioner.partitionForKey
        } else {
            if (ts.sticky < 0 || ts.sticky >= n) {
                ts.sticky = ThreadLocalRandom.current().nextInt(n);
            }
            p = ts.sticky;
        }
        TopicPartition tp = new TopicPartition(r.topic(), p);
        ProduceBatch.Partition ps = partitions.computeIfAbsent(tp, k -> {
            ProduceBatch.Partition np = new ProduceBatch.Partition(k);
            np.leader = ts.meta.partition(p).leader();
            np.topicId = ts.meta.topicId();
            return np;
        });
        long ts0 = r.timestamp() != null ? r.timestamp() : System.currentTimeMillis();
        if (ps.open != null && !ps.open.hasRoomFor(ts0, r)) {
            closeOpen(ps);
            if (r.partition() == null && r.key() == null) {
                // Sticky partitioning moves on once the batch it was filling is full.
                ts.sticky = -1;
                route(ts, r, sink, size);
                return;
            }
        }
        boolean fresh = ps.open == null;
        if (fresh) {
            ps.open = new ProduceBatch(tp, compression, options.batchSize(), System.nanoTime());
        }
        ps.open.append(ts0, r, sink, size);
        if (ps.open.estimatedBytes() >= options.batchSize()) {
            closeOpen(ps);
            if (r.partition() == null && r.key() == null) {
                ts.sticky = -1;
            }
        } else if (fresh) {
            if (options.lingerMs() <= 0) {
                closeOpen(ps);
            } else {
                ProduceBatch b = ps.open;
                b.lingerTimer = vertx.setTimer(options.lingerMs(), t -> {
                    b.lingerTimer = -1;
                    if (ps.open == b) {
                        closeOpen(ps);
                    }
                });
            }
        }
    }

    private void closeOpen(ProduceBatch.Partition ps) {
        ProduceBatch b = ps.open;
        if (b == null) {
            return;
        }
        ps.open = null;
        if (b.lingerTimer >= 0) {
            vertx.cancelTimer(b.lingerTimer);
            b.lingerTimer = -1;
        }
        b.closeForAppends();
        ps.queue.add(b);
        ready.add(ps);
        scheduleDrain();
    }

    // ---------------------------------------------------------------------------------------------- send

    private void scheduleDrain() {
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
            TopicState ts = topics.get(ps.tp.topic());
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
        finish(b.bytes(), b.recordCount());
        b.succeed(baseOffset, logAppendTime);
        scheduleDrain();
        released();
    }

    private void retryOrFail(ProduceBatch b, Throwable cause) {
        ProduceBatch.Partition ps = partitions.get(b.tp);
        boolean expired = (System.nanoTime() - b.createdNanos()) / 1_000_000L > options.deliveryTimeoutMs();
        if (KafkaCluster.isRetriable(cause) && !expired) {
            // Resent as it is (same bytes, same sequence): the broker drops it if an earlier attempt landed.
            ps.inFlight = null;
            ps.queue.addFirst(b);
            ready.add(ps);
            TopicState ts = topics.get(b.tp.topic());
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
        finish(b.bytes(), b.recordCount());
        b.fail(failure);
        scheduleDrain();
        released();
    }

    private void refreshAfterError(TopicState ts) {
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
                finish(b.bytes(), b.recordCount());
                b.fail(cause);
            }
        }
        ready.clear();
        released();
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

    // ---------------------------------------------------------------------------------------------- accounting

    private void finish(long bytes, int records) {
        bufferedBytes -= bytes;
        pendingRecords -= records;
        if (pendingRecords == 0 && !flushes.isEmpty()) {
            List<Promise<Void>> fs = new ArrayList<>(flushes);
            flushes.clear();
            fs.forEach(Promise::tryComplete);
        }
    }

    /** Buffer room came back: admit parked sends, then let the streams ask upstream for more. */
    private void released() {
        while (!parked.isEmpty()) {
            Parked p = parked.peek();
            if (bufferedBytes > 0 && bufferedBytes + p.size > options.bufferMemory()) {
                break;
            }
            parked.poll();
            admit(p.record, p.sink, p.size);
        }
        for (SendStream s : new ArrayList<>(streams)) {
            s.pump();
        }
    }

    private static final class TopicState {
        final String name;
        final List<Parked> waiting = new ArrayList<>();
        MetadataImage.TopicMeta meta;
        boolean fetching;
        boolean stale;
        int sticky = -1;

        TopicState(String name) {
            this.name = name;
        }
    }

    private record Parked(ProduceRecord record, ProduceBatch.Sink sink, int size) {
    }
}
