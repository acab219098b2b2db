package io.tributary.kafka.handlers;

import io.tributary.group.GroupCoordinator.GroupDescription;
import io.tributary.group.GroupCoordinator.MemberDescription;
import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * DescribeGroups (v0-6): state, protocol and members (with subscription and assignment once Stable).
 * An unknown group is "Dead" with no error before v6 and GROUP_ID_NOT_FOUND from v6 (KIP-1043), as in
 * Kafka. Authorized operations are not computed (no ACLs yet): the field keeps its "not requested" value.
 */
public final class DescribeGroupsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public DescribeGroupsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        DescribeGroupsRequestData req = ((DescribeGroupsRequest) request).data();
        short version = request.version();
        List<String> ids = new ArrayList<>(req.groups());
        return broker.groups().call(c -> {
            List<GroupDescription> out = new ArrayList<>();
            ids.forEach(id -> out.add(c.describeGroup(id)));
            return out;
        }).map(descriptions -> {
            DescribeGroupsResponseData resp = new DescribeGroupsResponseData();
            for (GroupDescription d : descriptions) {
                DescribedGroup g = new DescribedGroup().setGroupId(d.groupId()).setGroupState(d.state())
                        .setProtocolType(d.protocolType()).setProtocolData(d.protocolData())
                        .setErrorCode(d.error().code());
                if (d.error() == Errors.NONE && !d.found() && version >= 6) {
                    g.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + d.groupId() + " not found.");
                }
                for (MemberDescription m : d.members()) {
                    g.members().add(new DescribedGroupMember().setMemberId(m.memberId())
                            .setGroupInstanceId(version >= 4 ? m.groupInstanceId() : null)
                            .setClientId(m.clientId()).setClientHost(m.clientHost())
                            .setMemberMetadata(m.metadata()).setMemberAssignment(m.assignment()));
                }
                resp.groups().add(g);
            }
            return resp;
        });
    }
}
