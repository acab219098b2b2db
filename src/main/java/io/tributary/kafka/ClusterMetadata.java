package io.tributary.kafka;

import io.vertx.core.Future;
import org.apache.kafka.common.Uuid;

import java.util.List;
import java.util.Map;

/**
 * The Kafka front door's seam to a cluster's metadata (cluster mode; absent on a single node, where this node
 * is the only broker, the controller and the leader of every partition). Implemented by the cluster package
 * from Kafka's znodes in the coordination service; handlers read an immutable {@link Image} from any thread.
 */
public interface ClusterMetadata {
    /** A registered (live) broker: {@code /brokers/ids/N}. */
    record Broker(int id, String host, int port, String rack) {
    }

    /**
     * One partition's state: {@code /brokers/topics/T/partitions/P/state}; {@code leader} -1 when it has none
     * (or no state yet: then {@code leaderEpoch} is -1 too).
     */
    record Partition(int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {
        public boolean hasReplica(int broker) {
            return replicas.contains(broker);
        }
    }

    /** A topic: its id and partitions in index order ({@code /brokers/topics/T}). */
    record Topic(String name, Uuid id, List<Partition> partitions, Map<String, String> configs) {
    }

    /**
     * What this broker knows of the cluster at one moment: the live brokers, the controller (-1 if none), the
     * topics. Never changes once published.
     */
    record Image(String clusterId, int controllerId, Map<Integer, Broker> brokers, Map<String, Topic> topics) {
        public Topic topic(String name) {
            return topics.get(name);
        }

        public Partition partition(String topic, int partition) {
            Topic t = topics.get(topic);
            return t == null || partition < 0 || partition >= t.partitions().size() ? null : t.partitions().get(partition);
        }

        public Topic topicById(Uuid id) {
            for (Topic t : topics.values()) {
                if (t.id().equals(id)) {
                    return t;
                }
            }
            return null;
        }
    }

    /** The newest image this broker has; any thread. */
    Image image();

    /**
     * Writes a topic's replica assignment and configs to the cluster (any broker may, as in Kafka's ZooKeeper
     * mode), then waits, up to {@code timeoutMs}, until every partition has a leader in this broker's image.
     * Fails with Kafka's exceptions (TopicExistsException, InvalidReplicationFactorException, ...).
     *
     * @param assignment partition → replicas, or null to assign {@code replicationFactor} replicas per partition
     */
    Future<Topic> createTopic(String name, int partitions, int replicationFactor, Map<Integer, List<Integer>> assignment,
                              Map<String, String> configs, boolean validateOnly, long timeoutMs);

    /**
     * Adds partitions to a topic (its assignment rewritten with the znode's version), then waits as
     * {@link #createTopic} does. {@code assignments}: the new partitions' replicas, or null to assign them.
     */
    Future<Void> createPartitions(String name, int totalCount, List<List<Integer>> assignments, boolean validateOnly,
                                  long timeoutMs);

    /**
     * Replaces a topic's config overrides in the cluster ({@code /config/topics/T}, Kafka's JSON); every broker
     * applies them to its local log when it sees the change.
     */
    Future<Void> alterTopicConfig(String name, Map<String, String> overrides);

    /** Removes a topic from the cluster's metadata; every broker then deletes its local logs. */
    Future<Void> deleteTopic(String name, long timeoutMs);

    /**
     * Leader side of replication: follower {@code replicaId} fetched {@code tp} from {@code fetchOffset} (its log
     * end offset), which may advance the high watermark and the ISR. Any thread.
     */
    void followerFetched(int replicaId, org.apache.kafka.common.TopicPartition tp, long fetchOffset);

    /**
     * Produce with acks=all, after the leader's append: completes with NONE once the high watermark reaches
     * {@code requiredOffset} (the offset after the appended records) and the ISR has {@code minIsr} members,
     * NOT_ENOUGH_REPLICAS_AFTER_APPEND when it has fewer then, REQUEST_TIMED_OUT after {@code timeoutMs},
     * NOT_LEADER_OR_FOLLOWER when this broker stops leading meanwhile.
     */
    Future<org.apache.kafka.common.protocol.Errors> awaitReplicated(org.apache.kafka.common.TopicPartition tp,
                                                                    long requiredOffset, int minIsr, long timeoutMs);

    /**
     * Told when this broker starts leading a partition (or leads it again at a new leader epoch) and when it stops
     * (Kafka's {@code onLeadershipChange}: the group coordinator loads and unloads {@code __consumer_offsets}
     * partitions). Called on the cluster's context, in the order the changes happen; must not block.
     */
    interface LeadershipListener {
        void elected(org.apache.kafka.common.TopicPartition tp, int leaderEpoch);

        void resigned(org.apache.kafka.common.TopicPartition tp);

        /** A topic was deleted from the cluster: committed offsets of it go too (Kafka's {@code onPartitionsDeleted}). */
        default void deleted(String topic) {
        }
    }

    /**
     * ElectLeaders: preferred-replica elections, or with {@code unclean} unclean ones for leaderless partitions,
     * for {@code partitions} (null: every partition, answered only for those that needed one). Done by the
     * controller; fails with NotControllerException on another broker (the admin client asks the controller).
     */
    Future<Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.common.requests.ApiError>> electLeaders(
            boolean unclean, java.util.Collection<org.apache.kafka.common.TopicPartition> partitions);

    /** A partition reassignment in progress: all replicas (old and target), the ones being added and removed. */
    record Reassignment(List<Integer> replicas, List<Integer> adding, List<Integer> removing) {
    }

    /**
     * AlterPartitionReassignments, on the controller (NotControllerException elsewhere): per partition a target
     * replica list to move to, or empty to cancel the one in progress; the outcome of starting each.
     */
    Future<Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.common.requests.ApiError>> alterReassignments(
            Map<org.apache.kafka.common.TopicPartition, java.util.Optional<List<Integer>>> targets, boolean allowReplicationFactorChange);

    /** ListPartitionReassignments, on the controller: those in progress among {@code partitions} (null: all). */
    Future<Map<org.apache.kafka.common.TopicPartition, Reassignment>> listReassignments(
            java.util.Collection<org.apache.kafka.common.TopicPartition> partitions);

    /** Adds a listener, told at once of every partition this broker leads now. Any thread. */
    void addLeadershipListener(LeadershipListener listener);
}
