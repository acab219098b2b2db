package io.tributary.client.kafka.internal;

import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.KafkaClientOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.NetClient;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The client's view of a Kafka cluster, on its loop: connections pooled per broker, the latest metadata, the
 * coordinators found for groups. Any broker answers Metadata and FindCoordinator; a leader's requests go to the
 * leader's connection. Nothing here blocks: every method returns a future completed on the loop.
 */
public final class KafkaCluster {
    private final Loop loop;
    private final NetClient net;
    private final KafkaClientOptions options;
    private final Map<Integer, Future<BrokerConnection>> connections = new HashMap<>();
    private final Map<String, Future<BrokerConnection>> bootstrap = new HashMap<>();
    private final Map<String, Integer> coordinators = new HashMap<>();
    private MetadataImage image = MetadataImage.EMPTY;
    private int nextBootstrap;
    private boolean closed;

    public KafkaCluster(Loop loop, NetClient net, KafkaClientOptions options) {
        if (options.bootstrapServers().isEmpty()) {
            throw new IllegalArgumentException("no bootstrap servers");
        }
        this.loop = loop;
        this.net = net;
        this.options = options;
    }

    public Loop loop() {
        return loop;
    }

    public KafkaClientOptions options() {
        return options;
    }

    public MetadataImage image() {
        return image;
    }

    /** A connection to broker {@code nodeId}, opened if there is none (the broker must be in the metadata). */
    public Future<BrokerConnection> node(int nodeId) {
        loop.check();
        if (closed) {
            return Future.failedFuture(new DisconnectException("client closed"));
        }
        Future<BrokerConnection> f = connections.get(nodeId);
        if (f != null && !(f.isComplete() && (f.failed() || f.result().isClosed()))) {
            return f;
        }
        MetadataImage.Broker b = image.brokers().get(nodeId);
        if (b == null) {
            return refresh(List.of()).compose(img -> {
                MetadataImage.Broker b2 = img.brokers().get(nodeId);
                if (b2 == null) {
                    return Future.failedFuture(new DisconnectException("broker " + nodeId + " is not in the cluster's metadata"));
                }
                return node(nodeId);
            });
        }
        Future<BrokerConnection> c = BrokerConnection.connect(loop, net, options, b.host(), b.port(), nodeId);
        connections.put(nodeId, c);
        return c;
    }

    /** Any usable connection: an open one if there is one, else a bootstrap server (each tried in turn). */
    public Future<BrokerConnection> any() {
        loop.check();
        if (closed) {
            return Future.failedFuture(new DisconnectException("client closed"));
        }
        for (Future<BrokerConnection> f : connections.values()) {
            if (f.succeeded() && !f.result().isClosed()) {
                return f;
            }
        }
        for (Future<BrokerConnection> f : bootstrap.values()) {
            if (f.succeeded() && !f.result().isClosed()) {
                return f;
            }
        }
        return connectBootstrap(options.bootstrapServers().size());
    }

    private Future<BrokerConnection> connectBootstrap(int attemptsLeft) {
        List<String> servers = options.bootstrapServers();
        String hp = servers.get(nextBootstrap++ % servers.size());
        int colon = hp.lastIndexOf(':');
        String host = hp.substring(0, colon);
        int port = Integer.parseInt(hp.substring(colon + 1));
        Future<BrokerConnection> f = BrokerConnection.connect(loop, net, options, host, port, -1);
        bootstrap.put(hp, f);
        return f.recover(e -> attemptsLeft > 1 ? connectBootstrap(attemptsLeft - 1)
                : Future.failedFuture(new DisconnectException("no bootstrap server reachable: " + e, e)));
    }

    /**
     * Asks any broker for the metadata of {@code topics} (none: brokers only) and makes it the current image.
     * Topics not asked about keep what the previous image knew of them.
     */
    public Future<MetadataImage> refresh(Collection<String> topics) {
        return any().compose(c -> {
            MetadataRequestData req = new MetadataRequestData().setAllowAutoTopicCreation(false);
            List<MetadataRequestData.MetadataRequestTopic> ts = new ArrayList<>();
            for (String t : topics) {
                ts.add(new MetadataRequestData.MetadataRequestTopic().setName(t).setTopicId(Uuid.ZERO_UUID));
            }
            req.setTopics(ts);
            return c.<MetadataResponseData>call(ApiKeys.METADATA, req);
        }).map(this::apply);
    }

    private MetadataImage apply(MetadataResponseData resp) {
        Map<Integer, MetadataImage.Broker> brokers = new HashMap<>();
        for (MetadataResponseData.MetadataResponseBroker b : resp.brokers()) {
            brokers.put(b.nodeId(), new MetadataImage.Broker(b.nodeId(), b.host(), b.port(), b.rack()));
        }
        Map<String, MetadataImage.TopicMeta> topics = new HashMap<>(image.topics());
        for (MetadataResponseData.MetadataResponseTopic t : resp.topics()) {
            List<MetadataImage.PartitionMeta> parts = new ArrayList<>();
            List<MetadataResponseData.MetadataResponsePartition> sorted = new ArrayList<>(t.partitions());
            sorted.sort(Comparator.comparingInt(MetadataResponseData.MetadataResponsePartition::partitionIndex));
            for (MetadataResponseData.MetadataResponsePartition p : sorted) {
                parts.add(new MetadataImage.PartitionMeta(p.partitionIndex(), p.leaderId(), p.leaderEpoch(),
                        Errors.forCode(p.errorCode())));
            }
            topics.put(t.name(), new MetadataImage.TopicMeta(t.name(), t.topicId(), Errors.forCode(t.errorCode()),
                    List.copyOf(parts)));
        }
        image = new MetadataImage(resp.clusterId(), resp.controllerId(), Map.copyOf(brokers), Map.copyOf(topics));
        // Connections to brokers that left the cluster are closed (their partitions moved elsewhere).
        connections.entrySet().removeIf(e -> {
            if (!brokers.containsKey(e.getKey())) {
                e.getValue().onSuccess(BrokerConnection::close);
                return true;
            }
            return false;
        });
        return image;
    }

