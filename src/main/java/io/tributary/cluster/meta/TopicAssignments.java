package io.tributary.cluster.meta;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Kafka's rack-unaware replica assignment ({@code AdminUtils.assignReplicasToBrokersRackUnaware}): the first
 * replica of partition i on broker (start + i) mod n, the others shifted by a second random offset that grows
 * every n partitions, so leaders and followers spread evenly over the brokers (sorted by id).
 */
final class TopicAssignments {
    private TopicAssignments() {
    }

    static Map<Integer, List<Integer>> rackUnaware(int partitions, int replicationFactor, List<Integer> brokers, Random random) {
        List<Integer> ids = brokers.stream().sorted().toList();
        int n = ids.size();
        int startIndex = random.nextInt(n);
        int nextReplicaShift = random.nextInt(n);
        Map<Integer, List<Integer>> out = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            if (p > 0 && p % n == 0) {
                nextReplicaShift++;
            }
            int first = (p + startIndex) % n;
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            replicas.add(ids.get(first));
            for (int j = 0; j < replicationFactor - 1; j++) {
                replicas.add(ids.get(replicaIndex(first, nextReplicaShift, j, n)));
            }
            out.put(p, List.copyOf(replicas));
        }
        return out;
    }

    private static int replicaIndex(int first, int secondShift, int j, int n) {
        int shift = 1 + (secondShift + j) % (n - 1);
        return (first + shift) % n;
    }
}
