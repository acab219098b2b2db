package io.tributary.group;

import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * SyncGroup answers wait until the leader's assignment is stored. Everything runs on the coordinator's
 * single thread; timers come from the injected {@link Scheduler}.
 */
final class GroupMembership {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMembership.class);

    private final GroupRegistry reg;

    GroupMembership(GroupRegistry reg) {
        this.reg = reg;
    }

    // ---------------------------------------------------------------- JoinGroup

    void joinGroup(JoinGroupRequestData req, short version, String clientId, String clientHost,
                   Consumer<JoinGroupResponseData> done) {
        String groupId = req.groupId();
        String memberId = req.memberId() == null ? "" : req.memberId();
        if (groupId == null || groupId.isEmpty()) {
            done.accept(joinError(memberId, Errors.INVALID_GROUP_ID));
            return;
        }
        if (req.sessionTimeoutMs() < reg.config.minSessionTimeoutMs() || req.sessionTimeoutMs() > reg.config.maxSessionTimeoutMs()) {
            done.accept(joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
            return;
        }
        List<MemberMetadata.Protocol> protocols = new ArrayList<>();
        req.protocols().forEach(p -> protocols.add(new MemberMetadata.Protocol(p.name(), p.metadata())));
        boolean unknownMember = memberId.isEmpty();
        GroupMetadata group = reg.groups.get(groupId);
        boolean created = false;
        if (group == null) {
            if (!unknownMember) {
                done.accept(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
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
            done.accept(joinError(memberId, error));
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
            done.accept(joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
        } else {
            addMemberAndRebalance(group, newMemberId, p, done);
        }
    }

    private void expirePendingMember(GroupMetadata group, String memberId) {
        if (group.pendingMembers.remove(memberId) != null && group.is(GroupState.PREPARING_REBALANCE)) {
            tryCompleteJoin(group);
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
            cb.accept(joinError(oldMemberId, Errors.FENCED_INSTANCE_ID));
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
            scheduleHeartbeat(group, member);
            reg.storeGroupAsync(group);
            done.accept(joinResponse(group, member, false));
            return;
        }
        member.awaitingJoin = done;
        member.isNew = true;
        scheduleHeartbeat(group, member);
        if (group.is(GroupState.PREPARING_REBALANCE)) {
            tryCompleteJoin(group);
        } else {
            prepareRebalance(group, "static member " + p.groupInstanceId() + " rejoined with a new member id");
        }
    }

    private void currentMemberJoin(GroupMetadata group, String memberId, JoinParams p, Consumer<JoinGroupResponseData> done) {
        if (group.pendingMembers.remove(memberId) != null) {
            addMemberAndRebalance(group, memberId, p, done);
            return;
        }
        if (group.isStaticMemberFenced(p.groupInstanceId(), memberId)) {
            done.accept(joinError(memberId, Errors.FENCED_INSTANCE_ID));
            return;
        }
        MemberMetadata member = group.get(memberId);
        if (member == null) {
            done.accept(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        switch (group.state) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(group, member, p, done);
            case COMPLETING_REBALANCE -> {
                if (member.sameProtocols(p.protocols())) {
                    // A retried JoinGroup whose answer was lost: answer it again.
                    done.accept(joinResponse(group, member, group.isLeader(memberId)));
                } else {
                    updateMemberAndRebalance(group, member, p, done);
                }
            }
            case STABLE -> {
                if (group.isLeader(memberId) || !member.sameProtocols(p.protocols())) {
                    // The leader rejoining (e.g. its metadata changed) or a changed subscription rebalances.
                    updateMemberAndRebalance(group, member, p, done);
                } else {
                    scheduleHeartbeat(group, member);
                    done.accept(joinResponse(group, member, false));
                }
            }
            default -> done.accept(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
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
        scheduleHeartbeat(group, member);
        if (group.is(GroupState.PREPARING_REBALANCE)) {
            tryCompleteJoin(group);
        } else {
            prepareRebalance(group, "member " + memberId + " joined");
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
            previous.accept(joinError(member.memberId, Errors.REBALANCE_IN_PROGRESS));
        }
        member.awaitingJoin = done;
        if (group.is(GroupState.PREPARING_REBALANCE)) {
            tryCompleteJoin(group);
        } else {
            prepareRebalance(group, "member " + member.memberId + " rejoined");
        }
    }

    // ---------------------------------------------------------------- rebalance

    void prepareRebalance(GroupMetadata group, String reason) {
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            resetAndPropagateAssignmentError(group, Errors.REBALANCE_IN_PROGRESS);
        }
        reg.scheduler.cancel(group.syncTimer);
        group.syncTimer = -1;
        reg.scheduler.cancel(group.joinTimer);
        boolean initial = group.is(GroupState.EMPTY);
        group.transitionTo(GroupState.PREPARING_REBALANCE, reg.now());
        LOG.info("group {} is rebalancing from generation {}: {}", group.groupId, group.generationId, reason);
        if (initial) {
            // KIP-134: wait a little for more members before the first generation.
            int delay = reg.config.initialRebalanceDelayMs();
            group.newMemberAdded = false;
            group.initialDelayRemainingMs = Math.max(group.maxRebalanceTimeoutMs() - delay, 0);
            group.joinTimer = reg.scheduler.schedule(delay, () -> onInitialDelayExpired(group));
        } else {
            group.initialDelayRemainingMs = -1;
            int generation = group.generationId;
            group.joinTimer = reg.scheduler.schedule(group.maxRebalanceTimeoutMs(), () -> onJoinTimeout(group, generation));
            tryCompleteJoin(group);
        }
    }

    private void onInitialDelayExpired(GroupMetadata group) {
        group.joinTimer = -1;
        if (!group.is(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        long remaining = group.initialDelayRemainingMs;
        if (group.newMemberAdded && remaining > 0) {
            group.newMemberAdded = false;
            long delay = Math.min(reg.config.initialRebalanceDelayMs(), remaining);
            group.initialDelayRemainingMs = Math.max(remaining - delay, 0);
            group.joinTimer = reg.scheduler.schedule(delay, () -> onInitialDelayExpired(group));
        } else {
            group.initialDelayRemainingMs = -1;
            completeJoin(group);
        }
    }

    private void onJoinTimeout(GroupMetadata group, int generation) {
        group.joinTimer = -1;
        if (group.is(GroupState.PREPARING_REBALANCE) && group.generationId == generation) {
            completeJoin(group);
        }
    }

    void tryCompleteJoin(GroupMetadata group) {
        if (group.is(GroupState.PREPARING_REBALANCE) && group.initialDelayRemainingMs < 0 && group.hasAllMembersJoined()) {
            reg.scheduler.cancel(group.joinTimer);
            group.joinTimer = -1;
            completeJoin(group);
        }
    }

    /** Ends the join phase: drops members that did not rejoin, starts the next generation, answers the joins. */
    private void completeJoin(GroupMetadata group) {
        for (MemberMetadata m : group.memberList()) {
            if (m.awaitingJoin == null) {
                LOG.info("member {} of group {} did not rejoin in time; removing it", m.memberId, group.groupId);
                reg.scheduler.cancel(m.heartbeatTimer);
                group.remove(m.memberId);
            }
        }
        group.generationId++;
        for (MemberMetadata m : group.members.values()) {
            m.assignment = new byte[0];
        }
        if (group.members.isEmpty()) {
            group.protocolName = null;
            group.leaderId = null;
            group.transitionTo(GroupState.EMPTY, reg.now());
            LOG.info("group {} with generation {} is now empty", group.groupId, group.generationId);
            reg.storeGroupAsync(group);
            return;
        }
        if (group.leaderId == null || !group.has(group.leaderId)) {
            group.leaderId = group.members.keySet().iterator().next();
        }
        group.protocolName = group.selectProtocol();
        group.transitionTo(GroupState.COMPLETING_REBALANCE, reg.now());
        LOG.info("stabilized group {} generation {} ({} members, protocol {})", group.groupId, group.generationId,
                group.members.size(), group.protocolName);
        for (MemberMetadata m : group.memberList()) {
            Consumer<JoinGroupResponseData> cb = m.awaitingJoin;
            m.awaitingJoin = null;
            m.isNew = false;
            scheduleHeartbeat(group, m);
            cb.accept(joinResponse(group, m, group.isLeader(m.memberId)));
        }
        int generation = group.generationId;
        group.syncTimer = reg.scheduler.schedule(group.maxRebalanceTimeoutMs(), () -> onSyncTimeout(group, generation));
    }

    /** Members that never sent SyncGroup within the rebalance timeout are removed and the group rebalances. */
    private void onSyncTimeout(GroupMetadata group, int generation) {
        group.syncTimer = -1;
        if (!group.is(GroupState.COMPLETING_REBALANCE) || group.generationId != generation) {
            return;
        }
        for (MemberMetadata m : group.memberList()) {
            if (m.awaitingSync == null) {
                LOG.info("member {} of group {} did not sync in time; removing it", m.memberId, group.groupId);
                removeMember(group, m, Errors.REBALANCE_IN_PROGRESS);
            }
        }
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            prepareRebalance(group, "members failed to sync within the rebalance timeout");
        }
    }

    private JoinGroupResponseData joinResponse(GroupMetadata group, MemberMetadata member, boolean withMembers) {
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

    // ---------------------------------------------------------------- SyncGroup

    void syncGroup(SyncGroupRequestData req, Consumer<SyncGroupResponseData> done) {
        GroupMetadata group = reg.groups.get(req.groupId());
        Errors error = null;
        if (group == null) {
            error = Errors.UNKNOWN_MEMBER_ID;
        } else if (group.is(GroupState.DEAD)) {
            error = Errors.COORDINATOR_NOT_AVAILABLE;
        } else if (group.isStaticMemberFenced(req.groupInstanceId(), req.memberId())) {
            error = Errors.FENCED_INSTANCE_ID;
        } else if (!group.has(req.memberId())) {
            error = Errors.UNKNOWN_MEMBER_ID;
        } else if (req.generationId() != group.generationId) {
            error = Errors.ILLEGAL_GENERATION;
        } else if ((req.protocolType() != null && !req.protocolType().equals(group.protocolType))
                || (req.protocolName() != null && !req.protocolName().equals(group.protocolName))) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (error != null) {
            done.accept(new SyncGroupResponseData().setErrorCode(error.code()));
            return;
        }
        MemberMetadata member = group.get(req.memberId());
        switch (group.state) {
            case PREPARING_REBALANCE -> done.accept(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
            case STABLE -> {
                scheduleHeartbeat(group, member);
                done.accept(syncResponse(group, member));
            }
            case COMPLETING_REBALANCE -> {
                member.awaitingSync = done;
                scheduleHeartbeat(group, member);
                if (group.isLeader(member.memberId)) {
                    Map<String, byte[]> assignments = new HashMap<>();
                    req.assignments().forEach(a -> {
                        if (group.has(a.memberId())) {
                            assignments.put(a.memberId(), a.assignment());
                        }
                    });
                    group.members.keySet().forEach(id -> assignments.putIfAbsent(id, new byte[0]));
                    int generation = group.generationId;
                    // The assignment is stored before anyone learns it, so a restarted node still knows it.
                    reg.storeGroup(group, assignments, err -> {
                        if (!group.is(GroupState.COMPLETING_REBALANCE) || group.generationId != generation) {
                            return;
                        }
                        if (err != null) {
                            LOG.warn("storing the assignment of group {} failed: {}", group.groupId, err.toString());
                            resetAndPropagateAssignmentError(group, Errors.COORDINATOR_NOT_AVAILABLE);
                            prepareRebalance(group, "storing the assignment failed");
                        } else {
                            reg.scheduler.cancel(group.syncTimer);
                            group.syncTimer = -1;
                            group.members.values().forEach(m -> m.assignment = assignments.getOrDefault(m.memberId, new byte[0]));
                            group.transitionTo(GroupState.STABLE, reg.now());
                            propagateAssignment(group);
                        }
                    });
                }
            }
            default -> done.accept(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
        }
    }

    private static SyncGroupResponseData syncResponse(GroupMetadata group, MemberMetadata member) {
        return new SyncGroupResponseData().setErrorCode(Errors.NONE.code())
                .setProtocolType(group.protocolType)
                .setProtocolName(group.protocolName)
                .setAssignment(member.assignment);
    }

    private void propagateAssignment(GroupMetadata group) {
        for (MemberMetadata m : group.members.values()) {
            if (m.awaitingSync != null) {
                Consumer<SyncGroupResponseData> cb = m.awaitingSync;
                m.awaitingSync = null;
                scheduleHeartbeat(group, m);
                cb.accept(syncResponse(group, m));
            }
        }
    }

    private void resetAndPropagateAssignmentError(GroupMetadata group, Errors error) {
        for (MemberMetadata m : group.members.values()) {
            m.assignment = new byte[0];
            if (m.awaitingSync != null) {
                Consumer<SyncGroupResponseData> cb = m.awaitingSync;
                m.awaitingSync = null;
                cb.accept(new SyncGroupResponseData().setErrorCode(error.code()));
            }
        }
    }

    // ---------------------------------------------------------------- Heartbeat

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
        removeMemberAndUpdateGroup(group, member, "session timeout of " + member.memberId);
    }

    // ---------------------------------------------------------------- LeaveGroup

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
                    tryCompleteJoin(group);
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

    /** Removes a member without moving the group: cancels its timer and answers what it still waits for. */
    void removeMember(GroupMetadata group, MemberMetadata member, Errors pendingAnswer) {
        reg.scheduler.cancel(member.heartbeatTimer);
        member.heartbeatTimer = -1;
        if (member.awaitingJoin != null) {
            Consumer<JoinGroupResponseData> cb = member.awaitingJoin;
            member.awaitingJoin = null;
            cb.accept(joinError(member.memberId, Errors.UNKNOWN_MEMBER_ID));
        }
        if (member.awaitingSync != null) {
            Consumer<SyncGroupResponseData> cb = member.awaitingSync;
            member.awaitingSync = null;
            cb.accept(new SyncGroupResponseData().setErrorCode(pendingAnswer.code()));
        }
        group.remove(member.memberId);
    }

    private void removeMemberAndUpdateGroup(GroupMetadata group, MemberMetadata member, String reason) {
        removeMember(group, member, Errors.UNKNOWN_MEMBER_ID);
        switch (group.state) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason);
            case PREPARING_REBALANCE -> tryCompleteJoin(group);
            default -> {
            }
        }
    }

    /** After loading: members restored from the log get a fresh session to prove they are alive. */
    void resumeLoaded(GroupMetadata group) {
        for (MemberMetadata m : group.members.values()) {
            scheduleHeartbeat(group, m);
        }
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
                cb.accept(joinError(m.memberId, error));
            }
            if (m.awaitingSync != null) {
                Consumer<SyncGroupResponseData> cb = m.awaitingSync;
                m.awaitingSync = null;
                cb.accept(new SyncGroupResponseData().setErrorCode(error.code()));
            }
        }
    }
}
