package io.tributary.kafka;

import io.tributary.group.GroupConfig;
import io.tributary.testing.TestNode;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The group APIs over a raw connection at old and new versions, where clients differ: v0 joins without
 * MEMBER_ID_REQUIRED, batched FindCoordinator, topic ids in OffsetCommit/OffsetFetch v10, state filters,
 * DescribeGroups' not-found rule.
 */
class GroupApiVersionsTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of(GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0",
                GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "3"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static JoinGroupRequestData join(String group, String memberId) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[]{1}));
        return new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setSessionTimeoutMs(10_000)
                .setProtocolType("consumer").setProtocols(protocols);
    }

    @Test
    void findCoordinatorSingleAndBatchedAndTransactionKeys() throws Exception {
        try (RawKafka raw = new RawKafka(node.kafkaPort())) {
            FindCoordinatorResponseData v0 = raw.call(ApiKeys.FIND_COORDINATOR, (short) 0, new FindCoordinatorRequestData().setKey("g"));
            assertEquals(Errors.NONE.code(), v0.errorCode());
            assertEquals(node.kafkaPort(), v0.port());
            FindCoordinatorResponseData v4 = raw.call(ApiKeys.FIND_COORDINATOR, (short) 4,
                    new FindCoordinatorRequestData().setCoordinatorKeys(List.of("a", "b")));
            assertEquals(List.of("a", "b"), v4.coordinators().stream().map(FindCoordinatorResponseData.Coordinator::key).toList());
            assertTrue(v4.coordinators().stream().allMatch(c -> c.errorCode() == 0 && c.nodeId() == 1));
            FindCoordinatorResponseData txn = raw.call(ApiKeys.FIND_COORDINATOR, (short) 6, new FindCoordinatorRequestData()
                    .setKeyType(CoordinatorType.TRANSACTION.id()).setCoordinatorKeys(List.of("tx")));
            assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), txn.coordinators().get(0).errorCode());
        }
    }

    @Test
    void aVersionZeroMemberJoinsSyncsHeartbeatsCommitsFetchesAndLeaves() throws Exception {
        createTopic(node.bootstrap(), "raw-v0", 1, Map.of());
        try (RawKafka raw = new RawKafka(node.kafkaPort())) {
            JoinGroupResponseData joined = raw.call(ApiKeys.JOIN_GROUP, (short) 0, join("raw-v0", ""));
            assertEquals(Errors.NONE.code(), joined.errorCode(), "v0 gets no MEMBER_ID_REQUIRED");
            assertEquals(1, joined.generationId());
            assertEquals(joined.memberId(), joined.leader());
            SyncGroupResponseData synced = raw.call(ApiKeys.SYNC_GROUP, (short) 0, new SyncGroupRequestData().setGroupId("raw-v0")
                    .setGenerationId(1).setMemberId(joined.memberId()).setAssignments(List.of(
                            new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(joined.memberId()).setAssignment(new byte[]{7}))));
            assertEquals(Errors.NONE.code(), synced.errorCode());
            assertEquals(7, synced.assignment()[0]);
            HeartbeatResponseData hb = raw.call(ApiKeys.HEARTBEAT, (short) 0, new HeartbeatRequestData().setGroupId("raw-v0")
                    .setGenerationId(1).setMemberId(joined.memberId()));
            assertEquals(Errors.NONE.code(), hb.errorCode());
            OffsetCommitResponseData committed = raw.call(ApiKeys.OFFSET_COMMIT, (short) 2, new OffsetCommitRequestData()
                    .setGroupId("raw-v0").setGenerationIdOrMemberEpoch(1).setMemberId(joined.memberId()).setTopics(List.of(
                            new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("raw-v0").setPartitions(List.of(
                                    new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(9)
                                            .setCommittedMetadata("m"))))));
            assertEquals(Errors.NONE.code(), committed.topics().get(0).partitions().get(0).errorCode());
            OffsetFetchResponseData fetched = raw.call(ApiKeys.OFFSET_FETCH, (short) 1, new OffsetFetchRequestData().setGroupId("raw-v0")
                    .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("raw-v0").setPartitionIndexes(List.of(0)))));
            assertEquals(9, fetched.topics().get(0).partitions().get(0).committedOffset());
            LeaveGroupResponseData left = raw.call(ApiKeys.LEAVE_GROUP, (short) 0, new LeaveGroupRequestData().setGroupId("raw-v0")
                    .setMemberId(joined.memberId()));
            assertEquals(Errors.NONE.code(), left.errorCode());
            LeaveGroupResponseData again = raw.call(ApiKeys.LEAVE_GROUP, (short) 0, new LeaveGroupRequestData().setGroupId("raw-v0")
                    .setMemberId(joined.memberId()));
            assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), again.errorCode(), "v0-2: the member's error is the top-level error");

            JoinGroupResponseData v4 = raw.call(ApiKeys.JOIN_GROUP, (short) 4, join("raw-v4", ""));
            assertEquals(Errors.MEMBER_ID_REQUIRED.code(), v4.errorCode());
            assertTrue(v4.memberId().startsWith("raw-kafka-test-"), v4.memberId());
        }
    }

    @Test
    void offsetCommitAndFetchByTopicIdAtVersionTen() throws Exception {
        createTopic(node.bootstrap(), "by-id", 2, Map.of());
        Uuid id = node.node().logManager().topic("by-id").topicId();
        try (RawKafka raw = new RawKafka(node.kafkaPort())) {
            OffsetCommitResponseData c = raw.call(ApiKeys.OFFSET_COMMIT, (short) 10, new OffsetCommitRequestData().setGroupId("ids")
                    .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setTopicId(id).setPartitions(List.of(
                                    new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(1).setCommittedOffset(5))),
                            new OffsetCommitRequestData.OffsetCommitRequestTopic().setTopicId(Uuid.randomUuid()).setPartitions(List.of(
                                    new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1))))));
            assertEquals(Errors.NONE.code(), c.topics().get(0).partitions().get(0).errorCode());
            assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), c.topics().get(1).partitions().get(0).errorCode());
            OffsetFetchResponseData f = raw.call(ApiKeys.OFFSET_FETCH, (short) 10, new OffsetFetchRequestData().setGroups(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("ids").setTopics(null),
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("nobody").setTopics(List.of(
                            new OffsetFetchRequestData.OffsetFetchRequestTopics().setTopicId(id).setPartitionIndexes(List.of(0)))))));
            var all = f.groups().get(0).topics();
            assertEquals(1, all.size());
            assertEquals(id, all.get(0).topicId());
            assertEquals(5, all.get(0).partitions().get(0).committedOffset());
            assertEquals(-1, f.groups().get(1).topics().get(0).partitions().get(0).committedOffset(), "no commit: -1, no error");
        }
    }

    @Test
    void listGroupsFiltersByStateAndDescribeGroupsReportsUnknownGroups() throws Exception {
        createTopic(node.bootstrap(), "listed", 1, Map.of());
        try (RawKafka raw = new RawKafka(node.kafkaPort())) {
            raw.call(ApiKeys.OFFSET_COMMIT, (short) 8, new OffsetCommitRequestData().setGroupId("listed-empty").setTopics(List.of(
                    new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("listed").setPartitions(List.of(
                            new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1))))));
            ListGroupsResponseData v0 = raw.call(ApiKeys.LIST_GROUPS, (short) 0, new ListGroupsRequestData());
            assertTrue(v0.groups().stream().anyMatch(g -> g.groupId().equals("listed-empty")));
            ListGroupsResponseData stable = raw.call(ApiKeys.LIST_GROUPS, (short) 4, new ListGroupsRequestData().setStatesFilter(List.of("Stable")));
            assertTrue(stable.groups().stream().noneMatch(g -> g.groupId().equals("listed-empty")));
            ListGroupsResponseData empty = raw.call(ApiKeys.LIST_GROUPS, (short) 5, new ListGroupsRequestData()
                    .setStatesFilter(List.of("empty")).setTypesFilter(List.of("classic")));
            assertTrue(empty.groups().stream().anyMatch(g -> g.groupId().equals("listed-empty") && g.groupType().equals("classic")
                    && g.groupState().equals("Empty")));
            ListGroupsResponseData consumerType = raw.call(ApiKeys.LIST_GROUPS, (short) 5, new ListGroupsRequestData()
                    .setTypesFilter(List.of("consumer")));
            assertTrue(consumerType.groups().isEmpty(), "no KIP-848 groups here");

            DescribeGroupsResponseData d0 = raw.call(ApiKeys.DESCRIBE_GROUPS, (short) 0, new DescribeGroupsRequestData().setGroups(List.of("ghost")));
            assertEquals(Errors.NONE.code(), d0.groups().get(0).errorCode());
            assertEquals("Dead", d0.groups().get(0).groupState());
            DescribeGroupsResponseData d6 = raw.call(ApiKeys.DESCRIBE_GROUPS, (short) 6, new DescribeGroupsRequestData().setGroups(List.of("ghost")));
            assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), d6.groups().get(0).errorCode());
        }
    }
}
