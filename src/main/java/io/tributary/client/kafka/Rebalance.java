package io.tributary.client.kafka;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.Set;

/**
 * A change of a group member's partitions. {@code ASSIGNED}: the member owns these from {@code generation} on.
 * {@code REVOKED}: the member handed them back in an orderly way — records handed out were drained (acked and
 * committed) or, after the drain timeout, {@code abandoned} — before it rejoined or let another member have them.
 * {@code LOST}: the membership ended without a chance to commit (fenced, session expired); another member may already
 * own them. After REVOKED or LOST, acks and commits of these partitions' records are refused.
 *
 * <p>{@code committed} (REVOKED only) is, per partition, the position this member's last successful commit left it
 * at (-1 if none was made): the next owner starts there, so when nothing was {@code abandoned} no record is processed
 * or committed by both.
 */
public record Rebalance(Kind kind, Set<TopicPartition> partitions, int generation, String memberId, int abandoned,
                        Map<TopicPartition, Long> committed) {
    public enum Kind { ASSIGNED, REVOKED, LOST }

    public Rebalance {
        partitions = Set.copyOf(partitions);
        committed = Map.copyOf(committed);
    }
}