    /**
     * The topic's metadata with a leader for every partition, refreshing (with backoff) while the topic is unknown
     * or a partition has no leader, until the request timeout.
     */
    public Future<MetadataImage.TopicMeta> topicWithLeaders(String topic) {
        long deadline = System.nanoTime() + options.requestTimeoutMs() * 1_000_000L;
        return retrying(deadline, () -> refresh(List.of(topic)).compose(img -> {
            MetadataImage.TopicMeta t = img.topic(topic);
            if (t == null) {
                return Future.failedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION.exception("no metadata for " + topic));
            }
            if (t.error() != Errors.NONE) {
                return Future.failedFuture(t.error().exception("topic " + topic + ": " + t.error()));
            }
            for (MetadataImage.PartitionMeta p : t.partitions()) {
                if (p.leader() < 0) {
                    return Future.failedFuture(Errors.LEADER_NOT_AVAILABLE.exception(topic + "-" + p.partition()
                            + " has no leader"));
                }
            }
            return Future.succeededFuture(t);
        }));
    }

    /** A connection to the group coordinator of {@code groupId}, found through FindCoordinator and cached. */
    public Future<BrokerConnection> groupCoordinator(String groupId) {
        Integer known = coordinators.get(groupId);
        if (known != null) {
            return node(known);
        }
        return findCoordinator(groupId).compose(b -> {
            coordinators.put(groupId, b.id());
            return node(b.id());
        });
    }

    /**
     * A connection of its own to the coordinator of {@code groupId}, found afresh, pooled nowhere: a group member's
     * JoinGroup waits at the coordinator for the whole rebalance, and since a broker answers a connection in order,
     * it would stall every fetch and commit behind it on a shared connection (kafka-clients opens a separate
     * coordinator connection for the same reason). The caller closes it.
     */
    public Future<BrokerConnection> dedicatedCoordinator(String groupId) {
        return findCoordinator(groupId).compose(b -> closed
                ? Future.failedFuture(new DisconnectException("client closed"))
                : BrokerConnection.connect(loop, net, options, b.host(), b.port(), b.id()));
    }

    /** FindCoordinator for a group, asked of any broker, retried (with backoff) until the request timeout. */
    public Future<MetadataImage.Broker> findCoordinator(String groupId) {
        long deadline = System.nanoTime() + options.requestTimeoutMs() * 1_000_000L;
        return retrying(deadline, () -> any().compose(c -> {
            FindCoordinatorRequestData req = new FindCoordinatorRequestData().setKeyType((byte) 0);
            boolean batched = c.version(ApiKeys.FIND_COORDINATOR) >= 4;
            if (batched) {
                req.setCoordinatorKeys(List.of(groupId));
            } else {
                req.setKey(groupId);
            }
            return c.<FindCoordinatorResponseData>call(ApiKeys.FIND_COORDINATOR, req).compose(resp -> {
                Errors err;
                MetadataImage.Broker b;
                if (batched) {
                    FindCoordinatorResponseData.Coordinator co = resp.coordinators().get(0);
                    err = Errors.forCode(co.errorCode());
                    b = new MetadataImage.Broker(co.nodeId(), co.host(), co.port(), null);
                } else {
                    err = Errors.forCode(resp.errorCode());
                    b = new MetadataImage.Broker(resp.nodeId(), resp.host(), resp.port(), null);
                }
                if (err != Errors.NONE) {
                    return Future.failedFuture(err.exception("FindCoordinator(" + groupId + "): " + err));
                }
                return Future.succeededFuture(b);
            });
        }));
    }

    /** Forgets the coordinator of {@code groupId} (after NOT_COORDINATOR or a lost connection). */
    public void forgetCoordinator(String groupId) {
        coordinators.remove(groupId);
    }

    /**
     * Runs {@code op} again after the retry backoff while it fails with a retriable Kafka error and the deadline has
     * not passed; a timer, never a blocked thread, spaces the attempts.
     */
    public <T> Future<T> retrying(long deadlineNanos, Supplier<Future<T>> op) {
        Promise<T> p = Promise.promise();
        attempt(deadlineNanos, op, p);
        return p.future();
    }

    private <T> void attempt(long deadlineNanos, Supplier<Future<T>> op, Promise<T> p) {
        op.get().onComplete(ar -> {
            if (ar.succeeded()) {
                p.complete(ar.result());
            } else if (isRetriable(ar.cause()) && System.nanoTime() < deadlineNanos && !closed) {
                loop.context().owner().setTimer(options.retryBackoffMs(), t -> attempt(deadlineNanos, op, p));
            } else if (isRetriable(ar.cause())) {
                p.fail(new TimeoutException("gave up retrying: " + ar.cause(), ar.cause()));
            } else {
                p.fail(ar.cause());
            }
        });
    }

    public static boolean isRetriable(Throwable t) {
        return t instanceof RetriableException;
    }

    /** Closes every connection. */
    public void close() {
        loop.run(() -> {
            closed = true;
            for (Future<BrokerConnection> f : connections.values()) {
                f.onSuccess(BrokerConnection::close);
            }
            for (Future<BrokerConnection> f : bootstrap.values()) {
                f.onSuccess(BrokerConnection::close);
            }
            connections.clear();
            bootstrap.clear();
        });
    }
}
