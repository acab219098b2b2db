package io.tributary.client.kafka.internal;

import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.ConsumerOptions;
import io.tributary.client.kafka.ConsumerRecord;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demand-driven fetch loop behind a consumer's {@code Flowable<ConsumerRecord>}. A partition is fetched only
 * while the subscriber's outstanding demand exceeds what is already buffered, and only when its own buffer is empty,
 * so a slow subscriber holds at most one fetch's worth of records per partition; the size asked of each partition
 * shrinks with the demand (about demand × the average record size, at least {@link #MIN_PARTITION_BYTES}). Each
 * broker has at most one fetch in flight (long-polling up to {@code maxWaitMs}). Partitions can be added and removed
 * while the stream runs (a group's assignments); a removed partition's buffered records are dropped and its
 * in-flight results ignored.
 *
 * <p>Every signal hops onto the client's loop; all fields are touched there only.
 */
public final class FetchStream implements Subscription {
    static final int MIN_PARTITION_BYTES = 32 * 1024;
    /** Records one partition emits before the next ready partition gets a turn. */
    private static final int FAIR_SHARE = 500;

    private final KafkaCluster cluster;
    private final Loop loop;
    private final ConsumerOptions options;
    private final Subscriber<? super ConsumerRecord> down;
    private final ConsumerRecord.Acker acker;
    private final Runnable onCancel;
    private final Map<TopicPartition, PState> partitions = new LinkedHashMap<>();
    private final ArrayDeque<PState> readyQueue = new ArrayDeque<>();
    private final Set<Integer> brokersFetching = new HashSet<>();
    private final Set<String> refreshing = new HashSet<>();
    private long demand;
    private long bufferedRecords;
    private long bufferedBytes;
    private double avgRecordBytes = 256;
    private boolean done;
    private boolean emitting;
    private boolean missed;
    private boolean started;

    public FetchStream(KafkaCluster cluster, ConsumerOptions options, Subscriber<? super ConsumerRecord> down,
                       ConsumerRecord.Acker acker, Runnable onCancel) {
        this.cluster = cluster;
        this.loop = cluster.loop();
        this.options = options;
        this.down = down;
        this.acker = acker;
        this.onCancel = onCancel;
    }

    /** Hands the subscription to the subscriber; call once, on the loop. */
    public void start() {
        loop.check();
        if (!started) {
            started = true;
            down.onSubscribe(this);
        }
    }

    /** Starts fetching {@code tp} from {@code position}. On the loop. */
    public void add(TopicPartition tp, long position) {
        loop.check();
        if (done) {
            return;
        }
        PState ps = new PState(tp, position);
        partitions.put(tp, ps);
        MetadataImage.TopicMeta meta = cluster.image().topic(tp.topic());
        if (meta != null && meta.partition(tp.partition()) != null && meta.partition(tp.partition()).leader() >= 0) {
            ps.leader = meta.partition(tp.partition()).leader();
            ps.topicId = meta.topicId();
        } else {
            ps.stale = true;
            refresh(tp.topic());
        }
        maybeFetch();
    }

    /** Stops fetching {@code tp}, drops its buffered records and returns the next position it would have emitted. */
    public long remove(TopicPartition tp) {
        loop.check();
        PState ps = partitions.remove(tp);
        if (ps == null) {
            return -1;
        }
        ps.removed = true;
        readyQueue.remove(ps);
        bufferedRecords -= ps.buffer.size();
        bufferedBytes -= ps.bytes;
        long next = ps.buffer.isEmpty() ? ps.position : ps.buffer.peek().offset();
        ps.buffer.clear();
        return next;
    }

    public Set<TopicPartition> assigned() {
        return Set.copyOf(partitions.keySet());
    }

    /** Records fetched and not yet emitted (on the loop). */
    public long bufferedRecords() {
        return bufferedRecords;
    }

    /** Bytes of records fetched and not yet emitted (on the loop). */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /** Ends the stream with {@code error}. */
    public void fail(Throwable error) {
        loop.run(() -> finish(error));
    }

    /** Completes the stream (graceful close). */
    public void complete() {
        loop.run(() -> finish(null));
    }

    public boolean isDone() {
        return done;
    }

    @Override
    public void request(long n) {
        loop.run(() -> {
            if (n <= 0) {
                finish(new IllegalArgumentException("§3.9: non-positive request " + n));
                return;
            }
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            deliver();
            maybeFetch();
        });
    }

    @Override
    public void cancel() {
        loop.run(() -> {
            if (!done) {
                done = true;
                clear();
                onCancel.run();
            }
        });
    }

    private void finish(Throwable error) {
        if (done) {
            return;
        }
        done = true;
        clear();
        if (error != null) {
            down.onError(error);
        } else {
            down.onComplete();
        }
    }

    private void clear() {
        partitions.clear();
        readyQueue.clear();
        bufferedRecords = 0;
        bufferedBytes = 0;
    }

    // ------------------------------------------------------------------------------------------------ emit

    private void deliver() {
        if (emitting) {
            missed = true;
            return;
        }
        emitting = true;
        try {
            do {
                missed = false;
                deliverOnce();
            } while (missed);
        } finally {
            emitting = false;
        }
    }

    private void deliverOnce() {
        while (!done && demand > 0 && !readyQueue.isEmpty()) {
            PState ps = readyQueue.peek();
            int emitted = 0;
            while (!done && demand > 0 && !ps.buffer.isEmpty() && emitted < FAIR_SHARE && !ps.removed) {
                ConsumerRecord r = ps.buffer.poll();
                int size = size(r);
                ps.bytes -= size;
                bufferedBytes -= size;
                bufferedRecords--;
                demand--;
                emitted++;
                down.onNext(r);
            }
            if (readyQueue.peek() == ps) {
                readyQueue.poll();
                if (!ps.buffer.isEmpty() && !ps.removed) {
                    readyQueue.add(ps); // its fair share is used: the next ready partition's turn
                }
            }
        }
    }

    private static int size(ConsumerRecord r) {
        return 24 + (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
    }

    // ------------------------------------------------------------------------------------------------ fetch

    private void maybeFetch() {
        if (done || demand <= bufferedRecords) {
            return; // the buffered records cover the demand: no fetch without outstanding demand
        }
        long need = demand - bufferedRecords;
        int partitionBytes = (int) Math.max(Math.min(MIN_PARTITION_BYTES, options.maxPartitionFetchBytes()),
                Math.min(options.maxPartitionFetchBytes(), need * (long) Math.ceil(avgRecordBytes)));
        Map<Integer, List<PState>> byLeader = new HashMap<>();
        for (PState ps : partitions.values()) {
            if (ps.fetching || ps.stale || !ps.buffer.isEmpty() || ps.leader < 0 || ps.resetting
                    || brokersFetching.contains(ps.leader)) {
                continue;
            }
            byLeader.computeIfAbsent(ps.leader, k -> new ArrayList<>()).add(ps);
        }
        for (Map.Entry<Integer, List<PState>> e : byLeader.entrySet()) {
            fetch(e.getKey(), e.getValue(), partitionBytes);
        }
    }

    private void fetch(int leader, List<PState> ps, int partitionBytes) {
        brokersFetching.add(leader);
        for (PState p : ps) {
            p.fetching = true;
        }
        Map<String, FetchRequestData.FetchTopic> topics = new LinkedHashMap<>();
        for (PState p : ps) {
            FetchRequestData.FetchTopic ft = topics.computeIfAbsent(p.tp.topic(), t -> new FetchRequestData.FetchTopic()
                    .setTopic(t).setTopicId(p.topicId == null ? Uuid.ZERO_UUID : p.topicId)
                    .setPartitions(new ArrayList<>()));
            ft.partitions().add(new FetchRequestData.FetchPartition().setPartition(p.tp.partition())
                    .setFetchOffset(p.position).setCurrentLeaderEpoch(-1).setLogStartOffset(-1)
                    .setPartitionMaxBytes(partitionBytes));
        }
        FetchRequestData req = new FetchRequestData().setMaxWaitMs(options.maxWaitMs()).setMinBytes(options.minBytes())
                .setMaxBytes(options.maxFetchBytes()).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1)
                .setTopics(new ArrayList<>(topics.values()));
        cluster.node(leader).compose(c -> {
            if (c.version(ApiKeys.FETCH) >= 13) {
                for (PState p : ps) {
                    if (p.topicId == null || Uuid.ZERO_UUID.equals(p.topicId)) {
                        return Future.<FetchResponseData>failedFuture(
                                Errors.UNKNOWN_TOPIC_ID.exception("no topic id known for " + p.tp));
                    }
                }
            }
            return c.<FetchResponseData>call(ApiKeys.FETCH, req);
        }).onComplete(ar -> {
            brokersFetching.remove(leader);
            for (PState p : ps) {
                p.fetching = false;
            }
            if (done) {
                return;
            }
            if (ar.failed()) {
                if (KafkaCluster.isRetriable(ar.cause())) {
                    for (PState p : ps) {
                        markStale(p);
                    }
                } else {
                    finish(ar.cause());
                }
                return;
            }
            onResponse(ar.result(), ps);
            deliver();
            maybeFetch();
        });
    }

    private void onResponse(FetchResponseData resp, List<PState> asked) {
        Errors top = Errors.forCode(resp.errorCode());
        if (top != Errors.NONE) {
            for (PState p : asked) {
                markStale(p);
            }
            return;
        }
        Map<Uuid, String> names = new HashMap<>();
        for (PState p : asked) {
            if (p.topicId != null) {
                names.put(p.topicId, p.tp.topic());
            }
        }
        for (FetchResponseData.FetchableTopicResponse t : resp.responses()) {
            String name = t.topic() != null && !t.topic().isEmpty() ? t.topic() : names.get(t.topicId());
            for (FetchResponseData.PartitionData pd : t.partitions()) {
                PState ps = partitions.get(new TopicPartition(name, pd.partitionIndex()));
                if (ps == null || ps.removed || !asked.contains(ps)) {
                    continue;
                }
                Errors err = Errors.forCode(pd.errorCode());
                if (err == Errors.NONE) {
                    append(ps, pd);
                } else if (err == Errors.OFFSET_OUT_OF_RANGE) {
                    reset(ps);
                } else if (err.exception() instanceof org.apache.kafka.common.errors.RetriableException) {
                    markStale(ps);
                } else {
                    finish(err.exception("fetch " + ps.tp + " at " + ps.position + ": " + err.message()));
                    return;
                }
            }
        }
    }

    private void append(PState ps, FetchResponseData.PartitionData pd) {
        if (!(pd.records() instanceof MemoryRecords records) || records.sizeInBytes() == 0) {
            return;
        }
        long before = ps.buffer.size();
        long bytes = 0;
        for (RecordBatch batch : records.batches()) {
            if (batch.lastOffset() < ps.position) {
                continue;
            }
            if (options.checkCrcs()) {
                batch.ensureValid();
            }
            if (!batch.isControlBatch()) {
                for (Record r : batch) {
                    if (r.offset() < ps.position) {
                        continue;
                    }
                    ConsumerRecord cr = new ConsumerRecord(ps.tp.topic(), ps.tp.partition(), r.offset(), r.timestamp(),
                            batch.partitionLeaderEpoch(), bytes(r.key()), bytes(r.value()), headers(r), acker);
                    ps.buffer.add(cr);
                    int size = size(cr);
                    ps.bytes += size;
                    bytes += size;
                }
            }
            ps.position = batch.lastOffset() + 1;
        }
        long added = ps.buffer.size() - before;
        if (added > 0) {
            bufferedRecords += added;
            bufferedBytes += bytes;
            avgRecordBytes = 0.8 * avgRecordBytes + 0.2 * ((double) bytes / added);
            if (!readyQueue.contains(ps)) {
                readyQueue.add(ps);
            }
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static List<Header> headers(Record r) {
        Header[] hs = r.headers();
        return hs.length == 0 ? List.of() : List.of(hs);
    }

    private void reset(PState ps) {
        String policy = options.autoOffsetReset();
        if (policy.equals("none")) {
            finish(new OffsetOutOfRangeException("offset " + ps.position + " of " + ps.tp + " is out of range"));
            return;
        }
        ps.resetting = true;
        long ts = policy.equals("latest") ? Offsets.LATEST : Offsets.EARLIEST;
        Offsets.list(cluster, ps.tp.topic(), List.of(ps.tp.partition()), ts).onComplete(ar -> {
            ps.resetting = false;
            if (ps.removed || done) {
                return;
            }
            if (ar.failed()) {
                finish(ar.cause());
                return;
            }
            ps.position = ar.result().get(ps.tp.partition());
            maybeFetch();
        });
    }

    private void markStale(PState ps) {
        ps.stale = true;
        refresh(ps.tp.topic());
    }

    private void refresh(String topic) {
        if (!refreshing.add(topic)) {
            return;
        }
        loop.context().owner().setTimer(cluster.options().retryBackoffMs(), t ->
                cluster.topicWithLeaders(topic).onComplete(ar -> {
                    refreshing.remove(topic);
                    if (done) {
                        return;
                    }
                    if (ar.failed()) {
                        if (KafkaCluster.isRetriable(ar.cause()) || ar.cause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                            refresh(topic);
                        } else {
                            finish(ar.cause());
                        }
                        return;
                    }
                    for (PState ps : partitions.values()) {
                        if (ps.tp.topic().equals(topic)) {
                            MetadataImage.PartitionMeta pm = ar.result().partition(ps.tp.partition());
                            if (pm == null) {
                                finish(Errors.UNKNOWN_TOPIC_OR_PARTITION.exception(ps.tp + " does not exist"));
                                return;
                            }
                            ps.leader = pm.leader();
                            ps.topicId = ar.result().topicId();
                            ps.stale = false;
                        }
                    }
                    maybeFetch();
                }));
    }

    private static final class PState {
        final TopicPartition tp;
        final ArrayDeque<ConsumerRecord> buffer = new ArrayDeque<>();
        long position;
        long bytes;
        int leader = -1;
        Uuid topicId;
        boolean fetching;
        boolean stale;
        boolean resetting;
        boolean removed;

        PState(TopicPartition tp, long position) {
            this.tp = tp;
            this.position = position;
        }
    }
}
