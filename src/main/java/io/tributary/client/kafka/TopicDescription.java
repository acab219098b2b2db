package io.tributary.client.kafka;

import java.util.List;

/**
 * A topic as the cluster's metadata describes it.
 *
 * @param topicId    the topic id (base64, as Kafka prints it), or null if the broker gives none
 * @param partitions per partition (in order): its number, leader ({@code -1} without one) and leader epoch
 */
public record TopicDescription(String name, String topicId, List<Partition> partitions) {
    public record Partition(int partition, int leader, int leaderEpoch) {
    }
}
