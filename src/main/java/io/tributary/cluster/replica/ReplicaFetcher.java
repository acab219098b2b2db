package io.tributary.cluster.replica;

import io.tributary.log.LeaderEpochFileCache;
import io.tributary.log.LogService;
import io.tributary.log.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A follower's fetcher for the partitions one leader broker leads (Kafka's {@code ReplicaFetcherThread}, as a
 * verticle): Fetch requests (v15, this broker's id in ReplicaState) over one {@link BrokerChannel} to the
 * leader's Kafka port, each partition fetched from this broker's log end offset with the leader epoch it
 * believes current and the epoch of its last record (KIP-320: the leader answers a diverging epoch when this
 * log went past where the leader's history forks, and the follower truncates there, never by high watermark
 * alone); records are appended verbatim with the leader's offsets, then the high watermark follows the
 * leader's and the log start moves up to the leader's. A partition the leader refuses (not leader, fenced or
 * unknown epoch) pauses until the replica manager hands it a new state.
 *
 * <p>Threading: this verticle's context; {@link #follow}/{@link #unfollow} from any thread hop there.
 */
public final class ReplicaFetcher extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);
    private static final short FETCH_VERSION = 15;
    private static final long BACKOFF_MS = 500;

    /** What to fetch for a partition: its topic id and the leader epoch the follower knows. */
    public record Follow(TopicPartition tp, Uuid topicId, int leaderEpoch) {
    }

    private final int self;
    private final int leaderId;
    private final String host;
    private final int port;
    private final LogService logs;
    private final Settings settings;
    private final Map<TopicPartition, Follow> partitions = new LinkedHashMap<>();
    private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
    private BrokerChannel channel;
    private boolean running;
    private boolean stopped;
    private long idleTimer = -1;

    /** Fetch settings (Kafka's replica.fetch.*). */
    public record Settings(int maxWaitMs, int minBytes, int maxBytes, int partitionMaxBytes, int maxResponseBytes) {
    }

    public ReplicaFetcher(int self, int leaderId, String host, int port, LogService logs, Settings settings) {
        this.self = self;
        this.leaderId = leaderId;
        this.host = host;
        this.port = port;
        this.logs = logs;
        this.settings = settings;
    }

    @Override
    public Future<?> start() {
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        if (channel != null) {
            channel.close();
        }
        return Future.succeededFuture();
    }

    public int leaderId() {
        return leaderId;
    }

    /** Starts (or updates) fetching a partition. */
    public void follow(Follow f) {
        context.runOnContext(v -> {
            Follow old = partitions.put(f.tp(), f);
            if (old == null || old.leaderEpoch() != f.leaderEpoch()) {
                pausedUntil.remove(f.tp());
                LOG.info("{}: following broker {} at leader epoch {} from offset {}", f.tp(), leaderId, f.leaderEpoch(),
                        logEnd(f.tp()));
            }
            kick();
        });
    }

    public void unfollow(TopicPartition tp) {
        context.runOnContext(v -> {
            partitions.remove(tp);
            pausedUntil.remove(tp);
        });
    }

    /** Whether this fetcher still has partitions (from its context). */
    public Future<Boolean> idle() {
        io.vertx.core.Promise<Boolean> p = io.vertx.core.Promise.promise();
        context.runOnContext(v -> p.complete(partitions.isEmpty()));
        return p.future();
    }

    private void kick() {
        if (!running && !stopped) {
            running = true;
            if (idleTimer >= 0) {
                vertx.cancelTimer(idleTimer);
                idleTimer = -1;
            }
            loop();
        }
    }

    private void loop() {
        if (stopped) {
            return;
        }
        long now = System.currentTimeMillis();
        Map<TopicPartition, FetchRequest.PartitionData> fetch = new LinkedHashMap<>();
        for (Follow f : partitions.values()) {
            Long until = pausedUntil.get(f.tp());
            PartitionLog log = logs.partition(f.tp());
            if ((until != null && until > now) || log == null) {
                continue;
            }
            int lastEpoch = log.latestEpoch();
            fetch.put(f.tp(), new FetchRequest.PartitionData(f.topicId(), log.logEndOffset(), log.logStartOffset(),
                    settings.partitionMaxBytes(), Optional.of(f.leaderEpoch()),
                    lastEpoch < 0 ? Optional.empty() : Optional.of(lastEpoch)));
        }
        if (fetch.isEmpty()) {
            running = false;
            if (!partitions.isEmpty()) {
                idleTimer = vertx.setTimer(BACKOFF_MS, t -> {
                    idleTimer = -1;
                    kick();
                });
            }
            return;
        }
        connected().compose(ch -> ch.send(FetchRequest.Builder.forReplica(FETCH_VERSION, self, -1, settings.maxWaitMs(),
                        settings.minBytes(), fetch).setMaxBytes(settings.maxBytes()).build(FETCH_VERSION)))
                .compose(r -> handle((FetchResponse) r, fetch))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        LOG.debug("fetch from broker {} failed: {}", leaderId, ar.cause().toString());
                        if (channel != null) {
                            channel.close();
                            channel = null;
                        }
                        vertx.setTimer(BACKOFF_MS, t -> loop());
                    } else {
                        loop();
                    }
                });
    }

    private Future<BrokerChannel> connected() {
        if (channel != null && channel.open()) {
            return Future.succeededFuture(channel);
        }
        BrokerChannel ch = new BrokerChannel(vertx, host, port, "tributary-replica-" + self, settings.maxResponseBytes());
        channel = ch;
        return ch.connect(10_000).map(v -> ch);
    }

    private Future<Void> handle(FetchResponse response, Map<TopicPartition, FetchRequest.PartitionData> asked) {
        if (response.error() != Errors.NONE) {
            return Future.failedFuture(response.error().exception());
        }
        Map<Uuid, String> names = new HashMap<>();
        asked.forEach((tp, pd) -> names.put(pd.topicId, tp.topic()));
        Future<Void> chain = Future.succeededFuture();
        for (FetchResponseData.FetchableTopicResponse t : response.data().responses()) {
            String topic = t.topic() != null && !t.topic().isEmpty() ? t.topic() : names.get(t.topicId());
            if (topic == null) {
                continue;
            }
            for (FetchResponseData.PartitionData pd : t.partitions()) {
                TopicPartition tp = new TopicPartition(topic, pd.partitionIndex());
                if (partitions.containsKey(tp)) {
                    chain = chain.compose(v -> partition(tp, asked.get(tp), pd).recover(e -> {
                        LOG.warn("{}: cannot apply the fetch from broker {}: {}", tp, leaderId, e.toString());
                        pause(tp);
                        return Future.succeededFuture();
                    }));
                }
            }
        }
        return chain;
    }

    private Future<Void> partition(TopicPartition tp, FetchRequest.PartitionData asked, FetchResponseData.PartitionData pd) {
        Errors error = Errors.forCode(pd.errorCode());
        if (error == Errors.OFFSET_OUT_OF_RANGE) {
            if (asked.fetchOffset < pd.logStartOffset()) {
                return logs.truncateFullyAndStartAt(tp, pd.logStartOffset(), "the leader's log starts at "
                        + pd.logStartOffset() + ", after this replica's end " + asked.fetchOffset);
            }
            LOG.warn("{}: broker {} says offset {} is out of range (its log starts at {})", tp, leaderId,
                    asked.fetchOffset, pd.logStartOffset());
            pause(tp);
            return Future.succeededFuture();
        }
        if (error != Errors.NONE) {
            // Not (or no longer) the leader at our epoch: wait for the new partition state.
            LOG.debug("{}: broker {} refused the fetch: {}", tp, leaderId, error);
            pause(tp);
            return Future.succeededFuture();
        }
        FetchResponseData.EpochEndOffset diverging = pd.divergingEpoch();
        if (FetchResponse.isDivergingEpoch(pd)) {
            return logs.endOffsetForEpoch(tp, diverging.epoch()).compose(mine -> {
                long to = truncationOffset(diverging, mine);
                return logs.truncateTo(tp, to, "the leader's log diverges after epoch " + diverging.epoch()
                        + " at offset " + diverging.endOffset() + " (leader " + leaderId + ")").mapEmpty();
            });
        }
        MemoryRecords records = pd.records() instanceof MemoryRecords m ? m : MemoryRecords.EMPTY;
        Future<?> appended = records.sizeInBytes() > 0 ? logs.appendAsFollower(tp, records) : Future.succeededFuture();
        return appended.compose(v -> logs.followerHighWatermark(tp, pd.highWatermark()))
                .compose(v -> logs.maybeIncrementLogStartOffset(tp, pd.logStartOffset()))
                .mapEmpty();
    }

    /**
     * Where to truncate when the leader says our log diverges (Kafka's follower rule): the leader's end offset
     * for that epoch, or our own end for it when that is smaller (our epoch-end is where our records of that
     * epoch stop; anything after either bound is not the leader's history).
     */
    static long truncationOffset(FetchResponseData.EpochEndOffset leader, LeaderEpochFileCache.EpochAndOffset mine) {
        if (mine == null || mine.epoch() < 0) {
            return leader.endOffset();
        }
        return Math.min(leader.endOffset(), mine.endOffset());
    }

    private void pause(TopicPartition tp) {
        pausedUntil.put(tp, System.currentTimeMillis() + BACKOFF_MS);
    }

    private long logEnd(TopicPartition tp) {
        PartitionLog log = logs.partition(tp);
        return log == null ? -1 : log.logEndOffset();
    }
}
