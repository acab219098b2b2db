package io.tributary.client.kafka.internal.group;

import io.tributary.client.kafka.GroupOptions;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;

import java.util.List;

/**
 * The membership requests of the classic group protocol, filled in for the version the coordinator speaks (a field
 * a version lacks is left at its default: kafka-clients' writers refuse to drop a set one).
 */
final class GroupRequests {
    static final int JOIN_MAX_VERSION = 9;
    static final int SYNC_MAX_VERSION = 5;
    static final int LEAVE_MAX_VERSION = 5;

    private GroupRequests() {
    }

    static JoinGroupRequestData join(GroupOptions options, String memberId,
                                     JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols, String reason,
                                     short v) {
        JoinGroupRequestData req = new JoinGroupRequestData().setGroupId(options.groupId())
                .setSessionTimeoutMs(options.sessionTimeoutMs()).setRebalanceTimeoutMs(options.rebalanceTimeoutMs())
                .setMemberId(memberId).setProtocolType(ConsumerProtocol.PROTOCOL_TYPE).setProtocols(protocols);
        if (v >= 5) {
            req.setGroupInstanceId(options.groupInstanceId());
        }
        if (v >= 8) {
            req.setReason(reason);
        }
        return req;
    }

    static SyncGroupRequestData sync(GroupOptions options, int generation, String memberId, String protocol,
                                     List<SyncGroupRequestData.SyncGroupRequestAssignment> assignments, short v) {
        SyncGroupRequestData req = new SyncGroupRequestData().setGroupId(options.groupId()).setGenerationId(generation)
                .setMemberId(memberId).setAssignments(assignments);
        if (v >= 3) {
            req.setGroupInstanceId(options.groupInstanceId());
        }
        if (v >= 5) {
            req.setProtocolType(ConsumerProtocol.PROTOCOL_TYPE).setProtocolName(protocol);
        }
        return req;
    }

    static LeaveGroupRequestData leave(GroupOptions options, String memberId, short v) {
        LeaveGroupRequestData req = new LeaveGroupRequestData().setGroupId(options.groupId());
        if (v >= 3) {
            LeaveGroupRequestData.MemberIdentity m = new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId)
                    .setGroupInstanceId(options.groupInstanceId());
            if (v >= 5) {
                m.setReason("the consumer is closing");
            }
            req.setMembers(List.of(m));
        } else {
            req.setMemberId(memberId);
        }
        return req;
    }
}
