package io.tributary.log;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The asynchronous face of the log engine for front doors. Every partition has exactly one owner
 * ({@link LogVerticle}, chosen by hashing the partition), and every call that touches a partition runs
 * on that owner's event loop, so the append path takes no locks. Results come back on the caller's
 * context. Catalog changes (create/delete topics, partitions, configs) do file I/O and run on workers.
 * Thread-safe.
 */
public final class LogService {
    private static final Logger LOG = LoggerFactory.getLogger(LogService.class);

    private final Vertx vertx;
    private final LogManager manager;
    private final List<LogVerticle> owners = new ArrayList<>();
    private final int ownerCount;
    private final Map<TopicPartition, Set<Runnable>> appendWatchers = new ConcurrentHashMap<>();
    /** Broker configuration layers, the settings the timers read, dynamic changes. */
    private final LogBrokerConfig brokerConfig;
    private long hwCheckpointTimer = -1;
    private final LogTransactions transactions = new LogTransactions(this);

    public LogService(Vertx vertx, LogManager manager, int ownerCount) {
        this(vertx, manager, ownerCount, BrokerConfigLayers.ofStatic(Map.of()), null);
    }

    /**
     * @param brokerConfig      the broker configuration layers the manager's defaults were built from
     * @param brokerConfigStore where dynamic broker configuration is persisted; null refuses changes
     */
    public LogService(Vertx vertx, LogManager manager, int ownerCount, BrokerConfigLayers brokerConfig,
                      DynamicBrokerConfigStore brokerConfigStore) {
        this.vertx = vertx;
        this.manager = manager;
        this.ownerCount = Math.max(1, ownerCount);
        this.brokerConfig = new LogBrokerConfig(vertx, manager, brokerConfig, brokerConfigStore);
    }

    Time time() {
        return manager.time();
    }

    /** Kafka's log.retention.check.interval.ms (a static broker setting, default 5 minutes). */
    long retentionCheckIntervalMs() {
        return brokerConfig.millis("log.retention.check.interval.ms", 300_000L);
    }

    /** Kafka's log.initial.task.delay.ms: how long after start the first retention check waits (30 s). */
    long initialTaskDelayMs() {
        return brokerConfig.millis("log.initial.task.delay.ms", 30_000L);
    }

    /** The broker configuration layers now in force (static, cluster default, this node). */
    public BrokerConfigLayers brokerConfig() {
        return brokerConfig.layers();
    }

    /**
     * Replaces one dynamic layer of the broker configuration (this node's, or the cluster-wide default)
     * with {@code dynamic}, checked as a Kafka broker checks it ({@link BrokerConfigDef#validateDynamic}: only
     * the topic defaults may change at runtime, each value against Kafka's broker definition). The new topic
     * defaults are then validated against every topic, persisted, and applied to every partition. A refused
     * layer fails with INVALID_REQUEST and the checker's message, as Kafka answers (KAFKA-13609 keeps it so).
     * Runs on a worker; changes are serialized.
     */
    public Future<Void> alterBrokerConfig(boolean clusterWide, Map<String, String> dynamic, boolean validateOnly) {
        return brokerConfig.alter(clusterWide, dynamic, validateOnly);
    }

    /** Deploys the owner verticles; the log manager must already be started. */
    public Future<Void> start() {
        List<Future<?>> deployments = new ArrayList<>();
        for (int i = 0; i < ownerCount; i++) {
            LogVerticle owner = new LogVerticle(this, i);
            owners.add(owner);
            deployments.add(vertx.deployVerticle(owner));
        }
        // Kafka's replica.high.watermark.checkpoint.interval.ms; a no-op while every HW follows its log end
        hwCheckpointTimer = vertx.setPeriodic(brokerConfig.millis("replica.high.watermark.checkpoint.interval.ms", 5_000L), id ->
            vertx.executeBlocking(() -> {
                manager.checkpointHighWatermarks();
                return null;
            }, false).onFailure(e -> LOG.warn("replication-offset-checkpoint write failed: {}", e.toString())));
        return Future.all(deployments).mapEmpty();
    }

    /** Undeploys the owners after letting every task already queued on them finish. */
    public Future<Void> stop() {
        if (hwCheckpointTimer >= 0) {
            vertx.cancelTimer(hwCheckpointTimer);
        }
        List<Future<?>> undeployments = new ArrayList<>();
        for (LogVerticle owner : owners) {
            Promise<Void> drained = Promise.promise();
            owner.context().runOnContext(v -> drained.complete());
            undeployments.add(drained.future().compose(v -> vertx.undeploy(owner.deploymentID())));
        }
        return Future.all(undeployments).mapEmpty();
    }

    public LogManager manager() {
        return manager;
    }

    int ownerCount() {
        return ownerCount;
    }

    int ownerOf(TopicPartition tp) {
        return Math.floorMod(tp.hashCode(), ownerCount);
    }

    /** The partition's log for volatile reads (offsets); null if absent. Never mutate it from here. */
    public PartitionLog partition(TopicPartition tp) {
        return manager.partition(tp);
    }

