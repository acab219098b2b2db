package io.tributary.group;

import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * JoinGroup: validating the request, then the three ways a member arrives — a new member (which on
 * JoinGroup v4+ first gets its id with MEMBER_ID_REQUIRED, KIP-394), a static member
 * ({@code group.instance.id}, KIP-345) replacing and fencing its previous incarnation, and a current
 * member rejoining. Each either answers at once (a retried or unchanged join) or parks the answer in
 * the member and lets {@link GroupRebalance} decide when the join phase ends. Kept apart from the
 * rebalance itself because these rules change with the JoinGroup API, the phase logic with the protocol.
 *
 * <p>Thread-safety: none. Only the coordinator's thread calls it and runs the pending-member timer.
 */
final class GroupJoin {
    private final GroupRegistry reg;
    private final MemberSessions sessions;
    private final GroupRebalance rebalance;

    GroupJoin(GroupRegistry reg, MemberSessions sessions, GroupRebalance rebalance) {
        this.reg = reg;
        this.sessions = sessions;
        this.rebalance = rebalance;
    }

    void joinGroup(JoinGroupRequestData req, short version, String clientId, String clientHost,
                   Consumer<JoinGroupResponseData> done) {
        String groupId = req.groupId();
        String memberId = req.memberId() == null ? "" : req.memberId();
        if (groupId == null || groupId.isEmpty()) {
            done.accept(JoinResponses.joinError(memberId, Errors.INVALID_GROUP_ID));
            return;
        }
        if (req.sessionTimeoutMs() < reg.config.minSessionTimeoutMs() || req.sessionTimeoutMs() > reg.config.maxSessionTimeoutMs()) {
            done.accept(JoinResponses.joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
            return;
        }
        List<MemberMetadata.Protocol> protocols = new ArrayList<>();
        req.protocols().forEach(p -> protocols.add(new MemberMetadata.Protocol(p.name(), p.metadata())));
        boolean unknownMember = memberId.isEmpty();
        GroupMetadata group = reg.groups.get(groupId);
        boolean created = false;
        if (group == null) {
            if (!unknownMember) {
                done.accept(JoinResponses.joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
                return;
            }
            group = new GroupMetadata(groupId, reg.now());
            reg.groups.put(groupId, group);
            created = true;
        }
        Errors error = null;
        if (group.is(GroupState.DEAD)) {
            error = Errors.COORDINATOR_NOT_AVAILABLE; // being deleted; the client looks for the coordinator again
        } else if (!group.supportsProtocols(req.protocolType(), protocols)) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        } else if (unknownMember && group.members.size() >= reg.config.maxGroupSize()
                && (req.groupInstanceId() == null || !group.staticMembers.containsKey(req.groupInstanceId()))) {
            error = Errors.GROUP_MAX_SIZE_REACHED;
        }
        if (error != null) {
            if (created) {
                reg.groups.remove(groupId);
            }
            done.accept(JoinResponses.joinError(memberId, error));
            return;
        }
        int rebalanceTimeout = version == 0 || req.rebalanceTimeoutMs() <= 0 ? req.sessionTimeoutMs() : req.rebalanceTimeoutMs();
        JoinParams p = new JoinParams(req.groupInstanceId(), clientId, clientHost, rebalanceTimeout, req.sessionTimeoutMs(),
                req.protocolType(), protocols, JoinGroupRequest.requiresKnownMemberId(version) && req.groupInstanceId() == null);
        if (unknownMember) {
            newMemberJoin(group, p, done);
        } else {
            currentMemberJoin(group, memberId, p, done);
        }
    }

    private record JoinParams(String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
                              int sessionTimeoutMs, String protocolType, List<MemberMetadata.Protocol> protocols,
                              boolean requireKnownMemberId) {
    }

    private void newMemberJoin(GroupMetadata group, JoinParams p, Consumer<JoinGroupResponseData> done) {
        String newMemberId = (p.clientId() == null ? "" : p.clientId()) + "-" + UUID.randomUUID();
        if (p.groupInstanceId() != null) {
            staticMemberJoin(group, newMemberId, p, done);
        } else if (p.requireKnownMemberId()) {
            // KIP-394: hand out the id first; the member joins for real with it.
            group.pendingMembers.put(newMemberId, reg.now());
            reg.scheduler.schedule(p.sessionTimeoutMs(), () -> expirePendingMember(group, newMemberId));
            done.accept(JoinResponses.joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
        } else {
            addMemberAndRebalance(group, newMemberId, p, done);
        }
    }

    private void expirePendingMember(GroupMetadata group, String memberId) {
        if (group.pendingMembers.remove(memberId) != null && group.is(GroupState.PREPARING_REBALANCE)) {
            rebalance.tryCompleteJoin(group);
        }
    }

    private void staticMemberJoin(GroupMetadata group, String newMemberId, JoinParams p, Consumer<JoinGroupResponseData> done) {
        String oldMemberId = group.staticMembers.get(p.groupInstanceId());
        if (oldMemberId == null) {
            addMemberAndRebalance(group, newMemberId, p, done);
            return;
        }
        // A static member came back with a new member id: it replaces (and fences) the old one.
        MemberMetadata old = group.get(oldMemberId);
        MemberMetadata member = new MemberMetadata(newMemberId, p.groupInstanceId(), p.clientId(), p.clientHost(),
                p.rebalanceTimeoutMs(), p.sessionTimeoutMs(), p.protocols());
        member.assignment = old.assignment;
        reg.scheduler.cancel(old.heartbeatTimer);
        if (old.awaitingJoin != null) {
            Consumer<JoinGroupResponseData> cb = old.awaitingJoin;
            old.awaitingJoin = null;
            cb.accept(JoinResponses.joinError(oldMemberId, Errors.FENCED_INSTANCE_ID));
        }
        if (old.awaitingSync != null) {
            Consumer<SyncGroupResponseData> cb = old.awaitingSync;
            old.awaitingSync = null;
            cb.accept(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        }
        boolean wasLeader = group.isLeader(oldMemberId);
        group.members.remove(oldMemberId);
        group.members.put(newMemberId, member);
        group.staticMembers.put(p.groupInstanceId(), newMemberId);
        if (wasLeader) {
            group.leaderId = newMemberId;
        }
        if (group.is(GroupState.STABLE) && !wasLeader && old.sameProtocols(p.protocols())) {
            // Nothing changed for the group: answer with the current generation, keep everyone's assignment.
            sessions.scheduleHeartbeat(group, member);
            reg.storeGroupAsync(group);
            done.accept(JoinResponses.joinResponse(group, member, false));
            return;
        }
        member.awaitingJoin = done;
        member.isNew = true;
        sessions.scheduleHeartbeat(group, member);
        if (group.is(GroupState.PREPARING_REBALANCE)) {
            rebalance.tryCompleteJoin(group);
        } else {
            rebalance.prepareRebalance(group, "static member " + p.groupInstanceId() + " rejoined with a new member id");
        }
    }

    private void currentMemberJoin(GroupMetadata group, String memberId, JoinParams p, Consumer<JoinGroupResponseData> done) {
        if (group.pendingMembers.remove(memberId) != null) {
            addMemberAndRebalance(group, memberId, p, done);
            return;
        }
        if (group.isStaticMemberFenced(p.groupInstanceId(), memberId)) {
            done.accept(JoinResponses.joinError(memberId, Errors.FENCED_INSTANCE_ID));
            return;
        }
        MemberMetadata member = group.get(memberId);
        if (member == null) {
            done.accept(JoinResponses.joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        switch (group.state) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(group, member, p, done);
            case COMPLETING_REBALANCE -> {
                if (member.sameProtocols(p.protocols())) {
                    // A retried JoinGroup whose answer was lost: answer it again.
                    done.accept(JoinResponses.joinResponse(group, member, group.isLeader(memberId)));
                } else {
                    updateMemberAndRebalance(group, member, p, done);
                }
            }
            case STABLE -> {
                if (group.isLeader(memberId) || !member.sameProtocols(p.protocols())) {
                    // The leader rejoining (e.g. its metadata changed) or a changed subscription rebalances.
                    updateMemberAndRebalance(group, member, p, done);
                } else {
                    sessions.scheduleHeartbeat(group, member);
                    done.accept(JoinResponses.joinResponse(group, member, false));
                }
            }
            default -> done.accept(JoinResponses.joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private void addMemberAndRebalance(GroupMetadata group, String memberId, JoinParams p, Consumer<JoinGroupResponseData> done) {
        MemberMetadata member = new MemberMetadata(memberId, p.groupInstanceId(), p.clientId(), p.clientHost(),
                p.rebalanceTimeoutMs(), p.sessionTimeoutMs(), p.protocols());
        member.isNew = true;
        member.awaitingJoin = done;
        if (group.members.isEmpty()) {
            group.protocolType = p.protocolType();
        }
        group.add(member);
        if (group.is(GroupState.PREPARING_REBALANCE) && group.initialDelayRemainingMs >= 0) {
            group.newMemberAdded = true;
        }
        sessions.scheduleHeartbeat(group, member);
        if (group.is(GroupState.PREPARING_REBALANCE)) {
            rebalance.tryCompleteJoin(group);
        } else {
            rebalance.prepareRebalance(group, "member " + memberId + " joined");
        }
    }

    private void updateMemberAndRebalance(GroupMetadata group, MemberMetadata member, JoinParams p, Consumer<JoinGroupResponseData> done) {
        member.protocols = List.copyOf(p.protocols());
        member.rebalanceTimeoutMs = p.rebalanceTimeoutMs();
        member.sessionTimeoutMs = p.sessionTimeoutMs();
        member.clientId = p.clientId();
        member.clientHost = p.clientHost();
        if (member.awaitingJoin != null) {
            // A duplicate join while one is pending: the older request gets the error, the newer waits.
            Consumer<JoinGroupResponseData> previous = member.awaitingJoin;
            member.awaitingJoin = null;
            previous.accept(JoinResponses.joinError(member.memberId, Errors.REBALANCE_IN_PROGRESS));
        }
        member.awaitingJoin = done;
        if (group.is(GroupState.PREPARING_REBALANCE)) {
            rebalance.tryCompleteJoin(group);
        } else {
            rebalance.prepareRebalance(group, "member " + member.memberId + " rejoined");
        }
    }
}
