package io.tributary.group;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The two shapes of a JoinGroup answer, kept in one place because joins, rebalances, member removal
 * and shutdown all answer waiting joins and must agree on the fields an error answer carries. Pure
 * functions of the group's state at the time of the call; callers run on the coordinator's thread,
 * which owns the {@link GroupMetadata} read here.
 */
final class JoinResponses {
    private JoinResponses() {
    }

    /** A successful answer; the leader ({@code withMembers}) also gets every member's metadata to assign from. */
    static JoinGroupResponseData joinResponse(GroupMetadata group, MemberMetadata member, boolean withMembers) {
        JoinGroupResponseData r = new JoinGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setGenerationId(group.generationId)
                .setProtocolType(group.protocolType)
                .setProtocolName(group.protocolName)
                .setLeader(group.leaderId)
                .setMemberId(member.memberId);
        if (withMembers) {
            for (MemberMetadata m : group.members.values()) {
                r.members().add(new JoinGroupResponseData.JoinGroupResponseMember()
                        .setMemberId(m.memberId)
                        .setGroupInstanceId(m.groupInstanceId)
                        .setMetadata(m.metadata(group.protocolName)));
            }
        }
        return r;
    }

    static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData()
                .setErrorCode(error.code())
                .setGenerationId(-1)
                .setProtocolName(null)
                .setLeader("")
                .setMemberId(memberId == null ? "" : memberId);
    }
}
