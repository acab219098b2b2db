package io.tributary.client.kafka;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/** What every member of a group test processed, and the rebalances it went through, in one place for the checks. */
final class History {
    record Processed(String member, TopicPartition tp, long offset, long startNanos, long endNanos) {
    }

    record Event(String member, Rebalance rebalance, long nanos) {
    }

    final Queue<Processed> processed = new ConcurrentLinkedQueue<>();
    final Queue<Event> rebalances = new ConcurrentLinkedQueue<>();
    final Queue<String> refused = new ConcurrentLinkedQueue<>();

    void processed(String member, ConsumerRecord r, long start, long end) {
        processed.add(new Processed(member, new TopicPartition(r.topic(), r.partition()), r.offset(), start, end));
    }

    void rebalance(String member, Rebalance e) {
        rebalances.add(new Event(member, e, System.nanoTime()));
    }

    void refused(String member, ConsumerRecord r) {
        refused.add(member + ":" + r);
    }

    /** Offsets processed at least once, per partition. */
    Map<TopicPartition, Set<Long>> offsetsSeen() {
        Map<TopicPartition, Set<Long>> out = new HashMap<>();
        for (Processed p : processed) {
            out.computeIfAbsent(p.tp(), k -> new HashSet<>()).add(p.offset());
        }
        return out;
    }

    /**
     * The records of one partition processed by two members at overlapping times (reactor-kafka #345): for every
     * processing, the other members' processings of the partition that began earlier must have ended before it began.
     */
    List<String> concurrentProcessing() {
        Map<TopicPartition, List<Processed>> byTp = new HashMap<>();
        for (Processed p : processed) {
            byTp.computeIfAbsent(p.tp(), k -> new ArrayList<>()).add(p);
        }
        List<String> out = new ArrayList<>();
        for (List<Processed> ps : byTp.values()) {
            ps.sort(Comparator.comparingLong(Processed::startNanos));
            Map<String, Processed> latestEnd = new HashMap<>();
            for (Processed p : ps) {
                for (Map.Entry<String, Processed> e : latestEnd.entrySet()) {
                    if (!e.getKey().equals(p.member()) && e.getValue().endNanos() > p.startNanos()) {
                        out.add(p + " began while " + e.getValue() + " was still processing");
                    }
                }
                latestEnd.merge(p.member(), p, (a, b) -> a.endNanos() >= b.endNanos() ? a : b);
            }
        }
        return out;
    }

    /**
     * Where a partition's next owner started versus where the previous owner's revoke left it. After a clean revoke
     * (nothing abandoned) they must be equal: a lower start would mean records committed by both members, a higher
     * one records skipped.
     */
    List<String> handOverMismatches() {
        List<Event> evs = new ArrayList<>(rebalances);
        evs.sort(Comparator.comparingLong(Event::nanos));
        Map<TopicPartition, List<Processed>> byTp = new HashMap<>();
        for (Processed p : processed) {
            byTp.computeIfAbsent(p.tp(), k -> new ArrayList<>()).add(p);
        }
        byTp.values().forEach(l -> l.sort(Comparator.comparingLong(Processed::startNanos)));
        List<String> out = new ArrayList<>();
        for (Event e : evs) {
            Rebalance r = e.rebalance();
            if (r.kind() != Rebalance.Kind.REVOKED || r.abandoned() > 0) {
                continue;
            }
            for (Map.Entry<TopicPartition, Long> c : r.committed().entrySet()) {
                if (c.getValue() < 0) {
                    continue;
                }
                // The first record of this partition processed after the revoke, by whichever member.
                List<Processed> ps = byTp.getOrDefault(c.getKey(), List.of());
                int lo = 0;
                int hi = ps.size();
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (ps.get(mid).startNanos() > e.nanos()) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                if (lo < ps.size() && ps.get(lo).offset() != c.getValue()) {
                    out.add(e.member() + " handed " + c.getKey() + " back at " + c.getValue()
                            + " but the next processing was " + ps.get(lo));
                }
            }
        }
        return out;
    }
}
