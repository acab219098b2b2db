package io.tributary.group;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The group coordinator engine: a plain, single-threaded state machine with no sockets and no Vert.x.
 * Membership is {@link GroupMembership}, offsets and group administration {@link GroupOffsets}; this
 * class is their front, answers COORDINATOR_LOAD_IN_PROGRESS until {@link #finishLoading} (after the
 * owner replayed {@code __consumer_offsets} through {@link #replay}), and runs offset expiry every
 * {@code offsets.retention.check.interval.ms}.
 *
 * <p>Thread-safety: none. Exactly one thread (the {@link GroupCoordinatorVerticle}'s context) calls
 * every method, runs every {@link Scheduler} task and every {@link GroupStore} completion.
 */
public final class GroupCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);

    private final GroupRegistry reg;
    private final GroupMembership membership;
    private final GroupOffsets offsets;
    private boolean loaded;
    private long expiryTimer = -1;

    public GroupCoordinator(GroupConfig config, Time time, Scheduler scheduler, GroupStore store) {
        this.reg = new GroupRegistry(config, time, scheduler, store);
        this.membership = new GroupMembership(reg);
        this.offsets = new GroupOffsets(reg, membership);
    }

    /** Partitions of the existing {@code __consumer_offsets} topic; call before loading. */
    public void setPartitionCount(int partitions) {
        reg.partitions = partitions;
    }

    public int partitionFor(String groupId) {
        return reg.partitionFor(groupId);
    }

    public boolean isLoaded() {
        return loaded;
    }

    // ---------------------------------------------------------------- loading

    /**
     * Applies one record of {@code __consumer_offsets} in log order: the latest value of a key wins, a
     * null value (tombstone) deletes. Keys this coordinator does not own are skipped.
     */
    public void replay(ByteBuffer key, ByteBuffer value) {
        CoordinatorRecords.Key k = CoordinatorRecords.readKey(key);
        if (k == null) {
            return;
        }
        GroupMetadata group = reg.groups.get(k.group());
        if (k.isOffset()) {
            if (value == null) {
                if (group != null) {
                    group.offsets.remove(k.tp());
                }
                return;
            }
            if (group == null) {
                group = new GroupMetadata(k.group(), reg.now());
                reg.groups.put(k.group(), group);
            }
            group.offsets.put(k.tp(), CoordinatorRecords.readOffsetValue(value));
            return;
        }
        if (value == null) {
            reg.groups.remove(k.group());
            return;
        }
        CoordinatorRecords.StoredGroup stored = CoordinatorRecords.readGroupValue(value);
        GroupMetadata fresh = new GroupMetadata(k.group(), stored.currentStateTimestamp() >= 0 ? stored.currentStateTimestamp() : reg.now());
        if (group != null) {
            fresh.offsets.putAll(group.offsets);
        }
        fresh.protocolType = stored.protocolType() == null || stored.protocolType().isEmpty() ? null : stored.protocolType();
        fresh.generationId = stored.generation();
        fresh.protocolName = stored.protocol();
        fresh.leaderId = stored.leader();
        for (CoordinatorRecords.StoredMember m : stored.members()) {
            MemberMetadata member = new MemberMetadata(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(),
                    List.of(new MemberMetadata.Protocol(stored.protocol() == null ? "" : stored.protocol(), m.subscription())));
            member.assignment = m.assignment();
            fresh.members.put(member.memberId, member);
            if (member.isStatic()) {
                fresh.staticMembers.put(member.groupInstanceId, member.memberId);
            }
        }
        // A group stored with members was Stable (members are only stored with their assignment).
        fresh.state = fresh.members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
        if (fresh.leaderId != null && !fresh.members.containsKey(fresh.leaderId)) {
            fresh.leaderId = fresh.members.isEmpty() ? null : fresh.members.keySet().iterator().next();
        }
        reg.groups.put(k.group(), fresh);
    }

    /** Ends loading: restored members get a session to prove themselves; the APIs start answering. */
    public void finishLoading() {
        for (GroupMetadata g : reg.groups.values()) {
            membership.resumeLoaded(g);
        }
        loaded = true;
        scheduleExpiry();
        LOG.info("group coordinator loaded {} groups", reg.groups.size());
    }

    private void scheduleExpiry() {
        expiryTimer = reg.scheduler.schedule(reg.config.retentionCheckIntervalMs(), () -> {
            try {
                offsets.expireOffsets();
            } catch (RuntimeException e) {
                LOG.error("offset expiry failed", e);
            }
            scheduleExpiry();
        });
    }

    /** Cancels every timer and answers every waiting request with NOT_COORDINATOR (the node is stopping). */
    public void shutdown() {
        reg.scheduler.cancel(expiryTimer);
        for (GroupMetadata g : reg.groups.values()) {
            membership.shutdownGroup(g, Errors.NOT_COORDINATOR);
        }
        loaded = false;
    }

    // ---------------------------------------------------------------- membership

    public void joinGroup(JoinGroupRequestData req, short version, String clientId, String clientHost,
                          Consumer<JoinGroupResponseData> done) {
        if (!loaded) {
            done.accept(JoinResponses.joinError(req.memberId(), Errors.COORDINATOR_LOAD_IN_PROGRESS));
            return;
        }
        membership.joinGroup(req, version, clientId, clientHost, done);
    }

    public void syncGroup(SyncGroupRequestData req, Consumer<SyncGroupResponseData> done) {
        if (!loaded) {
            done.accept(new SyncGroupResponseData().setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()));
            return;
        }
        membership.syncGroup(req, done);
    }

    public Errors heartbeat(HeartbeatRequestData req) {
        return loaded ? membership.heartbeat(req) : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /** Per-member results; the group-level error is {@link Errors#COORDINATOR_LOAD_IN_PROGRESS} or null. */
    public List<MemberResponse> leaveGroup(String groupId, List<MemberIdentity> members) {
        if (!loaded) {
            return null;
        }
        return membership.leaveGroup(groupId, members);
    }

    // ---------------------------------------------------------------- offsets

    public void commitOffsets(String groupId, String memberId, String groupInstanceId, int generation,
                              Map<TopicPartition, OffsetAndMetadata> commits, Consumer<Map<TopicPartition, Errors>> done) {
        if (!loaded) {
            Map<TopicPartition, Errors> r = new LinkedHashMap<>();
            commits.keySet().forEach(tp -> r.put(tp, Errors.COORDINATOR_LOAD_IN_PROGRESS));
            done.accept(r);
            return;
        }
        offsets.commitOffsets(groupId, memberId, groupInstanceId, generation, commits, done);
    }

    /** Committed offsets (all of the group's when {@code partitions} is null); null while loading. */
    public Map<TopicPartition, OffsetAndMetadata> fetchOffsets(String groupId, List<TopicPartition> partitions) {
        return loaded ? offsets.fetchOffsets(groupId, partitions) : null;
    }

    public record DeleteOffsetsResult(Errors groupError, Map<TopicPartition, Errors> partitions) {
    }

    public void deleteOffsets(String groupId, List<TopicPartition> partitions, Consumer<DeleteOffsetsResult> done) {
        if (!loaded) {
            done.accept(new DeleteOffsetsResult(Errors.COORDINATOR_LOAD_IN_PROGRESS, Map.of()));
            return;
        }
        offsets.deleteOffsets(groupId, partitions, r -> done.accept(new DeleteOffsetsResult(r.groupError(), r.partitions())));
    }

    /** Removes (with tombstones) every group's committed offsets for a deleted topic; returns how many. */
    public int deleteOffsetsOfTopic(String topic) {
        return loaded ? offsets.deleteOffsetsOfTopic(topic) : 0;
    }

    /** Runs offset expiry now (the timer does it every {@code offsets.retention.check.interval.ms}). */
    public int expireOffsets() {
        return offsets.expireOffsets();
    }

    // ---------------------------------------------------------------- administration

    public record GroupListing(String groupId, String protocolType, String state) {
    }

    /** Groups in one of {@code states} (display names, any case; all when empty). Null while loading. */
    public List<GroupListing> listGroups(Set<String> states) {
        if (!loaded) {
            return null;
        }
        List<GroupListing> out = new ArrayList<>();
        for (GroupMetadata g : reg.groups.values()) {
            if (g.is(GroupState.DEAD)) {
                continue;
            }
            if (!states.isEmpty() && states.stream().noneMatch(s -> s.equalsIgnoreCase(g.state.displayName()))) {
                continue;
            }
            out.add(new GroupListing(g.groupId, g.protocolType == null ? "" : g.protocolType, g.state.displayName()));
        }
        return out;
    }

    public record MemberDescription(String memberId, String groupInstanceId, String clientId, String clientHost,
                                    byte[] metadata, byte[] assignment) {
    }

    /** What DescribeGroups shows; {@code found} false for an unknown group (state Dead, as Kafka answers). */
    public record GroupDescription(Errors error, boolean found, String groupId, String state, String protocolType,
                                   String protocolData, List<MemberDescription> members) {
    }

    public GroupDescription describeGroup(String groupId) {
        if (!loaded) {
            return new GroupDescription(Errors.COORDINATOR_LOAD_IN_PROGRESS, false, groupId, "", "", "", List.of());
        }
        GroupMetadata g = reg.groups.get(groupId);
        if (g == null || g.is(GroupState.DEAD)) {
            return new GroupDescription(Errors.NONE, false, groupId, GroupState.DEAD.displayName(), "", "", List.of());
        }
        // As Kafka: protocol and member metadata/assignments only once the group is Stable.
        boolean stable = g.is(GroupState.STABLE);
        List<MemberDescription> members = new ArrayList<>();
        for (MemberMetadata m : g.members.values()) {
            members.add(new MemberDescription(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                    stable && g.protocolName != null ? m.metadata(g.protocolName) : new byte[0],
                    stable ? m.assignment : new byte[0]));
        }
        return new GroupDescription(Errors.NONE, true, groupId, g.state.displayName(),
                g.protocolType == null ? "" : g.protocolType, stable && g.protocolName != null ? g.protocolName : "", members);
    }

    public void deleteGroups(List<String> groupIds, Consumer<Map<String, Errors>> done) {
        if (!loaded) {
            Map<String, Errors> r = new LinkedHashMap<>();
            groupIds.forEach(id -> r.put(id, Errors.COORDINATOR_LOAD_IN_PROGRESS));
            done.accept(r);
            return;
        }
        offsets.deleteGroups(groupIds, done);
    }

    /** The group's state display name, or null if unknown (tests, metrics). */
    public String groupState(String groupId) {
        GroupMetadata g = reg.groups.get(groupId);
        return g == null ? null : g.state.displayName();
    }

    /** The group's generation, or -1 if unknown. */
    public int generation(String groupId) {
        GroupMetadata g = reg.groups.get(groupId);
        return g == null ? -1 : g.generationId;
    }

    // ---------------------------------------------------------------- metrics

    /** A copy of one group for a metrics scrape: state, member count and committed offsets. */
    public record GroupView(String groupId, String state, int members, Map<TopicPartition, Long> offsets) {
    }

    /** Groups and join phases completed since start, copied for a scrape; null while loading. */
    public record MetricsView(List<GroupView> groups, long rebalances) {
    }

    /**
     * Every group but the Dead ones (those ListGroups shows, as kafka_exporter scrapes them), copied so the
     * scrape never holds a reference into this thread's state. Costs one map copy per group.
     */
    public MetricsView metricsView() {
        if (!loaded) {
            return null;
        }
        List<GroupView> out = new ArrayList<>(reg.groups.size());
        for (GroupMetadata g : reg.groups.values()) {
            if (g.is(GroupState.DEAD)) {
                continue;
            }
            Map<TopicPartition, Long> offsets = new java.util.HashMap<>(g.offsets.size() * 2);
            g.offsets.forEach((tp, om) -> offsets.put(tp, om.offset()));
            out.add(new GroupView(g.groupId, g.state.displayName(), g.members.size(), offsets));
        }
        return new MetricsView(out, reg.rebalances);
    }
}
