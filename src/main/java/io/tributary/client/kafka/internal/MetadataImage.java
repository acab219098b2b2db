package io.tributary.client.kafka.internal;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

import java.util.List;
import java.util.Map;

/**
 * What the client knows of the cluster from its last Metadata response: brokers and, per topic it asked about, the
 * leader of each partition. Immutable; a refresh makes a new one.
 */
public record MetadataImage(String clusterId, int controllerId, Map<Integer, Broker> brokers,
                            Map<String, TopicMeta> topics) {

    public static final MetadataImage EMPTY = new MetadataImage(null, -1, Map.of(), Map.of());

    public record Broker(int id, String host, int port, String rack) {
    }

    /** One topic: an error (unknown topic, no leader yet) or its partitions indexed by partition number. */
    public record TopicMeta(String name, Uuid topicId, Errors error, List<PartitionMeta> partitions) {
        public PartitionMeta partition(int p) {
            return p >= 0 && p < partitions.size() ? partitions.get(p) : null;
        }
    }

    /** A partition's leader ({@code -1} if it has none) and leader epoch ({@code -1} if the broker gives none). */
    public record PartitionMeta(int partition, int leader, int leaderEpoch, Errors error) {
    }

    public TopicMeta topic(String name) {
        return topics.get(name);
    }
}
