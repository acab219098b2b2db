package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;

import java.util.List;

/**
 * LeaveGroup (v0-5): one member (v0-2) or a batch of members by id or instance id (v3+, KIP-345), each
 * with its own result; for v0-2 the one member's error is the top-level error (kafka-clients' rule).
 */
public final class LeaveGroupHandler implements ApiHandler {
    private final KafkaBroker broker;

    public LeaveGroupHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        LeaveGroupRequestData req = ((LeaveGroupRequest) request).data();
        short version = request.version();
        List<MemberIdentity> members = version >= 3 ? req.members() : List.of(new MemberIdentity().setMemberId(req.memberId()));
        return broker.groups().call(c -> {
            List<org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse> results = c.leaveGroup(req.groupId(), members);
            return results == null
                    ? new LeaveGroupResponse(List.of(), c.availability(req.groupId()), 0, version).data()
                    : new LeaveGroupResponse(results, Errors.NONE, 0, version).data();
        });
    }
}
