package io.tributary.kafka.handlers;

import io.tributary.group.GroupCoordinator;
import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;

/**
 * JoinGroup (v0-9). The answer may wait for the whole rebalance (every member rejoined, or the
 * rebalance timeout): the coordinator completes the future then. Versions below 7 cannot carry a null
 * protocol name, so errors carry "" there.
 */
public final class JoinGroupHandler implements ApiHandler {
    private final KafkaBroker broker;

    public JoinGroupHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        JoinGroupRequestData req = ((JoinGroupRequest) request).data();
        short version = request.version();
        if (req.groupInstanceId() != null) {
            try {
                JoinGroupRequest.validateGroupInstanceId(req.groupInstanceId());
            } catch (RuntimeException e) {
                return Future.succeededFuture(fix(new JoinGroupResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code())
                        .setMemberId(req.memberId()), version));
            }
        }
        String clientHost = GroupHandlers.clientHost(ctx);
        return broker.groups().<JoinGroupResponseData>callAsync((GroupCoordinator c, java.util.function.Consumer<JoinGroupResponseData> done) ->
                        c.joinGroup(req, version, ctx.clientId(), clientHost, done))
                .map(r -> fix(r, version));
    }

    private static ApiMessage fix(JoinGroupResponseData r, short version) {
        if (version < 7) {
            r.setProtocolType(null);
            if (r.protocolName() == null) {
                r.setProtocolName("");
            }
        }
        if (r.leader() == null) {
            r.setLeader("");
        }
        return r;
    }
}
