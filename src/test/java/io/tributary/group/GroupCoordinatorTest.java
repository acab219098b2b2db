package io.tributary.group;

import io.tributary.testing.ManualTime;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator state machine alone: no network, no Vert.x, a manual clock, no sleeps. */
class GroupCoordinatorTest {
    static final int SESSION = 10_000;
    static final int REBALANCE = 30_000;
    static final int DELAY = 3_000;

    ManualTime time;
    ManualScheduler scheduler;
    MemoryStore store;
    GroupCoordinator coordinator;
    GroupConfig config;

    @BeforeEach
    void setUp() {
        time = new ManualTime(1_000_000);
        scheduler = new ManualScheduler(time);
        store = new MemoryStore();
        config = new GroupConfig(5, 60_000, 1_000, DELAY, 6_000, 300_000, 3, 4096);
        coordinator = newCoordinator();
        coordinator.finishLoading();
    }

    private GroupCoordinator newCoordinator() {
        return new GroupCoordinator(config, time, scheduler, store);
    }

    // ---------------------------------------------------------------- helpers

    private static JoinGroupRequestData joinRequest(String group, String memberId, String instanceId, String... protocols) {
        JoinGroupRequestProtocolCollection c = new JoinGroupRequestProtocolCollection();
        for (String p : protocols) {
            c.add(new JoinGroupRequestProtocol().setName(p).setMetadata(("sub-" + p).getBytes(StandardCharsets.UTF_8)));
        }
        return new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setGroupInstanceId(instanceId)
                .setSessionTimeoutMs(SESSION).setRebalanceTimeoutMs(REBALANCE).setProtocolType("consumer").setProtocols(c);
    }

    private AtomicReference<JoinGroupResponseData> join(JoinGroupRequestData req) {
        AtomicReference<JoinGroupResponseData> out = new AtomicReference<>();
        coordinator.joinGroup(req, (short) 9, "client", "/127.0.0.1", out::set);
        return out;
    }

