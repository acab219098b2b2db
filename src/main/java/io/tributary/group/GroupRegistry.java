package io.tributary.group;

import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the membership protocol and the offset operations share: the groups, the clock, the timers and
 * the store, plus the one way a group's metadata record is built. Owned by the coordinator's thread.
 */
final class GroupRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(GroupRegistry.class);

    final GroupConfig config;
    final Time time;
    final Scheduler scheduler;
    final GroupStore store;
    final Map<String, GroupMetadata> groups = new HashMap<>();
    /** Partitions of {@code __consumer_offsets} (the existing topic's count wins over the config). */
    int partitions;
    /** Join phases completed since start (each starts a generation), for metrics. */
    long rebalances;

    GroupRegistry(GroupConfig config, Time time, Scheduler scheduler, GroupStore store) {
        this.config = config;
        this.time = time;
        this.scheduler = scheduler;
        this.store = store;
        this.partitions = config.offsetsTopicPartitions();
    }

    long now() {
        return time.milliseconds();
    }

    /** Kafka's rule: {@code Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions}. */
    int partitionFor(String groupId) {
        return Utils.abs(groupId.hashCode()) % partitions;
    }

    /** The group's metadata record; {@code assignments} overrides the members' current ones (SyncGroup). */
    CoordinatorRecords.StoredGroup snapshot(GroupMetadata g, Map<String, byte[]> assignments) {
        List<CoordinatorRecords.StoredMember> members = new ArrayList<>();
        for (MemberMetadata m : g.members.values()) {
            byte[] assignment = assignments != null && assignments.containsKey(m.memberId) ? assignments.get(m.memberId) : m.assignment;
            members.add(new CoordinatorRecords.StoredMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                    m.rebalanceTimeoutMs, m.sessionTimeoutMs,
                    g.protocolName == null ? new byte[0] : m.metadata(g.protocolName), assignment));
        }
        return new CoordinatorRecords.StoredGroup(g.protocolType, g.generationId, g.protocolName, g.leaderId,
                g.stateTimestamp, members);
    }

    void storeGroup(GroupMetadata g, Map<String, byte[]> assignments, Consumer<Throwable> done) {
        store.append(partitionFor(g.groupId), List.of(CoordinatorRecords.groupMetadata(g.groupId, snapshot(g, assignments))), done);
    }

    /** Writes without waiting: the in-memory state is already current; a failure is only logged. */
    void storeGroupAsync(GroupMetadata g) {
        storeGroup(g, null, err -> {
            if (err != null) {
                LOG.warn("could not store metadata of group {}: {}", g.groupId, err.toString());
            }
        });
    }

    static Map<String, byte[]> copy(Map<String, byte[]> m) {
        return new HashMap<>(m);
    }
}
