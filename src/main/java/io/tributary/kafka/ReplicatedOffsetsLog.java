package io.tributary.kafka;

import io.tributary.group.GroupCoordinatorVerticle;
import io.tributary.group.GroupService;
import io.tributary.group.OffsetsLog;
import io.tributary.log.LogService;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The group coordinator on a cluster, as Kafka runs it: a broker coordinates the groups of the
 * {@code __consumer_offsets} partitions it leads (told by the cluster's leadership changes), and its writes are
 * appended as that partition's leader, with the leader epoch, and acknowledged once the ISR has them (acks=-1,
 * {@code offsets.commit.timeout.ms}), failing with NOT_LEADER_OR_FOLLOWER when another broker leads.
 */
public final class ReplicatedOffsetsLog implements OffsetsLog, ClusterMetadata.LeadershipListener {
    private final int nodeId;
    private final ClusterMetadata cluster;
    private final LogService logs;
    private final GroupService groups;
    private final long commitTimeoutMs;

    public ReplicatedOffsetsLog(int nodeId, ClusterMetadata cluster, LogService logs, GroupService groups, long commitTimeoutMs) {
        this.nodeId = nodeId;
        this.cluster = cluster;
        this.logs = logs;
        this.groups = groups;
        this.commitTimeoutMs = commitTimeoutMs;
    }

    @Override
    public Future<?> append(TopicPartition tp, MemoryRecords records) {
        ClusterMetadata.Partition p = cluster.image().partition(tp.topic(), tp.partition());
        TopicInfo info = logs.manager().topic(tp.topic());
        if (p == null || p.leader() != nodeId || info == null) {
            return Future.failedFuture(new NotLeaderOrFollowerException("this broker does not lead " + tp));
        }
        return logs.append(tp, records, Math.max(0, p.leaderEpoch()))
                .compose(a -> cluster.awaitReplicated(tp, a.lastOffset() + 1, info.config().minInsyncReplicas(), commitTimeoutMs))
                .compose(e -> e == Errors.NONE ? Future.succeededFuture() : Future.failedFuture(e.exception()));
    }

    @Override
    public void elected(TopicPartition tp, int leaderEpoch) {
        if (!tp.topic().equals(GroupCoordinatorVerticle.TOPIC)) {
            return;
        }
        ClusterMetadata.Topic t = cluster.image().topic(tp.topic());
        if (t != null) {
            groups.elected(tp.partition(), t.partitions().size());
        }
    }

    @Override
    public void deleted(String topic) {
        groups.call(c -> c.deleteOffsetsOfTopic(topic));
    }

    @Override
    public void resigned(TopicPartition tp) {
        if (tp.topic().equals(GroupCoordinatorVerticle.TOPIC)) {
            groups.resigned(tp.partition());
        }
    }
}
