package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.tributary.client.kafka.internal.MetadataImage;
import io.tributary.client.kafka.internal.ProduceBatch;
import io.tributary.client.kafka.internal.ProduceSender;
import io.tributary.client.kafka.internal.ProduceTopic;
import io.tributary.client.kafka.internal.SendStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RecordTooLargeException;
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
 * <p>This class is the accepting side (buffer accounting, partitioning, batching); {@link ProduceSender} is the
 * request side (producer id, drains, in-flight requests, retries and sequences). All state lives on the client's
 * event loop; every callback arrives there.
 */
public final class RxProducer {
    private final KafkaCluster cluster;
    private final Loop loop;
    private final Vertx vertx;
    private final ProducerOptions options;
    private final Compression compression;
    private final Map<String, ProduceTopic> topics = new HashMap<>();
    private final Map<TopicPartition, ProduceBatch.Partition> partitions = new HashMap<>();
    private final ArrayDeque<ProduceTopic.Parked> parked = new ArrayDeque<>();
    private final Set<SendStream> streams = new LinkedHashSet<>();
    private final List<Promise<Void>> flushes = new ArrayList<>();
    private long bufferedBytes;
    private final ProduceSender sender;
    private long pendingRecords;
    private boolean closed;

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
        this.sender = new ProduceSender(cluster, options, topics, partitions, new ProduceSender.Accounting() {
            @Override
            public void finished(long bytes, int records) {
                finish(bytes, records);
            }

            @Override
            public void released() {
                RxProducer.this.released();
            }
        });
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
            parked.add(new ProduceTopic.Parked(r, sink, size));
            return;
        }
        admit(r, sink, size);
    }

    private void admit(ProduceRecord r, ProduceBatch.Sink sink, int size) {
        bufferedBytes += size;
        ProduceTopic ts = topics.computeIfAbsent(r.topic(), ProduceTopic::new);
        if (ts.meta == null) {
            ts.waiting.add(new ProduceTopic.Parked(r, sink, size));
            if (!ts.fetching) {
                fetchMetadata(ts);
            }
            return;
        }
        route(ts, r, sink, size);
    }

    private void fetchMetadata(ProduceTopic ts) {
        ts.fetching = true;
        cluster.topicWithLeaders(ts.name).onComplete(ar -> {
            ts.fetching = false;
            if (ar.failed()) {
                List<ProduceTopic.Parked> w = new ArrayList<>(ts.waiting);
                ts.waiting.clear();
                for (ProduceTopic.Parked p : w) {
                    finish(p.size(), 1);
                    p.sink().failed(ar.cause());
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
            List<ProduceTopic.Parked> w = new ArrayList<>(ts.waiting);
            ts.waiting.clear();
            for (ProduceTopic.Parked p : w) {
                route(ts, p.record(), p.sink(), p.size());
            }
            sender.scheduleDrain();
        });
    }

    private void route(ProduceTopic ts, ProduceRecord r, ProduceBatch.Sink sink, int size) {
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
        sender.ready(ps);
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
            ProduceTopic.Parked p = parked.peek();
            if (bufferedBytes > 0 && bufferedBytes + p.size() > options.bufferMemory()) {
                break;
            }
            parked.poll();
            admit(p.record(), p.sink(), p.size());
        }
        for (SendStream s : new ArrayList<>(streams)) {
            s.pump();
        }
    }
}
