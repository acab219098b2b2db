package io.tributary.kafka;

import io.tributary.group.GroupService;
import io.tributary.log.LogService;
import io.tributary.metrics.KafkaMetrics;
import io.tributary.txn.ProducerIdManager;
import io.vertx.core.Vertx;

import java.util.Map;

/**
 * Everything the Kafka handlers need from the node, gathered in one immutable bundle: identity,
 * listener settings and the engines (reached asynchronously; no files here).
 *
 * @param advertisedHost   host put in Metadata; null means "the address the client connected to"
 * @param brokerProperties the node's effective configuration (Kafka broker property names where Kafka has
 *                         one), reported by DescribeConfigs; read-only
 * @param metrics          request timers and per-topic traffic counters ({@link KafkaMetrics#NONE}: none)
 * @param cluster          the cluster's metadata (cluster mode), or null on a single node
 */
public record KafkaBroker(Vertx vertx,
                          int nodeId,
                          String clusterId,
                          String bindHost,
                          int kafkaPort,
                          String advertisedHost,
                          int maxRequestBytes,
                          int maxInFlightPerConnection,
                          boolean autoCreateTopics,
                          int defaultPartitions,
                          boolean deleteTopicEnable,
                          LogService logs,
                          ProducerIdManager producerIds,
                          GroupService groups,
                          Map<String, String> brokerProperties,
                          KafkaMetrics metrics,
                          ClusterMetadata cluster) {

    public KafkaBroker {
        brokerProperties = brokerProperties == null ? Map.of() : Map.copyOf(brokerProperties);
        metrics = metrics == null ? KafkaMetrics.NONE : metrics;
    }

    /** A broker that counts nothing (no metrics registry). */
    public KafkaBroker(Vertx vertx, int nodeId, String clusterId, String bindHost, int kafkaPort, String advertisedHost,
                       int maxRequestBytes, int maxInFlightPerConnection, boolean autoCreateTopics, int defaultPartitions,
                       boolean deleteTopicEnable, LogService logs, ProducerIdManager producerIds, GroupService groups,
                       Map<String, String> brokerProperties) {
        this(vertx, nodeId, clusterId, bindHost, kafkaPort, advertisedHost, maxRequestBytes, maxInFlightPerConnection,
                autoCreateTopics, defaultPartitions, deleteTopicEnable, logs, producerIds, groups, brokerProperties,
                KafkaMetrics.NONE, null);
    }

    /** Cluster mode: the cluster's metadata; false on a single node (this node is every partition's leader). */
    public boolean clustered() {
        return cluster != null;
    }

    /** The host to advertise to a client that reached us on {@code localHost}. */
    public String advertisedHostFor(String localHost) {
        return advertisedHost != null && !advertisedHost.isBlank() ? advertisedHost : localHost;
    }
}
