package io.tributary.cluster.meta;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The controller's choices for ElectLeaders and auto.leader.rebalance.enable, as Kafka makes them. */
class ElectionsTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private static KafkaZnodes.State state(int leader, int epoch, Integer... isr) {
        return new KafkaZnodes.State(leader, epoch, List.of(isr), 1);
    }

    @Test
    void preferredMovesLeadershipToTheFirstReplicaOnlyWhenItCanLead() {
        Elections.Choice c = Elections.preferred(TP, List.of(1, 2, 3), state(2, 4, 1, 2, 3), Set.of(1, 2, 3), 7);
        assertEquals(new KafkaZnodes.State(1, 5, List.of(1, 2, 3), 7), c.next());
        assertEquals(Errors.ELECTION_NOT_NEEDED, Elections.preferred(TP, List.of(1, 2, 3), state(1, 4, 1, 2), Set.of(1, 2), 7).error());
        assertEquals(Errors.PREFERRED_LEADER_NOT_AVAILABLE,
                Elections.preferred(TP, List.of(1, 2, 3), state(2, 4, 2, 3), Set.of(1, 2, 3), 7).error(), "not in the ISR");
        assertEquals(Errors.PREFERRED_LEADER_NOT_AVAILABLE,
                Elections.preferred(TP, List.of(1, 2, 3), state(2, 4, 1, 2, 3), Set.of(2, 3), 7).error(), "not alive");
    }

    @Test
    void uncleanElectsOnlyForALeaderlessPartitionAndPrefersTheIsr() {
        assertEquals(Errors.ELECTION_NOT_NEEDED, Elections.unclean(TP, List.of(1, 2, 3), state(1, 3, 1), Set.of(1, 2, 3), 2).error());
        Elections.Choice clean = Elections.unclean(TP, List.of(1, 2, 3), state(-1, 3, 1, 3), Set.of(2, 3), 2);
        assertEquals(3, clean.next().leader(), "a live ISR member first");
        assertEquals(false, clean.unclean());
        Elections.Choice dirty = Elections.unclean(TP, List.of(1, 2, 3), state(-1, 3, 1), Set.of(2, 3), 2);
        assertEquals(new KafkaZnodes.State(2, 4, List.of(2), 2), dirty.next());
        assertTrue(dirty.unclean());
        assertEquals(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE,
                Elections.unclean(TP, List.of(1, 2), state(-1, 3, 1), Set.of(3), 2).error());
    }

    @Test
    void imbalanceAboveThePercentageMovesTheBrokersPartitionsBack() {
        Map<TopicPartition, List<Integer>> assignments = Map.of(
                new TopicPartition("t", 0), List.of(1, 2), new TopicPartition("t", 1), List.of(1, 2),
                new TopicPartition("t", 2), List.of(2, 1), new TopicPartition("t", 3), List.of(1, 2));
        Map<TopicPartition, KafkaZnodes.State> states = Map.of(
                new TopicPartition("t", 0), state(2, 1, 1, 2), new TopicPartition("t", 1), state(1, 0, 1, 2),
                new TopicPartition("t", 2), state(2, 0, 1, 2), new TopicPartition("t", 3), state(2, 1, 2));
        // Broker 1 is preferred for 3 partitions and leads 1: 67% imbalance; t-3 cannot move (1 is not in its ISR).
        assertEquals(List.of(new TopicPartition("t", 0)), Elections.imbalanced(assignments, states, Set.of(1, 2), 10));
        assertEquals(List.of(), Elections.imbalanced(assignments, states, Set.of(1, 2), 70), "below 70%");
        assertEquals(List.of(), Elections.imbalanced(assignments, states, Set.of(2), 10), "broker 1 is not alive");
        assertNull(Elections.preferred(TP, List.of(2, 1), state(2, 0, 1, 2), Set.of(1, 2), 1).next());
    }
}
