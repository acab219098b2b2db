package io.tributary.kafka;

import io.tributary.kafka.handlers.DeleteGroupsHandler;
import io.tributary.kafka.handlers.DescribeGroupsHandler;
import io.tributary.kafka.handlers.FindCoordinatorHandler;
import io.tributary.kafka.handlers.HeartbeatHandler;
import io.tributary.kafka.handlers.JoinGroupHandler;
import io.tributary.kafka.handlers.LeaveGroupHandler;
import io.tributary.kafka.handlers.ListGroupsHandler;
import io.tributary.kafka.handlers.OffsetCommitHandler;
import io.tributary.kafka.handlers.OffsetDeleteHandler;
import io.tributary.kafka.handlers.OffsetFetchHandler;
import io.tributary.kafka.handlers.SyncGroupHandler;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Registers the classic consumer-group APIs, each at the full range kafka-clients can parse:
 * FindCoordinator 0-6, JoinGroup 0-9, SyncGroup 0-5, Heartbeat 0-4, LeaveGroup 0-5, OffsetCommit 2-10,
 * OffsetFetch 1-10, OffsetDelete 0, ListGroups 0-5, DescribeGroups 0-6, DeleteGroups 0-2.
 * ConsumerGroupHeartbeat (KIP-848) is deliberately not advertised, so clients use the classic protocol.
 */
final class GroupApis {
    private GroupApis() {
    }

    static void register(SupportedApis apis, KafkaBroker broker) {
        apis.register(ApiKeys.FIND_COORDINATOR, new FindCoordinatorHandler(broker));
        apis.register(ApiKeys.JOIN_GROUP, new JoinGroupHandler(broker));
        apis.register(ApiKeys.SYNC_GROUP, new SyncGroupHandler(broker));
        apis.register(ApiKeys.HEARTBEAT, new HeartbeatHandler(broker));
        apis.register(ApiKeys.LEAVE_GROUP, new LeaveGroupHandler(broker));
        apis.register(ApiKeys.OFFSET_COMMIT, new OffsetCommitHandler(broker));
        apis.register(ApiKeys.OFFSET_FETCH, new OffsetFetchHandler(broker));
        apis.register(ApiKeys.OFFSET_DELETE, new OffsetDeleteHandler(broker));
        apis.register(ApiKeys.LIST_GROUPS, new ListGroupsHandler(broker));
        apis.register(ApiKeys.DESCRIBE_GROUPS, new DescribeGroupsHandler(broker));
        apis.register(ApiKeys.DELETE_GROUPS, new DeleteGroupsHandler(broker));
    }
}