    /** Joins with MEMBER_ID_REQUIRED handled; returns the pending answer and the assigned member id. */
    private AtomicReference<JoinGroupResponseData> joinNew(String group, String... protocols) {
        JoinGroupResponseData first = join(joinRequest(group, "", null, protocols)).get();
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode());
        assertTrue(first.memberId().startsWith("client-"), first.memberId());
        return join(joinRequest(group, first.memberId(), null, protocols));
    }

    private AtomicReference<SyncGroupResponseData> sync(String group, JoinGroupResponseData joined, Map<String, String> assignments) {
        SyncGroupRequestData req = new SyncGroupRequestData().setGroupId(group).setMemberId(joined.memberId())
                .setGenerationId(joined.generationId());
        assignments.forEach((m, a) -> req.assignments().add(new SyncGroupRequestAssignment().setMemberId(m)
                .setAssignment(a.getBytes(StandardCharsets.UTF_8))));
        AtomicReference<SyncGroupResponseData> out = new AtomicReference<>();
        coordinator.syncGroup(req, out::set);
        return out;
    }

    private Errors heartbeat(String group, String memberId, int generation) {
        return coordinator.heartbeat(new HeartbeatRequestData().setGroupId(group).setMemberId(memberId).setGenerationId(generation));
    }

    private Errors heartbeat(String group, String memberId, String instanceId, int generation) {
        return coordinator.heartbeat(new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation));
    }

    /** Two members a and b in a Stable group "g" at generation 1; returns their join answers. */
    private JoinGroupResponseData[] stableGroupOfTwo() {
        AtomicReference<JoinGroupResponseData> a = joinNew("g", "range");
        AtomicReference<JoinGroupResponseData> b = joinNew("g", "range");
        scheduler.advance(2 * DELAY); // b joined during the delay, which extends it once
        assertNotNull(a.get());
        assertNotNull(b.get());
        JoinGroupResponseData leader = a.get().leader().equals(a.get().memberId()) ? a.get() : b.get();
        JoinGroupResponseData follower = leader == a.get() ? b.get() : a.get();
        AtomicReference<SyncGroupResponseData> fs = sync("g", follower, Map.of());
        assertNull(fs.get(), "a follower's SyncGroup waits for the leader's");
        AtomicReference<SyncGroupResponseData> ls = sync("g", leader,
                Map.of(leader.memberId(), "to-leader", follower.memberId(), "to-follower"));
        assertEquals("to-follower", new String(fs.get().assignment(), StandardCharsets.UTF_8));
        assertEquals("to-leader", new String(ls.get().assignment(), StandardCharsets.UTF_8));
        assertEquals("Stable", coordinator.groupState("g"));
        return new JoinGroupResponseData[]{leader, follower};
    }

    // ---------------------------------------------------------------- membership

    @Test
    void firstJoinNeedsAMemberIdThenWaitsForTheInitialDelay() {
        AtomicReference<JoinGroupResponseData> joined = joinNew("g", "range");
        assertNull(joined.get(), "group.initial.rebalance.delay.ms holds the first generation back");
        assertEquals("PreparingRebalance", coordinator.groupState("g"));
        scheduler.advance(DELAY);
        JoinGroupResponseData r = joined.get();
        assertEquals(Errors.NONE.code(), r.errorCode());
        assertEquals(1, r.generationId());
        assertEquals(r.memberId(), r.leader());
        assertEquals("range", r.protocolName());
        assertEquals(1, r.members().size(), "the leader gets every member's subscription");
        assertArrayEquals("sub-range".getBytes(StandardCharsets.UTF_8), r.members().get(0).metadata());
        assertEquals("CompletingRebalance", coordinator.groupState("g"));
    }

    @Test
    void theInitialDelayExtendsWhileNewMembersKeepArriving() {
        AtomicReference<JoinGroupResponseData> a = joinNew("g", "range");
        scheduler.advance(DELAY - 1000);
        AtomicReference<JoinGroupResponseData> b = joinNew("g", "range");
        scheduler.advance(1000);
        assertNull(a.get(), "a member joined during the delay: it is extended");
        scheduler.advance(DELAY);
        assertEquals(1, a.get().generationId());
        assertEquals(1, b.get().generationId());
        assertEquals(2, (a.get().leader().equals(a.get().memberId()) ? a.get() : b.get()).members().size());
    }

    @Test
    void protocolIsChosenByVoteAndAnIncompatibleMemberIsRefused() {
        AtomicReference<JoinGroupResponseData> a = joinNew("g", "roundrobin", "range");
        AtomicReference<JoinGroupResponseData> b = joinNew("g", "range");
        scheduler.advance(2 * DELAY);
        assertEquals("range", a.get().protocolName(), "the only protocol every member supports");
        JoinGroupResponseData c = join(joinRequest("g", "", null, "sticky")).get();
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), c.errorCode());
        assertNotNull(b.get());
    }

    @Test
    void heartbeatsAnswerUnknownMemberIllegalGenerationAndRebalanceInProgress() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        assertEquals(Errors.NONE, heartbeat("g", m[0].memberId(), 1));
        assertEquals(Errors.ILLEGAL_GENERATION, heartbeat("g", m[0].memberId(), 0));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat("g", "nobody", 1));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat("no-such-group", "nobody", 1));
        // A third member joins: the others learn of the rebalance through their heartbeats.
        joinNew("g", "range");
        assertEquals(Errors.REBALANCE_IN_PROGRESS, heartbeat("g", m[0].memberId(), 1));
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), sync("g", m[1], Map.of()).get().errorCode());
    }

    @Test
    void aSilentMemberExpiresAfterItsSessionTimeoutAndTheRestRebalance() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        String alive = m[0].memberId();
        for (int t = 2000; t < SESSION; t += 2000) {
            scheduler.advance(2000);
            assertEquals(Errors.NONE, heartbeat("g", alive, 1), "at +" + t + " ms the silent member is still within its session");
        }
        scheduler.advance(2000);
        assertEquals(Errors.REBALANCE_IN_PROGRESS, heartbeat("g", alive, 1), "the silent member is gone");
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat("g", m[1].memberId(), 1));
        JoinGroupResponseData rejoined = join(joinRequest("g", alive, null, "range")).get();
        assertNotNull(rejoined, "the last member rejoined: the rebalance completes at once");
        assertEquals(2, rejoined.generationId());
        assertEquals(1, rejoined.members().size());
    }

    @Test
    void aMemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsDropped() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        AtomicReference<JoinGroupResponseData> rejoin = join(joinRequest("g", m[0].memberId(), null, "range"));
        assertNull(rejoin.get());
        // The other keeps heartbeating but never rejoins.
        for (int t = 0; t < REBALANCE; t += 2000) {
            heartbeat("g", m[1].memberId(), 1);
            scheduler.advance(2000);
        }
        assertNotNull(rejoin.get(), "the rebalance timeout completes the join");
        assertEquals(2, rejoin.get().generationId());
        assertEquals(1, rejoin.get().members().size());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat("g", m[1].memberId(), 2));
    }

    @Test
    void batchedLeaveRemovesMembersAndEmptiesTheGroup() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        List<MemberResponse> r = coordinator.leaveGroup("g", List.of(new MemberIdentity().setMemberId(m[0].memberId()),
                new MemberIdentity().setMemberId(m[1].memberId()), new MemberIdentity().setMemberId("ghost")));
        assertEquals(List.of(Errors.NONE.code(), Errors.NONE.code(), Errors.UNKNOWN_MEMBER_ID.code()),
                r.stream().map(MemberResponse::errorCode).toList());
        assertEquals("Empty", coordinator.groupState("g"));
        assertEquals(2, coordinator.generation("g"), "emptying a group starts a new (empty) generation, as Kafka does");
    }

    @Test
    void aStaticMemberRejoiningWithANewIdFencesTheOldOneWithoutARebalance() {
        AtomicReference<JoinGroupResponseData> first = new AtomicReference<>();
        coordinator.joinGroup(joinRequest("s", "", "instance-a", "range"), (short) 9, "client", "/h", first::set);
        AtomicReference<JoinGroupResponseData> second = new AtomicReference<>();
        coordinator.joinGroup(joinRequest("s", "", "instance-b", "range"), (short) 9, "client", "/h", second::set);
        assertNull(first.get(), "static members skip MEMBER_ID_REQUIRED but wait for the initial delay");
        scheduler.advance(2 * DELAY);
        JoinGroupResponseData leader = first.get().leader().equals(first.get().memberId()) ? first.get() : second.get();
        JoinGroupResponseData follower = leader == first.get() ? second.get() : first.get();
        String followerInstance = follower == first.get() ? "instance-a" : "instance-b";
        sync("s", follower, Map.of());
        sync("s", leader, Map.of(leader.memberId(), "L", follower.memberId(), "F"));
        assertEquals("Stable", coordinator.groupState("s"));

        // The follower restarts: same instance id, no member id.
        AtomicReference<JoinGroupResponseData> back = new AtomicReference<>();
        coordinator.joinGroup(joinRequest("s", "", followerInstance, "range"), (short) 9, "client", "/h", back::set);
        assertNotNull(back.get(), "answered at once: nothing changed for the group");
        assertEquals(1, back.get().generationId(), "no rebalance");
        assertTrue(!back.get().memberId().equals(follower.memberId()));
        assertEquals("Stable", coordinator.groupState("s"));
        assertEquals(Errors.FENCED_INSTANCE_ID, heartbeat("s", follower.memberId(), followerInstance, 1), "the old incarnation is fenced");
        assertEquals(Errors.NONE, heartbeat("s", back.get().memberId(), followerInstance, 1));
        SyncGroupResponseData resync = sync("s", back.get(), Map.of()).get();
        assertEquals("F", new String(resync.assignment(), StandardCharsets.UTF_8), "keeps its assignment");
    }

    @Test
    void joinGroupValidatesSessionTimeoutAndGroupSize() {
        JoinGroupRequestData tooShort = joinRequest("g", "", null, "range").setSessionTimeoutMs(100);
        assertEquals(Errors.INVALID_SESSION_TIMEOUT.code(), join(tooShort).get().errorCode());
        for (int i = 0; i < 3; i++) {
            joinNew("g", "range");
        }
        JoinGroupResponseData fourth = join(joinRequest("g", "", "static-4", "range")).get();
        assertEquals(Errors.GROUP_MAX_SIZE_REACHED.code(), fourth.errorCode(), "group.max.size=3");
    }

    @Test
    void loadingRefusesRequestsUntilFinished() {
        GroupCoordinator loading = newCoordinator();
        for (int p = 0; p < config.offsetsTopicPartitions(); p++) {
            loading.beginLoading(p);
        }
        AtomicReference<JoinGroupResponseData> r = new AtomicReference<>();
        loading.joinGroup(joinRequest("g", "", null, "range"), (short) 9, "c", "/h", r::set);
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS.code(), r.get().errorCode());
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, loading.heartbeat(new HeartbeatRequestData().setGroupId("g")));
        assertNull(loading.fetchOffsets("g", null));
    }

    /**
     * On a cluster a coordinator serves the groups of the partitions it leads: NOT_COORDINATOR for the others,
     * COORDINATOR_LOAD_IN_PROGRESS while one loads, and on resignation its groups go (waiting joins answered
     * NOT_COORDINATOR, so their clients look the coordinator up again) while other partitions' groups stay.
     */
    @Test
    void partitionsAreServedFromElectionToResignation() {
        coordinator = newCoordinator();
        String g = "g";
        int mine = coordinator.partitionFor(g);
        String other = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "other-" + i)
                .filter(o -> coordinator.partitionFor(o) != mine).findFirst().orElseThrow();
        assertEquals(Errors.NOT_COORDINATOR.code(), join(joinRequest(g, "", null, "range")).get().errorCode());
        assertTrue(coordinator.beginLoading(mine));
        assertFalse(coordinator.beginLoading(mine), "already served");
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS.code(), join(joinRequest(g, "", null, "range")).get().errorCode());
        coordinator.finishLoading(mine);
        coordinator.beginLoading(coordinator.partitionFor(other));
        coordinator.finishLoading(coordinator.partitionFor(other));
        JoinGroupResponseData[] m = stableGroupOfTwo();
        TopicPartition tp = new TopicPartition("t", 0);
        assertEquals(Errors.NONE, commit(g, m[0].memberId(), 1, tp, 42).get(tp));
        AtomicReference<JoinGroupResponseData> waiting = joinNew(other, "range");
        assertNull(waiting.get(), "the first member of a new group waits out the initial delay");
        AtomicReference<JoinGroupResponseData> rejoin = joinNew(g, "range");
        assertNull(rejoin.get(), "a new member's join waits for the rebalance");

        coordinator.unload(mine);
        assertEquals(Errors.NOT_COORDINATOR.code(), rejoin.get().errorCode(), "a waiting join is answered");
        assertEquals(Errors.NOT_COORDINATOR, coordinator.availability(g));
        assertNull(coordinator.fetchOffsets(g, null));
        assertNull(waiting.get(), "the other partition's group is untouched");
        assertEquals(Errors.NONE, coordinator.availability(other));
        assertEquals(List.of(other), coordinator.listGroups(java.util.Set.of()).stream().map(GroupCoordinator.GroupListing::groupId).toList());

        // Elected again: the group comes back from its records, as the verticle replays them.
        assertTrue(coordinator.beginLoading(mine));
        store.replayOnly(coordinator);
        coordinator.finishLoading(mine);
        assertEquals(42, coordinator.fetchOffsets(g, null).get(tp).offset());
    }

    // ---------------------------------------------------------------- offsets

    private Map<TopicPartition, Errors> commit(String group, String member, int generation, TopicPartition tp, long offset) {
        AtomicReference<Map<TopicPartition, Errors>> out = new AtomicReference<>();
        Map<TopicPartition, OffsetAndMetadata> m = new LinkedHashMap<>();
        m.put(tp, new OffsetAndMetadata(offset, -1, "m" + offset, time.milliseconds()));
        coordinator.commitOffsets(group, member, null, generation, m, out::set);
        return out.get();
    }

    @Test
    void commitsAreCheckedAgainstTheGenerationAndStoredBeforeTheyAreVisible() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        TopicPartition tp = new TopicPartition("t", 0);
        assertEquals(Errors.NONE, commit("g", m[0].memberId(), 1, tp, 42).get(tp));
        assertEquals(Errors.ILLEGAL_GENERATION, commit("g", m[0].memberId(), 7, tp, 43).get(tp));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, commit("g", "ghost", 1, tp, 43).get(tp));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, commit("g", "", -1, tp, 43).get(tp), "no simple commits into an active group");
        assertEquals(42, coordinator.fetchOffsets("g", List.of(tp)).get(tp).offset());

        store.failWith = new org.apache.kafka.common.errors.NotLeaderOrFollowerException("boom");
        assertEquals(Errors.NOT_COORDINATOR, commit("g", m[0].memberId(), 1, tp, 50).get(tp));
        assertEquals(42, coordinator.fetchOffsets("g", List.of(tp)).get(tp).offset(), "a failed append changes nothing");
    }

    @Test
    void offsetsOfAnEmptyGroupExpireAfterRetentionAndTheGroupGoesAway() {
        TopicPartition tp = new TopicPartition("t", 0);
        assertEquals(Errors.NONE, commit("simple", "", -1, tp, 5).get(tp));
        scheduler.advance(30_000);
        assertEquals(Errors.NONE, commit("simple", "", -1, new TopicPartition("t", 1), 6).get(new TopicPartition("t", 1)));
        scheduler.advance(30_000); // the first commit is now 60 s old, the retention
        Map<TopicPartition, OffsetAndMetadata> left = coordinator.fetchOffsets("simple", null);
        assertEquals(List.of(new TopicPartition("t", 1)), new ArrayList<>(left.keySet()), "simple commits expire one by one");
        scheduler.advance(30_000);
        assertNull(coordinator.groupState("simple"), "an empty group without offsets is removed");
        CoordinatorRecords.KeyValue last = store.log.get(store.log.size() - 1).record();
        assertNull(last.value(), "a tombstone closes the group");
    }

    @Test
    void aConsumerGroupsOffsetsExpireRetentionAfterTheGroupBecameEmptyNotAfterTheCommit() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        TopicPartition tp = new TopicPartition("t", 0);
        assertEquals(Errors.NONE, commit("g", m[0].memberId(), 1, tp, 3).get(tp));
        for (int i = 0; i < 6; i++) { // 30 s of an active group
            scheduler.advance(5_000);
            heartbeat("g", m[0].memberId(), 1);
            heartbeat("g", m[1].memberId(), 1);
        }
        coordinator.leaveGroup("g", List.of(new MemberIdentity().setMemberId(m[0].memberId()),
                new MemberIdentity().setMemberId(m[1].memberId())));
        assertEquals("Empty", coordinator.groupState("g"));
        scheduler.advance(59_000); // the commit is 89 s old, but the group has been Empty for only 59 s
        assertEquals(3, coordinator.fetchOffsets("g", null).get(tp).offset());
        scheduler.advance(2_000);
        assertNull(coordinator.groupState("g"), "retention after becoming Empty: offsets expired, group removed");
    }

    @Test
    void aRestartedCoordinatorReplaysGroupsAssignmentsAndOffsets() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        TopicPartition tp = new TopicPartition("t", 0);
        commit("g", m[0].memberId(), 1, tp, 7);
        commit("gone", "", -1, tp, 1);
        AtomicReference<Map<String, Errors>> deleted = new AtomicReference<>();
        coordinator.deleteGroups(List.of("gone"), deleted::set);
        assertEquals(Errors.NONE, deleted.get().get("gone"));

        GroupCoordinator restarted = newCoordinator();
        store.replayInto(restarted);
        coordinator = restarted;
        assertEquals("Stable", coordinator.groupState("g"));
        assertEquals(1, coordinator.generation("g"));
        assertEquals(7, coordinator.fetchOffsets("g", List.of(tp)).get(tp).offset());
        assertNull(coordinator.groupState("gone"));
        assertEquals(Errors.NONE, heartbeat("g", m[1].memberId(), 1), "members carry on after a restart");
        SyncGroupResponseData s = sync("g", m[1], Map.of()).get();
        assertEquals("to-follower", new String(s.assignment(), StandardCharsets.UTF_8));
        assertEquals(2, coordinator.describeGroup("g").members().size());
    }
}
