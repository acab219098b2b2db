package io.tributary.client.kafka.internal;

import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.ConsumerOptions;
import io.tributary.client.kafka.ConsumerRecord;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-broker fetch loop of a {@link FetchStream}: one Fetch request in flight per broker (long-polling up to
 * {@code maxWaitMs}), the response decoded into the partitions' buffers (CRC checked, control batches skipped),
 * {@code OFFSET_OUT_OF_RANGE} answered by {@code auto.offset.reset}, and retriable errors (a leader moved, a broker
 * gone) answered by refreshing the topic's metadata after the retry backoff. Which partitions to fetch and how many
 * bytes to ask is the stream's decision (demand); this class only carries it out. On the client's loop only.
 */
final class Fetcher {
    /** What the fetch loop reports to its stream. */
    interface Host {
        boolean isDone();

        void fail(Throwable error);

        FetchPartition partition(TopicPartition tp);

        Collection<FetchPartition> partitions();

        /** {@code records} records of {@code bytes} were appended to {@code ps}'s buffer. */
        void buffered(FetchPartition ps, int records, long bytes);

        /** A fetch, reset or refresh finished: emit what can be, fetch what is wanted. */
        void progressed();
    }

    private final KafkaCluster cluster;
    private final Loop loop;
    private final ConsumerOptions options;
    private final Host host;
    private final Set<Integer> brokersFetching = new HashSet<>();
    private final Set<String> refreshing = new HashSet<>();

    Fetcher(KafkaCluster cluster, ConsumerOptions options, Host host) {
        this.cluster = cluster;
        this.loop = cluster.loop();
        this.options = options;
        this.host = host;
    }

    /** True if a fetch to {@code leader} is in flight (a broker gets one at a time). */
    boolean busy(int leader) {
        return brokersFetching.contains(leader);
    }

    /** Takes the leader and topic id of a new partition from the current metadata, or refreshes it. */
    void locate(FetchPartition ps) {
        MetadataImage.TopicMeta meta = cluster.image().topic(ps.tp.topic());
        MetadataImage.PartitionMeta pm = meta == null ? null : meta.partition(ps.tp.partition());
        if (pm != null && pm.leader() >= 0) {
            ps.leader = pm.leader();
            ps.topicId = meta.topicId();
        } else {
            markStale(ps);
        }
    }

    /** Fetches {@code ps} (all led by {@code leader}), asking up to {@code partitionBytes} of each. */
    void fetch(int leader, List<FetchPartition> ps, int partitionBytes) {
        brokersFetching.add(leader);
        for (FetchPartition p : ps) {
            p.fetching = true;
        }
        Map<String, FetchRequestData.FetchTopic> topics = new LinkedHashMap<>();
        for (FetchPartition p : ps) {
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
                for (FetchPartition p : ps) {
                    if (p.topicId == null || Uuid.ZERO_UUID.equals(p.topicId)) {
                        return Future.<FetchResponseData>failedFuture(
                                Errors.UNKNOWN_TOPIC_ID.exception("no topic id known for " + p.tp));
                    }
                }
            }
            return c.<FetchResponseData>call(ApiKeys.FETCH, req);
        }).onComplete(ar -> {
            brokersFetching.remove(leader);
            for (FetchPartition p : ps) {
                p.fetching = false;
            }
            if (host.isDone()) {
                return;
            }
            if (ar.failed()) {
                if (KafkaCluster.isRetriable(ar.cause())) {
                    for (FetchPartition p : ps) {
                        markStale(p);
                    }
                } else {
                    host.fail(ar.cause());
                }
                return;
            }
            onResponse(ar.result(), ps);
            host.progressed();
        });
    }

    private void onResponse(FetchResponseData resp, List<FetchPartition> asked) {
        Errors top = Errors.forCode(resp.errorCode());
        if (top != Errors.NONE) {
            for (FetchPartition p : asked) {
                markStale(p);
            }
            return;
        }
        Map<Uuid, String> names = new HashMap<>();
        for (FetchPartition p : asked) {
            if (p.topicId != null) {
                names.put(p.topicId, p.tp.topic());
            }
        }
        for (FetchResponseData.FetchableTopicResponse t : resp.responses()) {
            String name = t.topic() != null && !t.topic().isEmpty() ? t.topic() : names.get(t.topicId());
            for (FetchResponseData.PartitionData pd : t.partitions()) {
                FetchPartition ps = host.partition(new TopicPartition(name, pd.partitionIndex()));
                if (ps == null || ps.removed || !asked.contains(ps)) {
                    continue; // removed (a revoked partition) while the fetch was out: its records are not ours
                }
                Errors err = Errors.forCode(pd.errorCode());
                if (err == Errors.NONE) {
                    append(ps, pd);
                } else if (err == Errors.OFFSET_OUT_OF_RANGE) {
                    reset(ps);
                } else if (err.exception() instanceof RetriableException) {
                    markStale(ps);
                } else {
                    host.fail(err.exception("fetch " + ps.tp + " at " + ps.position + ": " + err.message()));
                    return;
                }
            }
        }
    }

    private void append(FetchPartition ps, FetchResponseData.PartitionData pd) {
        if (!(pd.records() instanceof MemoryRecords records) || records.sizeInBytes() == 0) {
            return;
        }
        int added = 0;
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
                            batch.partitionLeaderEpoch(), bytes(r.key()), bytes(r.value()), headers(r), ps.acker);
                    ps.buffer.add(cr);
                    bytes += FetchPartition.size(cr);
                    added++;
                }
            }
            ps.position = batch.lastOffset() + 1;
        }
        if (added > 0) {
            host.buffered(ps, added, bytes);
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

    private void reset(FetchPartition ps) {
        String policy = options.autoOffsetReset();
        if (policy.equals("none")) {
            host.fail(new OffsetOutOfRangeException("offset " + ps.position + " of " + ps.tp + " is out of range"));
            return;
        }
        ps.resetting = true;
        long ts = policy.equals("latest") ? Offsets.LATEST : Offsets.EARLIEST;
        Offsets.list(cluster, ps.tp.topic(), List.of(ps.tp.partition()), ts).onComplete(ar -> {
            ps.resetting = false;
            if (ps.removed || host.isDone()) {
                return;
            }
            if (ar.failed()) {
                host.fail(ar.cause());
                return;
            }
            ps.position = ar.result().get(ps.tp.partition());
            host.progressed();
        });
    }

    private void markStale(FetchPartition ps) {
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
                    if (host.isDone()) {
                        return;
                    }
                    if (ar.failed()) {
                        if (KafkaCluster.isRetriable(ar.cause())
                                || ar.cause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                            refresh(topic);
                        } else {
                            host.fail(ar.cause());
                        }
                        return;
                    }
                    for (FetchPartition ps : host.partitions()) {
                        if (ps.tp.topic().equals(topic)) {
                            MetadataImage.PartitionMeta pm = ar.result().partition(ps.tp.partition());
                            if (pm == null) {
                                host.fail(Errors.UNKNOWN_TOPIC_OR_PARTITION.exception(ps.tp + " does not exist"));
                                return;
                            }
                            ps.leader = pm.leader();
                            ps.topicId = ar.result().topicId();
                            ps.stale = false;
                        }
                    }
                    host.progressed();
                }));
    }
}
