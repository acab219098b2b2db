package io.tributary.group;

import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Where the group coordinator writes {@code __consumer_offsets}: on one node the local log; on a cluster the
 * partition's leader replica on this broker, stamped with its leader epoch and acknowledged only once the ISR
 * has it (Kafka's coordinator writes with acks=-1). Fails with Kafka's exceptions (NotLeaderOrFollower,
 * NotEnoughReplicas, Timeout), which the coordinator maps to the errors an OffsetCommit or SyncGroup answers.
 */
@FunctionalInterface
public interface OffsetsLog {
    Future<?> append(TopicPartition tp, MemoryRecords records);
}
