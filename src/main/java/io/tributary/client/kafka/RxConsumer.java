package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Flowable;
import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.internal.FetchStream;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.tributary.client.kafka.internal.Offsets;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A reactive Kafka consumer. Each subscription is its own stream with its own positions; demand drives fetching (see
 * {@link FetchStream}): a partition is fetched only while the subscriber has asked for more records than are
 * buffered, so a slow subscriber never makes the consumer buffer without bound.
 */
public final class RxConsumer {
    private final KafkaCluster cluster;
    private final Loop loop;
    private final ConsumerOptions options;
    private final Set<FetchStream> streams = new LinkedHashSet<>();

    RxConsumer(KafkaCluster cluster, ConsumerOptions options) {
        this.cluster = cluster;
        this.loop = cluster.loop();
        this.options = options;
    }

    /**
     * Reads {@code partitions} (no consumer group: nothing is committed) from {@code from}, until cancelled. Records
     * of one partition come in offset order; partitions are interleaved.
     */
    public Flowable<ConsumerRecord> assign(Collection<TopicPartition> partitions, StartFrom from) {
        List<TopicPartition> tps = List.copyOf(partitions);
        return Flowable.fromPublisher(down -> loop.run(() -> {
            FetchStream[] holder = new FetchStream[1];
            FetchStream s = new FetchStream(cluster, options, down, null, () -> streams.remove(holder[0]));
            holder[0] = s;
            streams.add(s);
            s.start();
            positions(tps, from).onComplete(ar -> {
                if (ar.failed()) {
                    streams.remove(s);
                    s.fail(ar.cause());
                    return;
                }
                for (TopicPartition tp : tps) {
                    s.add(tp, ar.result().get(tp));
                }
            });
        }));
    }

    /**
     * A member of consumer group {@code options.groupId()} subscribed to {@code topics}; it joins when its
     * {@link GroupConsumer#records()} is subscribed to.
     */
    public GroupConsumer group(GroupOptions options, Collection<String> topics) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a group subscription needs at least one topic");
        }
        return new GroupConsumer(cluster, this.options, options, List.copyOf(topics));
    }

    /** The start position of each partition for {@code from}. */
    Future<Map<TopicPartition, Long>> positions(List<TopicPartition> tps, StartFrom from) {
        if (from instanceof StartFrom.Offset o) {
            Map<TopicPartition, Long> m = new HashMap<>();
            tps.forEach(tp -> m.put(tp, o.offset()));
            return Future.succeededFuture(m);
        }
        long ts = from instanceof StartFrom.Timestamp t ? t.epochMs()
                : from instanceof StartFrom.Latest ? Offsets.LATEST : Offsets.EARLIEST;
        Map<String, List<Integer>> byTopic = new HashMap<>();
        tps.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition()));
        List<Future<Map<Integer, Long>>> fs = new ArrayList<>();
        List<String> topics = new ArrayList<>(byTopic.keySet());
        for (String t : topics) {
            fs.add(Offsets.list(cluster, t, byTopic.get(t), ts));
        }
        boolean byTime = from instanceof StartFrom.Timestamp;
        return Future.all(fs).compose(cf -> {
            Map<TopicPartition, Long> m = new HashMap<>();
            List<TopicPartition> noneThatLate = new ArrayList<>();
            for (int i = 0; i < topics.size(); i++) {
                Map<Integer, Long> r = cf.resultAt(i);
                for (Map.Entry<Integer, Long> e : r.entrySet()) {
                    TopicPartition tp = new TopicPartition(topics.get(i), e.getKey());
                    if (byTime && e.getValue() < 0) {
                        noneThatLate.add(tp); // no record that late: start at the end
                    } else {
                        m.put(tp, e.getValue());
                    }
                }
            }
            if (noneThatLate.isEmpty()) {
                return Future.succeededFuture(m);
            }
            return positions(noneThatLate, StartFrom.latest()).map(ends -> {
                m.putAll(ends);
                return m;
            });
        });
    }

    /** Records fetched and not yet emitted, over every stream of this consumer (read on the client's loop). */
    public long bufferedRecords() {
        loop.check();
        return streams.stream().mapToLong(FetchStream::bufferedRecords).sum();
    }

    /** Bytes of records fetched and not yet emitted, over every stream (read on the client's loop). */
    public long bufferedBytes() {
        loop.check();
        return streams.stream().mapToLong(FetchStream::bufferedBytes).sum();
    }
}
