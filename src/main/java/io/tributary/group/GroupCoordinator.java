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
    private final OwnedPartitions owned = new OwnedPartitions();
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

    /** Whether every partition owned is loaded (and at least one is owned). */
    public boolean isLoaded() {
        return !owned.anyLoading() && ownsAny();
    }

    private boolean ownsAny() {
        for (int p = 0; p < reg.partitions; p++) {
            if (owned.isLoaded(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this coordinator answers for {@code groupId} now: NONE, NOT_COORDINATOR (its partition of
     * {@code __consumer_offsets} is not owned here) or COORDINATOR_LOAD_IN_PROGRESS.
     */
    public Errors availability(String groupId) {
        return owned.error(reg.partitionFor(groupId));
    }

    // ---------------------------------------------------------------- loading

    /**
     * Applies one record of {@code __consumer_offsets} in log order: the latest value of a key wins, a
     * null value (tombstone) deletes. Keys this coordinator does not own are skipped.
     */
    public void replay(ByteBuffer key, ByteBuffer value) {
        GroupReplay.apply(reg, key, value);
    }

    /** Ends loading of every partition (one node owns them all); restored members get a session to prove themselves. */
    public void finishLoading() {
        for (int p = 0; p < reg.partitions; p++) {
            owned.beginLoading(p);
            owned.loaded(p);
        }
        for (GroupMetadata g : reg.groups.values()) {
            membership.resumeLoaded(g);
        }
        scheduleExpiry();
        LOG.info("group coordinator loaded {} groups", reg.groups.size());
    }

    /**
     * This coordinator starts serving {@code partition} (this broker became its leader): its groups answer
     * COORDINATOR_LOAD_IN_PROGRESS until {@link #finishLoading(int)}. False if it serves it already.
     */
    public boolean beginLoading(int partition) {
        return owned.beginLoading(partition);
    }

    /** The partition's records are replayed: its restored members get a session; its groups start answering. */
    public void finishLoading(int partition) {
        if (owned.isLoaded(partition) || owned.error(partition) == Errors.NOT_COORDINATOR) {
            return; // unloaded meanwhile
        }
        int groups = 0;
        for (GroupMetadata g : reg.groups.values()) {
            if (reg.partitionFor(g.groupId) == partition) {
                membership.resumeLoaded(g);
                groups++;
            }
        }
        owned.loaded(partition);
        if (expiryTimer < 0) {
            scheduleExpiry();
        }
        LOG.info("group coordinator loaded partition {} ({} groups)", partition, groups);
    }

    /**
     * This broker no longer leads {@code partition}: its groups are dropped from memory (their waiting requests
     * answered NOT_COORDINATOR, so clients find the new coordinator), as Kafka's {@code onResignation}.
     */
    public void unload(int partition) {
        if (!owned.unload(partition)) {
            return;
        }
        int groups = 0;
        for (java.util.Iterator<GroupMetadata> it = reg.groups.values().iterator(); it.hasNext(); ) {
            GroupMetadata g = it.next();
            if (reg.partitionFor(g.groupId) != partition) {
                continue;
            }
            membership.shutdownGroup(g, Errors.NOT_COORDINATOR);
            g.state = GroupState.DEAD; // late store completions must not bring it back
            it.remove();
            groups++;
        }
        LOG.info("group coordinator unloaded partition {} ({} groups)", partition, groups);
    }

    /** Whether the group's partition is owned and loaded here. */
    private boolean serves(GroupMetadata g) {
        return owned.isLoaded(reg.partitionFor(g.groupId));
    }

    private void scheduleExpiry() {
        expiryTimer = reg.scheduler.schedule(reg.config.retentionCheckIntervalMs(), () -> {
            try {
                offsets.expireOffsets(this::serves);
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
        for (int p = 0; p < reg.partitions; p++) {
            owned.unload(p);
        }
    }

    // ---------------------------------------------------------------- membership

    public void joinGroup(JoinGroupRequestData req, short version, String clientId, String clientHost,
                          Consumer<JoinGroupResponseData> done) {
        Errors unavailable = availability(req.groupId());
        if (unavailable != Errors.NONE) {
            done.accept(JoinResponses.joinError(req.memberId(), unavailable));
            return;
        }
        membership.joinGroup(req, version, clientId, clientHost, done);
    }

    public void syncGroup(SyncGroupRequestData req, Consumer<SyncGroupResponseData> done) {
        Errors unavailable = availability(req.groupId());
        if (unavailable != Errors.NONE) {
            done.accept(new SyncGroupResponseData().setErrorCode(unavailable.code()));
            return;
        }
        membership.syncGroup(req, done);
    }

    public Errors heartbeat(HeartbeatRequestData req) {
        Errors unavailable = availability(req.groupId());
        return unavailable == Errors.NONE ? membership.heartbeat(req) : unavailable;
    }

    /** Per-member results; null when the group is not answerable here now (see {@link #availability}). */
    public List<MemberResponse> leaveGroup(String groupId, List<MemberIdentity> members) {
        if (availability(groupId) != Errors.NONE) {
            return null;
        }
        return membership.leaveGroup(groupId, members);
    }

    // ---------------------------------------------------------------- offsets

    public void commitOffsets(String groupId, String memberId, String groupInstanceId, int generation,
                              Map<TopicPartition, OffsetAndMetadata> commits, Consumer<Map<TopicPartition, Errors>> done) {
        Errors unavailable = availability(groupId);
        if (unavailable != Errors.NONE) {
            Map<TopicPartition, Errors> r = new LinkedHashMap<>();
            commits.keySet().forEach(tp -> r.put(tp, unavailable));
            done.accept(r);
            return;
        }
        offsets.commitOffsets(groupId, memberId, groupInstanceId, generation, commits, done);
    }

    /** Committed offsets (all of the group's when {@code partitions} is null); null when not answerable (see {@link #availability}). */
    public Map<TopicPartition, OffsetAndMetadata> fetchOffsets(String groupId, List<TopicPartition> partitions) {
        return availability(groupId) == Errors.NONE ? offsets.fetchOffsets(groupId, partitions) : null;
    }

    public record DeleteOffsetsResult(Errors groupError, Map<TopicPartition, Errors> partitions) {
    }

    public void deleteOffsets(String groupId, List<TopicPartition> partitions, Consumer<DeleteOffsetsResult> done) {
        Errors unavailable = availability(groupId);
        if (unavailable != Errors.NONE) {
            done.accept(new DeleteOffsetsResult(unavailable, Map.of()));
            return;
        }
        offsets.deleteOffsets(groupId, partitions, r -> done.accept(new DeleteOffsetsResult(r.groupError(), r.partitions())));
    }

    /** Removes (with tombstones) every group's committed offsets for a deleted topic; returns how many. */
    public int deleteOffsetsOfTopic(String topic) {
        return offsets.deleteOffsetsOfTopic(topic, this::serves);
    }

    /** Runs offset expiry now (the timer does it every {@code offsets.retention.check.interval.ms}). */
    public int expireOffsets() {
        return offsets.expireOffsets(this::serves);
    }

    // ---------------------------------------------------------------- administration

    public record GroupListing(String groupId, String protocolType, String state) {
    }

    /** Groups served here in one of {@code states} (display names, any case; all when empty). Null while a partition loads. */
    public List<GroupListing> listGroups(Set<String> states) {
        if (owned.anyLoading()) {
            return null;
        }
        List<GroupListing> out = new ArrayList<>();
        for (GroupMetadata g : reg.groups.values()) {
            if (g.is(GroupState.DEAD) || !serves(g)) {
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
        Errors unavailable = availability(groupId);
        if (unavailable != Errors.NONE) {
            return new GroupDescription(unavailable, false, groupId, "", "", "", List.of());
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
        Map<String, Errors> refused = new LinkedHashMap<>();
        List<String> here = new ArrayList<>();
        for (String id : groupIds) {
            Errors unavailable = availability(id);
            if (unavailable == Errors.NONE) {
                here.add(id);
            } else {
                refused.put(id, unavailable);
            }
        }
        if (here.isEmpty()) {
            done.accept(refused);
            return;
        }
        offsets.deleteGroups(here, r -> {
            Map<String, Errors> all = new LinkedHashMap<>();
            for (String id : groupIds) {
                all.put(id, refused.containsKey(id) ? refused.get(id) : r.get(id));
            }
            done.accept(all);
        });
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
        if (owned.anyLoading()) {
            return null;
        }
        List<GroupView> out = new ArrayList<>(reg.groups.size());
        for (GroupMetadata g : reg.groups.values()) {
            if (g.is(GroupState.DEAD) || !serves(g)) {
                continue;
            }
            Map<TopicPartition, Long> offsets = new java.util.HashMap<>(g.offsets.size() * 2);
            g.offsets.forEach((tp, om) -> offsets.put(tp, om.offset()));
            out.add(new GroupView(g.groupId, g.state.displayName(), g.members.size(), offsets));
        }
        return new MetricsView(out, reg.rebalances);
    }
}
