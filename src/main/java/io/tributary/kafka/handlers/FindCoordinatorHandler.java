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
 * FindCoordinator (v0-6; v4+ batch several keys): this node coordinates every group. Transaction
 * coordinators do not exist yet (COORDINATOR_NOT_AVAILABLE, which clients retry); share groups are not
 * served (INVALID_REQUEST).
 */
public final class FindCoordinatorHandler implements ApiHandler {
    private final KafkaBroker broker;

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
            if (req.keyType() == CoordinatorType.GROUP.id()) {
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
}
