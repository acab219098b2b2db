package io.tributary.kafka;

import io.tributary.log.LogService;
import io.tributary.txn.ProducerIdManager;
import io.vertx.core.Vertx;

/**
 * Everything the Kafka handlers need from the node, gathered in one immutable bundle: identity,
 * listener settings and the engines (reached asynchronously; no files here).
 *
 * @param advertisedHost host put in Metadata; null means "the address the client connected to"
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
                          ProducerIdManager producerIds) {

    /** The host to advertise to a client that reached us on {@code localHost}. */
    public String advertisedHostFor(String localHost) {
        return advertisedHost != null && !advertisedHost.isBlank() ? advertisedHost : localHost;
    }
}
