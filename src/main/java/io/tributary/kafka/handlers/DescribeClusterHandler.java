package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.ClusterMetadata;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.clients.admin.EndpointType;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.utils.Utils;

import java.util.EnumSet;
import java.util.stream.Collectors;

/**
 * DescribeCluster (v0-2): this node as the only broker and as the controller id clients see (a Kafka
 * broker also reports a broker there, never its KRaft controller). Endpoint types follow Kafka's
 * broker listener (KIP-919): CONTROLLER is MISMATCHED_ENDPOINT_TYPE, an unknown type
 * UNSUPPORTED_ENDPOINT_TYPE, both INVALID_REQUEST at v0. Without an authorizer every cluster operation
 * is allowed, which is what Kafka reports when asked.
 */
public final class DescribeClusterHandler implements ApiHandler {
    /** Kafka's operations on the CLUSTER resource (AclEntry.supportedOperations). */
    private static final int CLUSTER_OPERATIONS = Utils.to32BitField(EnumSet.of(AclOperation.CREATE,
            AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE)
            .stream().map(AclOperation::code).collect(Collectors.toSet()));

    private final KafkaBroker broker;

    public DescribeClusterHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        DescribeClusterRequestData req = ((DescribeClusterRequest) request).data();
        short version = request.version();
        EndpointType requested = EndpointType.fromId(req.endpointType());
        if (requested == EndpointType.UNKNOWN) {
            return Future.succeededFuture(new DescribeClusterResponseData()
                    .setErrorCode((version == 0 ? Errors.INVALID_REQUEST : Errors.UNSUPPORTED_ENDPOINT_TYPE).code())
                    .setErrorMessage("Unsupported endpoint type " + req.endpointType()));
        }
        if (requested != EndpointType.BROKER) {
            return Future.succeededFuture(new DescribeClusterResponseData()
                    .setErrorCode((version == 0 ? Errors.INVALID_REQUEST : Errors.MISMATCHED_ENDPOINT_TYPE).code())
                    .setErrorMessage("The request was sent to an endpoint of type " + EndpointType.BROKER
                            + ", but we wanted an endpoint of type " + requested));
        }
        DescribeClusterResponseData resp = new DescribeClusterResponseData()
                .setErrorCode(Errors.NONE.code())
                .setClusterId(broker.clusterId())
                .setControllerId(broker.nodeId())
                .setEndpointType(EndpointType.BROKER.id())
                .setClusterAuthorizedOperations(req.includeClusterAuthorizedOperations() ? CLUSTER_OPERATIONS : Integer.MIN_VALUE);
        if (broker.clustered()) {
            ClusterMetadata.Image image = broker.cluster().image();
            resp.setControllerId(image.controllerId());
            if (image.clusterId() != null) {
                resp.setClusterId(image.clusterId());
            }
            for (ClusterMetadata.Broker b : image.brokers().values()) {
                resp.brokers().add(new DescribeClusterBroker().setBrokerId(b.id()).setHost(b.host()).setPort(b.port())
                        .setRack(b.rack()).setIsFenced(false));
            }
            return Future.succeededFuture(resp);
        }
        resp.brokers().add(new DescribeClusterBroker()
                .setBrokerId(broker.nodeId())
                .setHost(broker.advertisedHostFor(ctx.localHost()))
                .setPort(ctx.localPort())
                .setRack(null)
                .setIsFenced(false));
        return Future.succeededFuture(resp);
    }
}
