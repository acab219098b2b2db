package io.tributary.group;

import io.tributary.log.FetchDataInfo;
import io.tributary.log.LogService;
import io.tributary.log.TopicInfo;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Owns the {@link GroupCoordinator}: every call, timer and store completion runs on this verticle's
 * context. On one node, on start it creates {@code __consumer_offsets} if missing ({@code cleanup.policy=compact},
 * {@code offsets.topic.num.partitions} partitions), then — without holding up the node's start —
 * replays every partition from its log start to its end through {@link LogService#read}, parsing
 * batches on a worker, and only then lets the group APIs answer. On a cluster it owns no partition at start:
 * {@link #elected} (this broker became a partition's leader) loads one, {@link #resigned} drops it, and writes
 * go through the {@link OffsetsLog} the cluster gives ({@link #replicateThrough}).
 */
public final class GroupCoordinatorVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorVerticle.class);
    public static final String TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;
    /** Kafka's {@code offsets.load.buffer.size}. */
    private static final int LOAD_BUFFER_BYTES = 5 * 1024 * 1024;
    /** Kafka's {@code offsets.topic.segment.bytes}: smaller segments than data topics, so compaction can work. */
    private static final String SEGMENT_BYTES = "104857600";
    /** The topic's configs, as Kafka creates it. */
    public static final Map<String, String> TOPIC_CONFIGS = Map.of("cleanup.policy", "compact", "segment.bytes", SEGMENT_BYTES,
            "compression.type", "producer");

    private final LogService logs;
    private final GroupConfig config;
    private final Time time;
    private final boolean clustered;
    private volatile OffsetsLog out;
    /** Per partition, bumped on every election and resignation: a load of an older one stops. */
    private final Map<Integer, Integer> loads = new java.util.HashMap<>();
    private GroupCoordinator coordinator;
    private final Promise<Void> loadedPromise = Promise.promise();
    private volatile boolean stopping;

    public GroupCoordinatorVerticle(LogService logs, GroupConfig config, Time time) {
        this(logs, config, time, false);
    }

    /** {@code clustered}: no partition is owned until {@link #elected}; writes wait for {@link #replicateThrough}. */
    public GroupCoordinatorVerticle(LogService logs, GroupConfig config, Time time, boolean clustered) {
        this.logs = logs;
        this.config = config;
        this.time = time;
        this.clustered = clustered;
        this.out = clustered ? null : (tp, records) -> logs.append(tp, records, 0);
    }

    /** Cluster mode: the writes' way to the partition's ISR. */
    public void replicateThrough(OffsetsLog log) {
        this.out = log;
    }

    /**
     * This broker now leads {@code partition} of {@code __consumer_offsets} (of {@code partitions}): load its groups
     * from the local log, then serve them. Any thread.
     */
    public void elected(int partition, int partitions) {
        context.runOnContext(v -> {
            if (stopping) {
                return;
            }
            coordinator.setPartitionCount(partitions);
            if (!coordinator.beginLoading(partition)) {
                return;
            }
            int gen = loads.merge(partition, 1, Integer::sum);
            long start = System.nanoTime();
            TopicPartition tp = new TopicPartition(TOPIC, partition);
            loadPartition(tp, () -> loads.get(partition) == gen).onComplete(ar -> {
                if (loads.get(partition) != gen) {
                    return;
                }
                if (ar.failed()) {
                    LOG.error("loading {} failed; its groups stay unavailable here", tp, ar.cause());
                    coordinator.unload(partition);
                    return;
                }
                coordinator.finishLoading(partition);
                LOG.info("loaded {} in {} ms", tp, (System.nanoTime() - start) / 1_000_000);
            });
        });
    }

    /** This broker no longer leads {@code partition}: its groups go (their clients find the new coordinator). Any thread. */
    public void resigned(int partition) {
        context.runOnContext(v -> {
            loads.merge(partition, 1, Integer::sum);
            coordinator.unload(partition);
        });
    }

    Context context() {
        return context;
    }

    GroupCoordinator coordinator() {
        return coordinator;
    }

    /** Completes when the coordinator has replayed {@code __consumer_offsets} and answers requests. */
    public Future<Void> loaded() {
        return loadedPromise.future();
    }

    @Override
    public Future<?> start() {
        coordinator = new GroupCoordinator(config, time, new VertxScheduler(), this::append);
        if (clustered) {
            loadedPromise.complete(); // partitions load as this broker comes to lead them
            return Future.succeededFuture();
        }
        return ensureTopic().andThen(ar -> {
            if (ar.succeeded()) {
                coordinator.setPartitionCount(ar.result());
                for (int p = 0; p < ar.result(); p++) {
                    coordinator.beginLoading(p);
                }
                load(ar.result());
            }
        });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        if (coordinator != null) {
            coordinator.shutdown();
        }
        return Future.succeededFuture();
    }

    private Future<Integer> ensureTopic() {
        TopicInfo existing = logs.manager().topic(TOPIC);
        if (existing != null) {
            return Future.succeededFuture(existing.partitions());
        }
        return logs.createTopic(TOPIC, config.offsetsTopicPartitions(), TOPIC_CONFIGS, false)
                .map(TopicInfo::partitions)
                .recover(t -> t instanceof TopicExistsException
                        ? Future.succeededFuture(logs.manager().topic(TOPIC).partitions())
                        : Future.failedFuture(t));
    }

    private void load(int partitions) {
        long start = System.nanoTime();
        Future<Void> chain = Future.succeededFuture();
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(TOPIC, p);
            chain = chain.compose(v -> loadPartition(tp, () -> true));
        }
        chain.onComplete(ar -> {
            if (ar.failed()) {
                LOG.error("loading {} failed; group APIs stay unavailable", TOPIC, ar.cause());
                loadedPromise.tryFail(ar.cause());
                return;
            }
            if (stopping) {
                return;
            }
            coordinator.finishLoading();
            LOG.info("loaded {} ({} partitions) in {} ms", TOPIC, partitions, (System.nanoTime() - start) / 1_000_000);
            loadedPromise.tryComplete();
        });
    }

    /** Replays {@code tp} from its log start to its end (as leader: the log end, Kafka's LOG_END isolation). */
    private Future<Void> loadPartition(TopicPartition tp, java.util.function.BooleanSupplier current) {
        var log = logs.partition(tp);
        if (log == null) {
            return Future.failedFuture(new IllegalStateException(tp + " is missing"));
        }
        long end = log.logEndOffset();
        return readFrom(tp, log.logStartOffset(), end, current);
    }

    private Future<Void> readFrom(TopicPartition tp, long offset, long end, java.util.function.BooleanSupplier current) {
        if (offset >= end || stopping || !current.getAsBoolean()) {
            return Future.succeededFuture();
        }
        return logs.read(tp, offset, LOAD_BUFFER_BYTES, true)
                // Parsing touches the segment file: do it on a worker, apply the result here.
                .compose(info -> vertx.executeBlocking(() -> parse(info)))
                .compose(parsed -> {
                    if (!current.getAsBoolean()) {
                        return Future.succeededFuture(); // resigned meanwhile
                    }
                    for (ByteBuffer[] kv : parsed.records()) {
                        try {
                            coordinator.replay(kv[0], kv[1]);
                        } catch (RuntimeException e) {
                            // One unreadable record must not keep every group offline: skip it, loudly.
                            LOG.warn("skipping an unreadable record in {} while loading: {}", tp, e.toString());
                        }
                    }
                    if (parsed.nextOffset() <= offset) {
                        return Future.succeededFuture(); // nothing more to read
                    }
                    return readFrom(tp, parsed.nextOffset(), end, current);
                });
    }

    private record Parsed(List<ByteBuffer[]> records, long nextOffset) {
    }

    private static Parsed parse(FetchDataInfo info) {
        List<ByteBuffer[]> out = new ArrayList<>();
        long next = info.fetchOffset();
        for (RecordBatch batch : info.records().batches()) {
            next = batch.nextOffset();
            if (batch.isControlBatch()) {
                continue;
            }
            for (Record r : batch) {
                if (r.offset() < info.fetchOffset() || !r.hasKey()) {
                    continue;
                }
                out.add(new ByteBuffer[]{copy(r.key()), r.hasValue() ? copy(r.value()) : null});
            }
        }
        return new Parsed(out, next);
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }

    /** The store: one uncompressed batch per call, appended on the partition's owner, answered here. */
    private void append(int partition, List<CoordinatorRecords.KeyValue> records, Consumer<Throwable> done) {
        long now = time.milliseconds();
        SimpleRecord[] batch = new SimpleRecord[records.size()];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new SimpleRecord(now, records.get(i).key(), records.get(i).value());
        }
        MemoryRecords memory = MemoryRecords.withRecords(Compression.NONE, batch);
        OffsetsLog log = out;
        if (log == null) {
            done.accept(new org.apache.kafka.common.errors.NotLeaderOrFollowerException("not attached to the cluster yet"));
            return;
        }
        log.append(new TopicPartition(TOPIC, partition), memory)
                .onComplete(ar -> done.accept(ar.succeeded() ? null : ar.cause()));
    }

    /** Vert.x timers set from this verticle's context, so tasks run on it. */
    private final class VertxScheduler implements Scheduler {
        @Override
        public long schedule(long delayMs, Runnable task) {
            return vertx.setTimer(Math.max(1, delayMs), id -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("group coordinator timer task failed", e);
                }
            });
        }

        @Override
        public void cancel(long handle) {
            if (handle >= 0) {
                vertx.cancelTimer(handle);
            }
        }
    }
}