    /**
     * Appends on the partition's owner. Completes once the batch is in the segment file, or, when the
     * append reached {@code flush.messages}, once the fsync it started on the I/O executor is done.
     */
    public Future<LogAppendInfo> append(TopicPartition tp, MemoryRecords records, int leaderEpoch) {
        return durable(tp, onOwner(tp, log -> {
            LogAppendInfo info = log.appendAsLeader(records, leaderEpoch);
            if (!info.duplicate()) {
                fireAppend(tp);
            }
            return new Appended(info, log.takeAppendFlush());
        }));
    }

    /** The transactional face of the log: markers, KIP-890 verification (see {@link LogTransactions}). */
    public LogTransactions transactions() {
        return transactions;
    }

    /** A follower's append, verbatim ({@link PartitionLog#appendAsFollower}) on the owner; completes as {@link #append} does. */
    public Future<LogAppendInfo> appendAsFollower(TopicPartition tp, MemoryRecords records) {
        return durable(tp, onOwner(tp, log -> {
            LogAppendInfo info = log.appendAsFollower(records);
            fireAppend(tp);
            return new Appended(info, log.takeAppendFlush());
        }));
    }

    Future<LogAppendInfo> durable(TopicPartition tp, Future<Appended> appended) {
        return appended.compose(a -> {
            if (a.flush() == null) {
                return Future.succeededFuture(a.info());
            }
            Promise<LogAppendInfo> durable = callerPromise();
            a.flush().whenComplete((offset, err) -> {
                if (err == null) {
                    durable.complete(a.info());
                } else {
                    durable.fail(new KafkaStorageException("fsync of " + tp + " failed: " + err.getMessage(), err));
                }
            });
            return durable.future();
        });
    }

    /** {@link PartitionLog#truncateTo} on the owner; completes with the new log end offset. */
    public Future<Long> truncateTo(TopicPartition tp, long offset, String reason) {
        return onOwner(tp, log -> log.truncateTo(offset, reason));
    }

    /** {@link PartitionLog#truncateFullyAndStartAt} on the owner. */
    public Future<Void> truncateFullyAndStartAt(TopicPartition tp, long offset, String reason) {
        return onOwner(tp, log -> {
            log.truncateFullyAndStartAt(offset, reason);
            return null;
        });
    }

    /** Follower: the leader's log start ({@link PartitionLog#maybeIncrementLogStartOffset}) on the owner; whether it moved. */
    public Future<Boolean> maybeIncrementLogStartOffset(TopicPartition tp, long leaderLogStartOffset) {
        return onOwner(tp, log -> log.maybeIncrementLogStartOffset(leaderLogStartOffset));
    }

    /** {@link PartitionLog#setHighWatermarkFollowsLogEnd} on the owner. */
    public Future<Void> setHighWatermarkFollowsLogEnd(TopicPartition tp, boolean follows) {
        return onOwner(tp, log -> {
            log.setHighWatermarkFollowsLogEnd(follows);
            return null;
        });
    }

    /** Leader: raises the HW ({@link PartitionLog#updateHighWatermark}) on the owner; a move wakes the append watchers. */
    public Future<Long> updateHighWatermark(TopicPartition tp, long hw) {
        return onOwner(tp, log -> {
            if (log.updateHighWatermark(hw)) fireAppend(tp);
            return log.highWatermark();
        });
    }

    /** Follower: HW = min(leader's, log end) ({@link PartitionLog#followerHighWatermark}) on the owner. */
    public Future<Long> followerHighWatermark(TopicPartition tp, long leaderHighWatermark) {
        return onOwner(tp, log -> log.followerHighWatermark(leaderHighWatermark));
    }

    /** OffsetForLeaderEpoch ({@link PartitionLog#endOffsetForEpoch}) on the owner. */
    public Future<LeaderEpochFileCache.EpochAndOffset> endOffsetForEpoch(TopicPartition tp, int leaderEpoch) {
        return onOwner(tp, log -> log.endOffsetForEpoch(leaderEpoch));
    }

    record Appended(LogAppendInfo info, java.util.concurrent.CompletableFuture<Long> flush) {
    }

    public Future<FetchDataInfo> read(TopicPartition tp, long offset, int maxBytes, boolean minOneMessage) {
        return onOwner(tp, log -> log.read(offset, maxBytes, minOneMessage));
    }

    /** A read up to the high watermark (consumers), the last stable offset (read_committed) or the log end (replica fetches). */
    public Future<FetchDataInfo> read(TopicPartition tp, long offset, int maxBytes, boolean minOneMessage, FetchIsolation isolation) {
        return onOwner(tp, log -> log.read(offset, maxBytes, minOneMessage, isolation));
    }

    /**
     * Like {@link #read}, but the batches are copied from the segment into heap memory on a worker, for a
     * front door that decodes records itself (the HTTP tails) rather than sending file regions. At most
     * {@code maxBytes} (or one batch when that is larger and {@code minOneMessage}).
     */
    public Future<MemoryRecords> readToHeap(TopicPartition tp, long offset, int maxBytes, boolean minOneMessage) {
        return read(tp, offset, maxBytes, minOneMessage).compose(info -> {
            if (info.channel() == null || info.sizeInBytes() == 0) {
                return Future.succeededFuture(MemoryRecords.EMPTY);
            }
            return vertx.executeBlocking(() -> {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(info.sizeInBytes());
                long pos = info.filePosition();
                while (buf.hasRemaining()) {
                    int n = info.channel().read(buf, pos + buf.position());
                    if (n < 0) {
                        break;
                    }
                }
                buf.flip();
                return MemoryRecords.readableRecords(buf);
            }, false);
        });
    }

