package io.tributary.group;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * The PreparingRebalance phase: entering it, the initial delay of a group's first generation
 * ({@code group.initial.rebalance.delay.ms}, KIP-134), the join timeout, and completing the join —
 * dropping members that did not rejoin, starting the next generation, choosing the protocol and
 * leader, answering every waiting JoinGroup and handing over to {@link GroupSync}. Separate from
 * {@link GroupJoin} because joins, leaves, expiries and failed syncs all end up here.
 *
 * <p>Thread-safety: none. The coordinator's thread calls it and runs its timers; a timer that fires
 * after the phase it was started for has ended finds the state or generation changed and does nothing.
 */
final class GroupRebalance {
    private static final Logger LOG = LoggerFactory.getLogger(GroupRebalance.class);

    private final GroupRegistry reg;
    private final MemberSessions sessions;
    private final GroupSync sync;

    GroupRebalance(GroupRegistry reg, MemberSessions sessions, GroupSync sync) {
        this.reg = reg;
        this.sessions = sessions;
        this.sync = sync;
    }

    void prepareRebalance(GroupMetadata group, String reason) {
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            sync.resetAndPropagateAssignmentError(group, Errors.REBALANCE_IN_PROGRESS);
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
        reg.rebalances++;
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
            sessions.scheduleHeartbeat(group, m);
            cb.accept(JoinResponses.joinResponse(group, m, group.isLeader(m.memberId)));
        }
        sync.startSyncTimer(group);
    }
}
