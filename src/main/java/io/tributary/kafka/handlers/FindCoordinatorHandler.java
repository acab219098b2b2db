package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

import java.util.ArrayList;
import java.util.List;

/**
 * FindCoordinator (v0-6; v4+ batch several keys): on one node this node coordinates every group; on a cluster a
 * group's coordinator is the leader of its {@code __consumer_offsets} partition ({@code abs(hash) % partitions}),
 * and the topic is created on the first lookup, as Kafka does ({@code offsets.topic.num.partitions},
 * {@code offsets.topic.replication.factor}; COORDINATOR_NOT_AVAILABLE, which clients retry, until it has leaders
 * — also while fewer brokers are registered than its replication factor). Transaction
 * coordinators do not exist yet (COORDINATOR_NOT_AVAILABLE, which clients retry); share groups are not
 * served (INVALID_REQUEST).
 */
public final class FindCoordinatorHandler implements ApiHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FindCoordinatorHandler.class);
    private final KafkaBroker broker;
    private final java.util.concurrent.atomic.AtomicBoolean creating = new java.util.concurrent.atomic.AtomicBoolean();

    public FindCoordinatorHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        FindCoordinatorRequestData req = ((FindCoordinatorRequest) request).data();
        short version = request.version();
        List<String> keys = version >= FindCoordinatorRequest.MIN_BATCHED_VERSION ? req.coordinatorKeys() : List.of(req.key());
        List<Coordinator> found = new ArrayList<>();
        for (String key : keys) {
            Coordinator c = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
            if (req.keyType() == CoordinatorType.GROUP.id() && broker.clustered()) {
                groupCoordinatorInCluster(c, key);
            } else if (req.keyType() == CoordinatorType.GROUP.id()) {
                c.setNodeId(broker.nodeId()).setHost(broker.advertisedHostFor(ctx.localHost())).setPort(ctx.localPort())
                        .setErrorCode(Errors.NONE.code()).setErrorMessage(null);
            } else if (req.keyType() == CoordinatorType.TRANSACTION.id()) {
                c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage("transactions are not supported yet");
            } else {
                c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("unsupported coordinator key type " + req.keyType());
            }
            found.add(c);
        }
        FindCoordinatorResponseData resp = new FindCoordinatorResponseData();
        if (version >= FindCoordinatorRequest.MIN_BATCHED_VERSION) {
            resp.setCoordinators(found);
        } else {
            Coordinator c = found.get(0);
            resp.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage())
                    .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        }
        return Future.succeededFuture(resp);
    }

    private void groupCoordinatorInCluster(Coordinator c, String key) {
        io.tributary.kafka.ClusterMetadata.Image image = broker.cluster().image();
        io.tributary.kafka.ClusterMetadata.Topic offsets = image.topic(io.tributary.group.GroupCoordinatorVerticle.TOPIC);
        if (offsets == null || offsets.partitions().isEmpty()) {
            createOffsetsTopic(image);
            c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage("The coordinator is not available.");
            return;
        }
        int partition = org.apache.kafka.common.utils.Utils.abs(key.hashCode()) % offsets.partitions().size();
        io.tributary.kafka.ClusterMetadata.Broker leader = image.brokers().get(offsets.partitions().get(partition).leader());
        if (leader == null) {
            c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage("The coordinator is not available.");
            return;
        }
        c.setNodeId(leader.id()).setHost(leader.host()).setPort(leader.port()).setErrorCode(Errors.NONE.code()).setErrorMessage(null);
    }

    /** Kafka's auto-creation of {@code __consumer_offsets} on the first FindCoordinator; one attempt at a time. */
    private void createOffsetsTopic(io.tributary.kafka.ClusterMetadata.Image image) {
        if (!creating.compareAndSet(false, true)) {
            return;
        }
        java.util.Map<String, String> props = broker.brokerProperties();
        int partitions = Integer.parseInt(props.getOrDefault(io.tributary.group.GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "50").trim());
        int rf = Integer.parseInt(props.getOrDefault("offsets.topic.replication.factor", "3").trim());
        broker.cluster().createTopic(io.tributary.group.GroupCoordinatorVerticle.TOPIC, partitions, rf, null,
                        io.tributary.group.GroupCoordinatorVerticle.TOPIC_CONFIGS, false, 30_000)
                .onComplete(ar -> {
                    creating.set(false);
                    if (ar.failed() && !(ar.cause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        LOG.info("{} not created yet ({} partitions, replication factor {}, {} brokers registered): {}",
                                io.tributary.group.GroupCoordinatorVerticle.TOPIC, partitions, rf, image.brokers().size(),
                                ar.cause().getMessage());
                    }
                });
    }
}
