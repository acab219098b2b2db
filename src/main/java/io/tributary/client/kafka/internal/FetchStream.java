package io.tributary.client.kafka.internal;

import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.ConsumerOptions;
import io.tributary.client.kafka.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The demand side of a consumer's {@code Flowable<ConsumerRecord>}: the subscriber's outstanding demand, the records
 * buffered per partition, and the decision what to fetch. A partition is fetched only while the demand exceeds what
 * is already buffered, and only when its own buffer is empty, so a slow subscriber holds at most one fetch's worth of
 * records per partition; the size asked of each partition shrinks with the demand (about demand × the average record
 * size, at least {@link #MIN_PARTITION_BYTES}). The requests themselves are {@link Fetcher}'s (one in flight per
 * broker). Partitions can be added and removed while the stream runs (a group's assignments); a removed partition's
 * buffered records are dropped at once and its in-flight results ignored, so nothing of it is emitted afterwards.
 *
 * <p>Every signal hops onto the client's loop; all fields are touched there only.
 */
public final class FetchStream implements Subscription, Fetcher.Host {
    static final int MIN_PARTITION_BYTES = 32 * 1024;
    /** Records one partition emits before the next ready partition gets a turn. */
    private static final int FAIR_SHARE = 500;

    private final Loop loop;
    private final ConsumerOptions options;
    private final Subscriber<? super ConsumerRecord> down;
    private final ConsumerRecord.Acker acker;
    private final Runnable onCancel;
    private final Fetcher fetcher;
    private final Map<TopicPartition, FetchPartition> partitions = new LinkedHashMap<>();
    private final ArrayDeque<FetchPartition> readyQueue = new ArrayDeque<>();
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
        this.loop = cluster.loop();
        this.options = options;
        this.down = down;
        this.acker = acker;
        this.onCancel = onCancel;
        this.fetcher = new Fetcher(cluster, options, this);
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
        add(tp, position, acker, null);
    }

    /**
     * Starts fetching {@code tp} from {@code position}; its records carry {@code acker} and are passed to
     * {@code onEmit} just before the subscriber gets them. On the loop.
     */
    public void add(TopicPartition tp, long position, ConsumerRecord.Acker acker, Consumer<ConsumerRecord> onEmit) {
        loop.check();
        if (done) {
            return;
        }
        FetchPartition ps = new FetchPartition(tp, position, acker, onEmit);
        FetchPartition old = partitions.put(tp, ps);
        if (old != null) {
            drop(old);
        }
        fetcher.locate(ps);
        maybeFetch();
    }

    /** Stops fetching {@code tp}, drops its buffered records and returns the next position it would have emitted. */
    public long remove(TopicPartition tp) {
        loop.check();
        FetchPartition ps = partitions.remove(tp);
        if (ps == null) {
            return -1;
        }
        long next = ps.buffer.isEmpty() ? ps.position : ps.buffer.peek().offset();
        drop(ps);
        return next;
    }

    private void drop(FetchPartition ps) {
        ps.removed = true;
        readyQueue.remove(ps);
        bufferedRecords -= ps.buffer.size();
        bufferedBytes -= ps.bytes;
        ps.buffer.clear();
        ps.bytes = 0;
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
    @Override
    public void fail(Throwable error) {
        loop.run(() -> finish(error));
    }

    /** Completes the stream (graceful close). */
    public void complete() {
        loop.run(() -> finish(null));
    }

    @Override
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
        partitions.values().forEach(ps -> ps.removed = true);
        partitions.clear();
        readyQueue.clear();
        bufferedRecords = 0;
        bufferedBytes = 0;
    }

    // ------------------------------------------------------------------------------------------------ Fetcher.Host

    @Override
    public FetchPartition partition(TopicPartition tp) {
        return partitions.get(tp);
    }

    @Override
    public Collection<FetchPartition> partitions() {
        return partitions.values();
    }

    @Override
    public void buffered(FetchPartition ps, int records, long bytes) {
        ps.bytes += bytes;
        bufferedRecords += records;
        bufferedBytes += bytes;
        avgRecordBytes = 0.8 * avgRecordBytes + 0.2 * ((double) bytes / records);
        if (!readyQueue.contains(ps)) {
            readyQueue.add(ps);
        }
    }

    @Override
    public void progressed() {
        deliver();
        maybeFetch();
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
            FetchPartition ps = readyQueue.peek();
            int emitted = 0;
            while (!done && demand > 0 && !ps.buffer.isEmpty() && emitted < FAIR_SHARE && !ps.removed) {
                ConsumerRecord r = ps.buffer.poll();
                int size = FetchPartition.size(r);
                ps.bytes -= size;
                bufferedBytes -= size;
                bufferedRecords--;
                demand--;
                emitted++;
                if (ps.onEmit != null) {
                    ps.onEmit.accept(r);
                }
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

    // ------------------------------------------------------------------------------------------------ fetch

    private void maybeFetch() {
        if (done || demand <= bufferedRecords) {
            return; // the buffered records cover the demand: no fetch without outstanding demand
        }
        long need = demand - bufferedRecords;
        int partitionBytes = (int) Math.max(Math.min(MIN_PARTITION_BYTES, options.maxPartitionFetchBytes()),
                Math.min(options.maxPartitionFetchBytes(), need * (long) Math.ceil(avgRecordBytes)));
        Map<Integer, List<FetchPartition>> byLeader = new HashMap<>();
        for (FetchPartition ps : partitions.values()) {
            if (ps.fetching || ps.stale || !ps.buffer.isEmpty() || ps.leader < 0 || ps.resetting
                    || fetcher.busy(ps.leader)) {
                continue;
            }
            byLeader.computeIfAbsent(ps.leader, k -> new ArrayList<>()).add(ps);
        }
        for (Map.Entry<Integer, List<FetchPartition>> e : byLeader.entrySet()) {
            fetcher.fetch(e.getKey(), e.getValue(), partitionBytes);
        }
    }
}