    public Future<Optional<FileRecords.TimestampAndOffset>> offsetForTimestamp(TopicPartition tp, long timestamp) {
        return onOwner(tp, log -> log.offsetForTimestamp(timestamp));
    }

    /** As above, below the last stable offset for a read_committed ListOffsets ({@link FetchIsolation#TXN_COMMITTED}). */
    public Future<Optional<FileRecords.TimestampAndOffset>> offsetForTimestamp(TopicPartition tp, long timestamp, FetchIsolation isolation) {
        return onOwner(tp, log -> log.offsetForTimestamp(timestamp, isolation));
    }

    /**
     * Registers a callback run (on the partition's owner thread) after each append to the partition.
     * The callback must only hand off to its own context. Remove it with the returned handle.
     */
    public Runnable watchAppends(TopicPartition tp, Runnable callback) {
        appendWatchers.computeIfAbsent(tp, k -> ConcurrentHashMap.newKeySet()).add(callback);
        return () -> {
            Set<Runnable> set = appendWatchers.get(tp);
            if (set != null) {
                set.remove(callback);
            }
        };
    }

    void fireAppend(TopicPartition tp) {
        Set<Runnable> set = appendWatchers.get(tp);
        if (set != null && !set.isEmpty()) {
            for (Runnable r : set) {
                r.run();
            }
        }
    }

    public Future<TopicInfo> createTopic(String name, int partitions, Map<String, String> configs, boolean validateOnly) {
        return vertx.executeBlocking(() -> manager.createTopic(name, partitions, configs, validateOnly));
    }

    /** A topic whose id was decided elsewhere (a cluster's metadata), so every replica has the same id. */
    public Future<TopicInfo> createTopic(String name, org.apache.kafka.common.Uuid topicId, int partitions,
                                         Map<String, String> configs) {
        return vertx.executeBlocking(() -> manager.createTopic(name, topicId, partitions, configs, false));
    }

    /** Removes the topic from the catalog, then closes and deletes each partition on its owner. */
    public Future<Void> deleteTopic(String name) {
        return vertx.executeBlocking(() -> manager.deleteTopic(name)).compose(logs -> {
            List<Future<?>> closes = new ArrayList<>();
            for (PartitionLog log : logs) {
                closes.add(onOwnerLog(log, l -> {
                    appendWatchers.remove(l.topicPartition());
                    l.closeAndDelete();
                    return null;
                }));
            }
            return Future.all(closes).mapEmpty();
        });
    }

    public Future<Void> createPartitions(String name, int totalCount, boolean validateOnly) {
        return vertx.<List<PartitionLog>>executeBlocking(() -> manager.createPartitions(name, totalCount, validateOnly)).mapEmpty();
    }

    public Future<TopicInfo> alterTopicConfig(String name, Map<String, String> overrides, boolean validateOnly) {
        return vertx.executeBlocking(() -> manager.alterTopicConfig(name, overrides, validateOnly));
    }

    interface LogTask<T> {
        T run(PartitionLog log) throws Exception;
    }

    <T> Future<T> onOwner(TopicPartition tp, LogTask<T> task) {
        PartitionLog log = manager.partition(tp);
        if (log == null) {
            return Future.failedFuture(new UnknownTopicOrPartitionException("This server does not host this topic-partition: " + tp));
        }
        return onOwnerLog(log, task);
    }

    private <T> Future<T> onOwnerLog(PartitionLog log, LogTask<T> task) {
        Promise<T> promise = callerPromise();
        Context owner = owners.get(ownerOf(log.topicPartition())).context();
        owner.runOnContext(v -> {
            try {
                promise.complete(task.run(log));
            } catch (IOException e) {
                LOG.error("I/O error on partition {}", log.topicPartition(), e);
                promise.fail(new KafkaStorageException("I/O error on " + log.topicPartition() + ": " + e.getMessage(), e));
            } catch (Throwable t) {
                promise.fail(t);
            }
        });
        return promise.future();
    }

    /** A promise whose listeners run on the calling context (or a fresh one off Vert.x threads). */
    private <T> Promise<T> callerPromise() {
        ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
        return caller.promise();
    }

    /** Runs periodic maintenance for the owner's partitions; called on that owner's event loop. */
    void tickOwner(int ownerIndex, boolean retentionDue) {
        for (PartitionLog log : manager.allPartitions()) {
            if (ownerOf(log.topicPartition()) == ownerIndex) {
                try {
                    log.tick();
                    if (retentionDue) log.deleteOldSegments();
                } catch (RuntimeException e) {
                    LOG.error("maintenance failed on {}", log.topicPartition(), e);
                }
            }
        }
    }

}
