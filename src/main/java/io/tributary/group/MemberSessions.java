package io.tributary.group;

import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Member liveness: the Heartbeat API, each member's session timer and what happens when it fires, and
 * taking a member out of its group. It is the bottom of the membership classes (joins, syncs and
 * leaves all restart or cancel sessions), so it depends on nothing but the registry; a member whose
 * session expired is handed to the {@link FailureListener}, which decides how the group moves on.
 *
 * <p>Thread-safety: none. Only the coordinator's thread calls it, and the {@link Scheduler} runs the
 * session timers on that same thread, so a timer never races the request that would have cancelled it.
 */
final class MemberSessions {
    private static final Logger LOG = LoggerFactory.getLogger(MemberSessions.class);

    /** Told about a member whose session timed out; it has not been removed yet. */
    interface FailureListener {
        void memberFailed(GroupMetadata group, MemberMetadata member, String reason);
    }

    private final GroupRegistry reg;
    private final FailureListener onFailure;

    MemberSessions(GroupRegistry reg, FailureListener onFailure) {
        this.reg = reg;
        this.onFailure = onFailure;
    }

    Errors heartbeat(HeartbeatRequestData req) {
        GroupMetadata group = reg.groups.get(req.groupId());
        if (group == null || group.is(GroupState.EMPTY)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (group.isStaticMemberFenced(req.groupInstanceId(), req.memberId())) {
            return Errors.FENCED_INSTANCE_ID;
        }
        MemberMetadata member = group.get(req.memberId());
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (req.generationId() != group.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        scheduleHeartbeat(group, member);
        // In PreparingRebalance the answer is how members learn they must rejoin.
        return group.is(GroupState.PREPARING_REBALANCE) ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    }

    /** (Re)starts the member's session timer; commits and syncs count as heartbeats too. */
    void scheduleHeartbeat(GroupMetadata group, MemberMetadata member) {
        reg.scheduler.cancel(member.heartbeatTimer);
        member.heartbeatTimer = reg.scheduler.schedule(member.sessionTimeoutMs, () -> onSessionExpired(group, member));
    }

    private void onSessionExpired(GroupMetadata group, MemberMetadata member) {
        member.heartbeatTimer = -1;
        if (group.get(member.memberId) != member) {
            return;
        }
        if (member.awaitingJoin != null || member.awaitingSync != null) {
            // Waiting for the coordinator, not silent: keep it (Kafka's hasSatisfiedHeartbeat).
            scheduleHeartbeat(group, member);
            return;
        }
        LOG.info("member {} in group {} has failed (no heartbeat for {} ms); removing it", member.memberId,
                group.groupId, member.sessionTimeoutMs);
        onFailure.memberFailed(group, member, "session timeout of " + member.memberId);
    }

    /** Removes a member without moving the group: cancels its timer and answers what it still waits for. */
    void removeMember(GroupMetadata group, MemberMetadata member, Errors pendingAnswer) {
        reg.scheduler.cancel(member.heartbeatTimer);
        member.heartbeatTimer = -1;
        if (member.awaitingJoin != null) {
            Consumer<JoinGroupResponseData> cb = member.awaitingJoin;
            member.awaitingJoin = null;
            cb.accept(JoinResponses.joinError(member.memberId, Errors.UNKNOWN_MEMBER_ID));
        }
        if (member.awaitingSync != null) {
            Consumer<SyncGroupResponseData> cb = member.awaitingSync;
            member.awaitingSync = null;
            cb.accept(new SyncGroupResponseData().setErrorCode(pendingAnswer.code()));
        }
        group.remove(member.memberId);
    }

    /** After loading: members restored from the log get a fresh session to prove they are alive. */
    void resumeLoaded(GroupMetadata group) {
        for (MemberMetadata m : group.members.values()) {
            scheduleHeartbeat(group, m);
        }
    }
}
