package io.tributary.group;

import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

import java.util.List;
import java.util.function.Consumer;

/**
 * The classic group membership protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), following
 * Apache Kafka's classic coordinator: generations, MEMBER_ID_REQUIRED (JoinGroup v4+), static members
 * ({@code group.instance.id}, KIP-345) fenced with FENCED_INSTANCE_ID, protocol selection by vote,
 * {@code group.initial.rebalance.delay.ms} for a group's first rebalance, the rebalance timeout for
 * joins and syncs, and session-timeout expiry. The broker never looks inside the assignors' bytes:
 * the leader's assignment is relayed untouched, which is what lets eager and cooperative assignors work.
 *
 * <p>State: {@code Empty -> PreparingRebalance -> CompletingRebalance -> Stable}, back to
 * PreparingRebalance on any membership change, {@code Dead} when deleted. JoinGroup answers wait in the
 * members ({@code awaitingJoin}) until every known member rejoined or the rebalance timeout fired;
 * SyncGroup answers wait until the leader's assignment is stored.
 *
 * <p>This class is the front of that state machine and wires its parts, one per reason to change:
 * {@link GroupJoin} (how members arrive), {@link GroupRebalance} (the join phase), {@link GroupSync}
 * (the sync phase), {@link MemberSessions} (heartbeats and session expiry) and {@link GroupLeave}
 * (departures). The phases call each other in a cycle (a rebalance ends in a sync, a failed sync starts a
 * rebalance; a rebalance restarts sessions, an expired session rebalances); the two back edges are
 * closed here through method references, so the parts never see this class.
 *
 * <p>Thread-safety: none. Everything runs on the coordinator's single thread, including the timers of
 * the injected {@link Scheduler} and the {@link GroupStore} completions.
 */
final class GroupMembership {
    private final GroupRegistry reg;
    private final MemberSessions sessions;
    private final GroupSync sync;
    private final GroupRebalance rebalance;
    private final GroupJoin join;
    private final GroupLeave leave;

    GroupMembership(GroupRegistry reg) {
        this.reg = reg;
        this.sessions = new MemberSessions(reg, this::memberFailed);
        this.sync = new GroupSync(reg, sessions, this::prepareRebalance);
        this.rebalance = new GroupRebalance(reg, sessions, sync);
        this.join = new GroupJoin(reg, sessions, rebalance);
        this.leave = new GroupLeave(reg, sessions, rebalance);
    }

    void joinGroup(JoinGroupRequestData req, short version, String clientId, String clientHost,
                   Consumer<JoinGroupResponseData> done) {
        join.joinGroup(req, version, clientId, clientHost, done);
    }

    void syncGroup(SyncGroupRequestData req, Consumer<SyncGroupResponseData> done) {
        sync.syncGroup(req, done);
    }

    Errors heartbeat(HeartbeatRequestData req) {
        return sessions.heartbeat(req);
    }

    List<MemberResponse> leaveGroup(String groupId, List<MemberIdentity> leaving) {
        return leave.leaveGroup(groupId, leaving);
    }

    void prepareRebalance(GroupMetadata group, String reason) {
        rebalance.prepareRebalance(group, reason);
    }

    /** (Re)starts the member's session timer; commits and syncs count as heartbeats too. */
    void scheduleHeartbeat(GroupMetadata group, MemberMetadata member) {
        sessions.scheduleHeartbeat(group, member);
    }

    private void memberFailed(GroupMetadata group, MemberMetadata member, String reason) {
        leave.removeMemberAndUpdateGroup(group, member, reason);
    }

    /** After loading: members restored from the log get a fresh session to prove they are alive. */
    void resumeLoaded(GroupMetadata group) {
        sessions.resumeLoaded(group);
    }

    /** Cancels every timer of a group that is going away and answers its waiting requests. */
    void shutdownGroup(GroupMetadata group, Errors error) {
        reg.scheduler.cancel(group.joinTimer);
        reg.scheduler.cancel(group.syncTimer);
        for (MemberMetadata m : group.memberList()) {
            reg.scheduler.cancel(m.heartbeatTimer);
            if (m.awaitingJoin != null) {
                Consumer<JoinGroupResponseData> cb = m.awaitingJoin;
                m.awaitingJoin = null;
                cb.accept(JoinResponses.joinError(m.memberId, error));
            }
            if (m.awaitingSync != null) {
                Consumer<SyncGroupResponseData> cb = m.awaitingSync;
                m.awaitingSync = null;
                cb.accept(new SyncGroupResponseData().setErrorCode(error.code()));
            }
        }
    }
}
