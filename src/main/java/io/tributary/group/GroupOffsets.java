package io.tributary.group;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Committed offsets and the group administration that touches them: OffsetCommit (members of a
 * generation, or simple commits from consumers outside any group), OffsetFetch, OffsetDelete,
 * DeleteGroups, offset expiry ({@code offsets.retention.minutes}, KIP-211 rules) and removal of empty
 * groups. Every change is first appended to the group's partition of {@code __consumer_offsets}; memory
 * changes (and the client is answered) only when the append succeeded. Owned by the coordinator's thread.
 */
final class GroupOffsets {
    private static final Logger LOG = LoggerFactory.getLogger(GroupOffsets.class);
    static final String CONSUMER_PROTOCOL_TYPE = ConsumerProtocol.PROTOCOL_TYPE;

    private final GroupRegistry reg;
    private final GroupMembership membership;

    GroupOffsets(GroupRegistry reg, GroupMembership membership) {
        this.reg = reg;
        this.membership = membership;
    }

    // ---------------------------------------------------------------- OffsetCommit

    void commitOffsets(String groupId, String memberId, String groupInstanceId, int generation,
                       Map<TopicPartition, OffsetAndMetadata> offsets, Consumer<Map<TopicPartition, Errors>> done) {
        GroupMetadata group = reg.groups.get(groupId);
        Errors error = null;
        if (groupId == null || groupId.isEmpty()) {
            error = Errors.INVALID_GROUP_ID;
        } else if (group == null) {
            if (generation < 0) {
                group = new GroupMetadata(groupId, reg.now()); // a simple commit creates an Empty group
                reg.groups.put(groupId, group);
            } else {
                error = Errors.ILLEGAL_GENERATION;
            }
        } else if (group.is(GroupState.DEAD)) {
            error = Errors.COORDINATOR_NOT_AVAILABLE;
        } else if (group.isStaticMemberFenced(groupInstanceId, memberId)) {
            error = Errors.FENCED_INSTANCE_ID;
        } else if (generation < 0 && group.is(GroupState.EMPTY)) {
            error = null; // a simple commit (kafka-consumer-groups --reset-offsets, assign-mode consumers)
        } else if (group.is(GroupState.COMPLETING_REBALANCE)) {
            error = Errors.REBALANCE_IN_PROGRESS;
        } else if (!group.has(memberId)) {
            error = Errors.UNKNOWN_MEMBER_ID;
        } else if (generation != group.generationId) {
            error = Errors.ILLEGAL_GENERATION;
        } else {
            // Members of the current generation may commit during PreparingRebalance too: that is when
            // eager consumers commit what they processed before giving their partitions up.
            membership.scheduleHeartbeat(group, group.get(memberId));
        }
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        if (error != null) {
            for (TopicPartition tp : offsets.keySet()) {
                result.put(tp, error);
            }
            done.accept(result);
            return;
        }
        List<CoordinatorRecords.KeyValue> records = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> accepted = new LinkedHashMap<>();
        long now = reg.now();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            if (e.getValue().metadata().length() > reg.config.maxMetadataBytes()) {
                result.put(e.getKey(), Errors.OFFSET_METADATA_TOO_LARGE);
            } else {
                // The coordinator's clock stamps the commit: it is the base of offsets.retention.minutes.
                OffsetAndMetadata om = new OffsetAndMetadata(e.getValue().offset(), e.getValue().leaderEpoch(),
                        e.getValue().metadata(), now);
                result.put(e.getKey(), Errors.NONE);
                accepted.put(e.getKey(), om);
                records.add(CoordinatorRecords.offsetCommit(groupId, e.getKey(), om));
            }
        }
        if (records.isEmpty()) {
            done.accept(result);
            return;
        }
        GroupMetadata target = group;
        reg.store.append(reg.partitionFor(groupId), records, err -> {
            if (err == null) {
                target.offsets.putAll(accepted);
                if (reg.groups.get(groupId) != target && !target.is(GroupState.DEAD)) {
                    reg.groups.put(groupId, target);
                }
            } else {
                Errors storeError = storeError(err);
                LOG.warn("offset commit of group {} failed to be stored: {}", groupId, err.toString());
                accepted.keySet().forEach(tp -> result.put(tp, storeError));
                if (target.offsets.isEmpty() && target.members.isEmpty() && target.protocolType == null) {
                    reg.groups.remove(groupId, target);
                }
            }
            done.accept(result);
        });
    }

    /** Kafka's mapping of a failed append to the error an OffsetCommit answers. */
    static Errors storeError(Throwable t) {
        Errors e = Errors.forException(t);
        return switch (e) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                    Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.INVALID_COMMIT_OFFSET_SIZE;
            default -> Errors.UNKNOWN_SERVER_ERROR;
        };
    }

    // ---------------------------------------------------------------- OffsetFetch

    /** The committed offsets of {@code partitions} (all the group's when null); absent ones are left out. */
    Map<TopicPartition, OffsetAndMetadata> fetchOffsets(String groupId, List<TopicPartition> partitions) {
        GroupMetadata group = reg.groups.get(groupId);
        Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
        if (group == null || group.is(GroupState.DEAD)) {
            return out;
        }
        if (partitions == null) {
            out.putAll(group.offsets);
        } else {
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata om = group.offsets.get(tp);
                if (om != null) {
                    out.put(tp, om);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- OffsetDelete

    record DeleteOffsetsResult(Errors groupError, Map<TopicPartition, Errors> partitions) {
    }

    void deleteOffsets(String groupId, List<TopicPartition> partitions, Consumer<DeleteOffsetsResult> done) {
        GroupMetadata group = reg.groups.get(groupId);
        if (group == null || group.is(GroupState.DEAD)) {
            done.accept(new DeleteOffsetsResult(Errors.GROUP_ID_NOT_FOUND, Map.of()));
            return;
        }
        Set<String> subscribed = null;
        if (!group.is(GroupState.EMPTY)) {
            subscribed = subscribedTopics(group);
            if (subscribed == null) {
                done.accept(new DeleteOffsetsResult(Errors.NON_EMPTY_GROUP, Map.of()));
                return;
            }
        }
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        List<TopicPartition> deletable = new ArrayList<>();
        List<CoordinatorRecords.KeyValue> records = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (subscribed != null && subscribed.contains(tp.topic())) {
                result.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
            } else {
                result.put(tp, Errors.NONE);
                if (group.offsets.containsKey(tp)) {
                    deletable.add(tp);
                    records.add(CoordinatorRecords.offsetTombstone(groupId, tp));
                }
            }
        }
        if (records.isEmpty()) {
            done.accept(new DeleteOffsetsResult(Errors.NONE, result));
            return;
        }
        reg.store.append(reg.partitionFor(groupId), records, err -> {
            if (err != null) {
                done.accept(new DeleteOffsetsResult(storeError(err), Map.of()));
                return;
            }
            deletable.forEach(group.offsets::remove);
            done.accept(new DeleteOffsetsResult(Errors.NONE, result));
        });
    }

    /** Topics the group's consumers subscribe to; null when they cannot be known (not the consumer protocol). */
    static Set<String> subscribedTopics(GroupMetadata group) {
        if (!CONSUMER_PROTOCOL_TYPE.equals(group.protocolType) || group.protocolName == null) {
            return null;
        }
        Set<String> topics = new HashSet<>();
        try {
            for (MemberMetadata m : group.members.values()) {
                ConsumerPartitionAssignor.Subscription s =
                        ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(m.metadata(group.protocolName)));
                topics.addAll(s.topics());
            }
        } catch (RuntimeException e) {
            return null;
        }
        return topics;
    }

    // ---------------------------------------------------------------- DeleteGroups

    void deleteGroups(List<String> groupIds, Consumer<Map<String, Errors>> done) {
        Map<String, Errors> result = new LinkedHashMap<>();
        List<Runnable> pending = new ArrayList<>();
        int[] outstanding = {0};
        for (String groupId : groupIds) {
            if (result.containsKey(groupId)) {
                continue;
            }
            GroupMetadata group = reg.groups.get(groupId);
            if (group == null || group.is(GroupState.DEAD)) {
                result.put(groupId, Errors.GROUP_ID_NOT_FOUND);
                continue;
            }
            if (!group.is(GroupState.EMPTY)) {
                result.put(groupId, Errors.NON_EMPTY_GROUP);
                continue;
            }
            result.put(groupId, Errors.NONE);
            outstanding[0]++;
            pending.add(() -> removeGroup(group, err -> {
                if (err != null) {
                    result.put(groupId, storeError(err));
                }
                if (--outstanding[0] == 0) {
                    done.accept(result);
                }
            }));
        }
        if (pending.isEmpty()) {
            done.accept(result);
        } else {
            pending.forEach(Runnable::run);
        }
    }

    /** Marks the group Dead, writes tombstones for its offsets and metadata, then forgets it. */
    private void removeGroup(GroupMetadata group, Consumer<Throwable> done) {
        group.transitionTo(GroupState.DEAD, reg.now());
        membership.shutdownGroup(group, Errors.COORDINATOR_NOT_AVAILABLE);
        List<CoordinatorRecords.KeyValue> records = new ArrayList<>();
        group.offsets.keySet().forEach(tp -> records.add(CoordinatorRecords.offsetTombstone(group.groupId, tp)));
        records.add(CoordinatorRecords.groupTombstone(group.groupId));
        reg.groups.remove(group.groupId, group);
        reg.store.append(reg.partitionFor(group.groupId), records, err -> {
            if (err == null) {
                group.offsets.clear();
            } else {
                LOG.warn("tombstones for group {} were not stored: {}", group.groupId, err.toString());
            }
            done.accept(err);
        });
    }

    int deleteOffsetsOfTopic(String topic, java.util.function.Predicate<GroupMetadata> served) {
        int removed = 0;
        for (GroupMetadata group : reg.groups.values()) {
            if (!served.test(group)) {
                continue;
            }
            List<TopicPartition> gone = new ArrayList<>();
            group.offsets.keySet().forEach(tp -> {
                if (tp.topic().equals(topic)) {
                    gone.add(tp);
                }
            });
            if (gone.isEmpty()) {
                continue;
            }
            removed += gone.size();
            gone.forEach(group.offsets::remove);
            List<CoordinatorRecords.KeyValue> records = new ArrayList<>();
            gone.forEach(tp -> records.add(CoordinatorRecords.offsetTombstone(group.groupId, tp)));
            reg.store.append(reg.partitionFor(group.groupId), records, err -> {
                if (err != null) {
                    LOG.warn("tombstones for offsets of deleted topic {} in group {} were not stored: {}", topic, group.groupId, err.toString());
                }
            });
        }
        return removed;
    }

    // ---------------------------------------------------------------- expiry

    /**
     * KIP-211: offsets of an Empty consumer group expire {@code offsets.retention.minutes} after the
     * group became Empty; offsets of a group without a protocol (simple commits) that long after their
     * commit; offsets of an active group only for topics it no longer subscribes to. An Empty group left
     * with no offsets is removed. Returns the number of offsets expired.
     */
    int expireOffsets(java.util.function.Predicate<GroupMetadata> served) {
        long now = reg.now();
        long retention = reg.config.offsetsRetentionMs();
        int expiredTotal = 0;
        for (GroupMetadata group : new ArrayList<>(reg.groups.values())) {
            if (group.is(GroupState.DEAD) || !served.test(group)) {
                continue;
            }
            List<TopicPartition> expired = new ArrayList<>();
            if (group.is(GroupState.EMPTY)) {
                boolean consumerGroup = group.protocolType != null && !group.protocolType.isEmpty();
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : group.offsets.entrySet()) {
                    long base = consumerGroup ? group.stateTimestamp : e.getValue().commitTimestamp();
                    if (now - base >= retention) {
                        expired.add(e.getKey());
                    }
                }
            } else {
                Set<String> subscribed = subscribedTopics(group);
                if (subscribed != null) {
                    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : group.offsets.entrySet()) {
                        if (!subscribed.contains(e.getKey().topic()) && now - e.getValue().commitTimestamp() >= retention) {
                            expired.add(e.getKey());
                        }
                    }
                }
            }
            expiredTotal += expired.size();
            if (group.is(GroupState.EMPTY) && expired.size() == group.offsets.size()) {
                LOG.info("removing empty group {} ({} offsets expired)", group.groupId, expired.size());
                removeGroup(group, err -> {
                });
            } else if (!expired.isEmpty()) {
                List<CoordinatorRecords.KeyValue> records = new ArrayList<>();
                expired.forEach(tp -> records.add(CoordinatorRecords.offsetTombstone(group.groupId, tp)));
                expired.forEach(group.offsets::remove);
                reg.store.append(reg.partitionFor(group.groupId), records, err -> {
                    if (err != null) {
                        LOG.warn("expired offsets of group {} were not stored: {}", group.groupId, err.toString());
                    }
                });
            }
        }
        return expiredTotal;
    }
}
