package io.tributary.kafka;

import org.apache.kafka.common.protocol.Errors;

/**
 * Whether this broker may serve a partition as its leader, with the errors Kafka answers so clients refresh
 * their metadata and retry: NOT_LEADER_OR_FOLLOWER when another broker leads (or none does),
 * FENCED_LEADER_EPOCH when the client's leader epoch is older than the partition's, UNKNOWN_LEADER_EPOCH when
 * it is newer (this broker has not heard of that epoch yet). On a single node this node leads every partition
 * at epoch 0.
 */
public final class Leadership {
    private Leadership() {
    }

    /**
     * @param currentLeaderEpoch the epoch the client believes current, -1 if it sent none
     * @return {@link Errors#NONE} when this broker leads the partition at that epoch
     */
    public static Errors check(KafkaBroker broker, String topic, int partition, int currentLeaderEpoch) {
        if (!broker.clustered()) {
            return currentLeaderEpoch > 0 ? Errors.UNKNOWN_LEADER_EPOCH : Errors.NONE;
        }
        ClusterMetadata.Partition p = broker.cluster().image().partition(topic, partition);
        if (p == null) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (p.leader() != broker.nodeId()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch < p.leaderEpoch()) {
            return Errors.FENCED_LEADER_EPOCH;
        }
        if (currentLeaderEpoch > p.leaderEpoch()) {
            return Errors.UNKNOWN_LEADER_EPOCH;
        }
        return Errors.NONE;
    }

    /** The leader epoch this broker stamps on batches it appends as leader (0 on a single node). */
    public static int epoch(KafkaBroker broker, String topic, int partition) {
        if (!broker.clustered()) {
            return 0;
        }
        ClusterMetadata.Partition p = broker.cluster().image().partition(topic, partition);
        return p == null ? 0 : Math.max(0, p.leaderEpoch());
    }
}
