package io.tributary.client.kafka.internal;

import io.vertx.core.Future;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** ListOffsets for a topic's partitions, each sent to its leader. */
public final class Offsets {
    /** Kafka's special timestamps for ListOffsets. */
    public static final long EARLIEST = -2L;
    public static final long LATEST = -1L;

    private Offsets() {
    }

    /**
     * The offset per partition for {@code timestamp} (EARLIEST, LATEST, or the first offset whose timestamp is at
     * least it; {@code -1} when no record is that late). Retried through metadata refreshes on leader moves.
     */
    public static Future<Map<Integer, Long>> list(KafkaCluster cluster, String topic, List<Integer> partitions,
                                                  long timestamp) {
        long deadline = System.nanoTime() + cluster.options().requestTimeoutMs() * 1_000_000L;
        return cluster.retrying(deadline, () -> cluster.topicWithLeaders(topic).compose(meta -> {
            Map<Integer, List<Integer>> byLeader = new HashMap<>();
            for (int p : partitions) {
                MetadataImage.PartitionMeta pm = meta.partition(p);
                if (pm == null) {
                    return Future.failedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION.exception(topic + "-" + p));
                }
                byLeader.computeIfAbsent(pm.leader(), k -> new ArrayList<>()).add(p);
            }
            List<Future<Map<Integer, Long>>> parts = new ArrayList<>();
            for (Map.Entry<Integer, List<Integer>> e : byLeader.entrySet()) {
                parts.add(cluster.node(e.getKey()).compose(c -> {
                    List<ListOffsetsRequestData.ListOffsetsPartition> ps = new ArrayList<>();
                    for (int p : e.getValue()) {
                        ps.add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(p)
                                .setTimestamp(timestamp).setCurrentLeaderEpoch(-1));
                    }
                    ListOffsetsRequestData req = new ListOffsetsRequestData().setReplicaId(-1).setIsolationLevel((byte) 0)
                            .setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic)
                                    .setPartitions(ps)));
                    return c.<ListOffsetsResponseData>call(ApiKeys.LIST_OFFSETS, req);
                }).compose(resp -> {
                    Map<Integer, Long> out = new HashMap<>();
                    for (ListOffsetsResponseData.ListOffsetsTopicResponse t : resp.topics()) {
                        for (ListOffsetsResponseData.ListOffsetsPartitionResponse p : t.partitions()) {
                            Errors err = Errors.forCode(p.errorCode());
                            if (err != Errors.NONE) {
                                return Future.failedFuture(err.exception("ListOffsets " + topic + "-"
                                        + p.partitionIndex() + ": " + err));
                            }
                            out.put(p.partitionIndex(), p.offset());
                        }
                    }
                    return Future.succeededFuture(out);
                }));
            }
            return Future.all(parts).map(cf -> {
                Map<Integer, Long> all = new HashMap<>();
                for (int i = 0; i < parts.size(); i++) {
                    all.putAll(cf.<Map<Integer, Long>>resultAt(i));
                }
                return all;
            });
        }));
    }
}
