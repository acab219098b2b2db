package io.tributary.group;

import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Members leaving a group, by LeaveGroup (one member, or a batch of static members by instance id as
 * KIP-345 allows) or because their session expired: the member goes, and the group either rebalances
 * without it or, if a rebalance is already waiting on it, may now complete. Kept apart from
 * {@link MemberSessions} because this is where a departure turns into a group state change.
 *
 * <p>Thread-safety: none; only the coordinator's thread calls it (requests and session timers alike).
 */
final class GroupLeave {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLeave.class);

    private final GroupRegistry reg;
    private final MemberSessions sessions;
    private final GroupRebalance rebalance;

    GroupLeave(GroupRegistry reg, MemberSessions sessions, GroupRebalance rebalance) {
        this.reg = reg;
        this.sessions = sessions;
        this.rebalance = rebalance;
    }

    List<MemberResponse> leaveGroup(String groupId, List<MemberIdentity> leaving) {
        GroupMetadata group = reg.groups.get(groupId);
        List<MemberResponse> out = new ArrayList<>();
        for (MemberIdentity id : leaving) {
            String memberId = id.memberId() == null ? "" : id.memberId();
            MemberResponse r = new MemberResponse().setMemberId(memberId).setGroupInstanceId(id.groupInstanceId());
            out.add(r);
            if (group == null || group.is(GroupState.DEAD)) {
                r.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
                continue;
            }
            String target = memberId;
            if (id.groupInstanceId() != null) {
                String owner = group.staticMembers.get(id.groupInstanceId());
                if (owner == null) {
                    r.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
                    continue;
                }
                if (!memberId.isEmpty() && !memberId.equals(owner)) {
                    r.setErrorCode(Errors.FENCED_INSTANCE_ID.code());
                    continue;
                }
                target = owner;
            } else if (group.pendingMembers.remove(memberId) != null) {
                if (group.is(GroupState.PREPARING_REBALANCE)) {
                    rebalance.tryCompleteJoin(group);
                }
                continue;
            }
            MemberMetadata member = group.get(target);
            if (member == null) {
                r.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
                continue;
            }
            LOG.info("member {} of group {} left", target, groupId);
            removeMemberAndUpdateGroup(group, member, "member " + target + " left the group");
        }
        return out;
    }

    /** Removes the member, then rebalances a settled group or lets a pending join complete without it. */
    void removeMemberAndUpdateGroup(GroupMetadata group, MemberMetadata member, String reason) {
        sessions.removeMember(group, member, Errors.UNKNOWN_MEMBER_ID);
        switch (group.state) {
            case STABLE, COMPLETING_REBALANCE -> rebalance.prepareRebalance(group, reason);
            case PREPARING_REBALANCE -> rebalance.tryCompleteJoin(group);
            default -> {
            }
        }
    }
}
