package io.tributary.group;

import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The CompletingRebalance phase: SyncGroup, storing the leader's assignment and relaying it to every
 * waiting member, and the sync timeout. The assignment bytes are never looked into (eager and
 * cooperative assignors both work because the broker only relays them). Failing the phase (a store
 * error, members that never synced) starts a new rebalance through {@code prepareRebalance}, a
 * callback because the rebalance phase in turn ends by starting this one.
 *
 * <p>Thread-safety: none. The coordinator's thread calls it and also runs the sync timer and the
 * {@link GroupStore} completion, which is why both re-check the state and generation they were
 * started for before acting.
 */
final class GroupSync {
    private static final Logger LOG = LoggerFactory.getLogger(GroupSync.class);

    private final GroupRegistry reg;
    private final MemberSessions sessions;
    private final BiConsumer<GroupMetadata, String> prepareRebalance;

    GroupSync(GroupRegistry reg, MemberSessions sessions, BiConsumer<GroupMetadata, String> prepareRebalance) {
        this.reg = reg;
        this.sessions = sessions;
        this.prepareRebalance = prepareRebalance;
    }

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
                sessions.scheduleHeartbeat(group, member);
                done.accept(syncResponse(group, member));
            }
            case COMPLETING_REBALANCE -> {
                member.awaitingSync = done;
                sessions.scheduleHeartbeat(group, member);
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
                            prepareRebalance.accept(group, "storing the assignment failed");
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
                sessions.scheduleHeartbeat(group, m);
                cb.accept(syncResponse(group, m));
            }
        }
    }

    /** Drops every member's assignment and answers the waiting syncs with {@code error}. */
    void resetAndPropagateAssignmentError(GroupMetadata group, Errors error) {
        for (MemberMetadata m : group.members.values()) {
            m.assignment = new byte[0];
            if (m.awaitingSync != null) {
                Consumer<SyncGroupResponseData> cb = m.awaitingSync;
                m.awaitingSync = null;
                cb.accept(new SyncGroupResponseData().setErrorCode(error.code()));
            }
        }
    }

    /** Starts the sync phase's deadline: the group's largest rebalance timeout, for this generation only. */
    void startSyncTimer(GroupMetadata group) {
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
                sessions.removeMember(group, m, Errors.REBALANCE_IN_PROGRESS);
            }
        }
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            prepareRebalance.accept(group, "members failed to sync within the rebalance timeout");
        }
    }
}
