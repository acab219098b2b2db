package io.tributary.cluster.meta;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The controller's leader choices on request (Kafka's ElectLeaders, {@code kafka-leader-election.sh}) and for
 * {@code auto.leader.rebalance.enable}: pure functions of a partition's assignment, state and the live brokers.
 * <ul>
 *   <li>PREFERRED: the first replica of the assignment, if it is alive and in the ISR (else
 *   PREFERRED_LEADER_NOT_AVAILABLE); ELECTION_NOT_NEEDED when it leads already;</li>
 *   <li>UNCLEAN: only for a partition whose leader is gone: the first live ISR member, else (unclean) the first live
 *   replica, else ELIGIBLE_LEADERS_NOT_AVAILABLE; ELECTION_NOT_NEEDED when the leader lives.</li>
 * </ul>
 */
final class Elections {
    private Elections() {
    }

    /** A decision: the new state, or the error that answers the request (ELECTION_NOT_NEEDED included). */
    record Choice(KafkaZnodes.State next, Errors error, String message, boolean unclean) {
        static Choice refuse(Errors error, String message) {
            return new Choice(null, error, message, false);
        }
    }

    static Choice preferred(TopicPartition tp, List<Integer> replicas, KafkaZnodes.State s, Set<Integer> live, int controllerEpoch) {
        int preferred = replicas.get(0);
        if (s.leader() == preferred) {
            return Choice.refuse(Errors.ELECTION_NOT_NEEDED, "Leader election not needed for topic partition.");
        }
        if (!live.contains(preferred) || !s.isr().contains(preferred)) {
            return Choice.refuse(Errors.PREFERRED_LEADER_NOT_AVAILABLE, "Failed to elect leader for partition " + tp
                    + " under strategy PreferredReplicaPartitionLeaderElectionStrategy");
        }
        return new Choice(new KafkaZnodes.State(preferred, s.leaderEpoch() + 1, s.isr(), controllerEpoch), Errors.NONE, null, false);
    }

    static Choice unclean(TopicPartition tp, List<Integer> replicas, KafkaZnodes.State s, Set<Integer> live, int controllerEpoch) {
        if (s.leader() >= 0 && live.contains(s.leader())) {
            return Choice.refuse(Errors.ELECTION_NOT_NEEDED, "Leader election not needed for topic partition.");
        }
        List<Integer> liveIsr = s.isr().stream().filter(live::contains).toList();
        for (int r : replicas) {
            if (liveIsr.contains(r)) {
                return new Choice(new KafkaZnodes.State(r, s.leaderEpoch() + 1, liveIsr, controllerEpoch), Errors.NONE, null, false);
            }
        }
        for (int r : replicas) {
            if (live.contains(r)) {
                return new Choice(new KafkaZnodes.State(r, s.leaderEpoch() + 1, List.of(r), controllerEpoch), Errors.NONE, null, true);
            }
        }
        return Choice.refuse(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, "Failed to elect leader for partition " + tp
                + " under strategy UncleanLeaderElectionStrategy");
    }

    /**
     * Kafka's leader imbalance check: per broker, the share of the partitions it is the preferred replica of that
     * another broker leads; the partitions of every broker above {@code percentage} whose preferred replica can
     * lead (alive, in the ISR).
     */
    static List<TopicPartition> imbalanced(Map<TopicPartition, List<Integer>> assignments, Map<TopicPartition, KafkaZnodes.State> states,
                                           Set<Integer> live, int percentage) {
        Map<Integer, List<TopicPartition>> preferredBy = new HashMap<>();
        assignments.forEach((tp, replicas) -> {
            if (!replicas.isEmpty()) {
                preferredBy.computeIfAbsent(replicas.get(0), b -> new ArrayList<>()).add(tp);
            }
        });
        List<TopicPartition> out = new ArrayList<>();
        preferredBy.forEach((broker, partitions) -> {
            if (!live.contains(broker)) {
                return;
            }
            List<TopicPartition> notLed = partitions.stream().filter(tp -> states.get(tp) != null
                    && states.get(tp).leader() != broker).toList();
            if (notLed.size() * 100L > (long) percentage * partitions.size()) {
                notLed.stream().filter(tp -> states.get(tp).isr().contains(broker)).forEach(out::add);
            }
        });
        return out;
    }
}
