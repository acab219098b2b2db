package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Flowable;
import io.tributary.client.testing.Target;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Must-show 3 of issue 13, sized for CI: three members over twelve partitions while 120,000 records flow in for about
 * 9 s, and every 1.8 s the oldest member leaves and a new one joins. Every record is processed at least once, no
 * partition is processed by two members at once, each new owner of a partition starts exactly where the previous one's
 * revoke committed (so no record is committed by two members), and once everyone has left the group's committed
 * offsets are the log end offsets. The 1 M-record run is {@code bench/client-group-churn.sh}.
 */
abstract class GroupChurnContract extends GroupFixture {
    static final int PARTITIONS = 12;
    static final int RECORDS = Integer.getInteger("churn.records", 120_000);
    static final int BATCH = 1_000;
    static final long PACE_MS = Long.getLong("churn.paceMs", 75);
    static final long CHURN_EVERY_MS = 1_800;

    @Override
    abstract Target target();

    /**
     * One assignor per target, so the pair of targets covers both within the suite's time (eager revocation on Apache
     * Kafka, cooperative on Tributary); {@code bench/client-group-churn.sh} runs both assignors on both at 1 M records.
     */
    @org.junit.jupiter.api.Test
    void membersJoiningAndLeavingWhileRecordsFlowLoseNothingAndCommitNothingTwice() {
        churn(target().name().equals("tributary") ? "cooperative-sticky" : "range");
    }

    private void churn(String assignorName) {
        String topic = "churn-" + assignorName;
        String group = "g-churn-" + assignorName;
        createTopic(topic, PARTITIONS);
        History h = new History();
        GroupOptions opts = options(group, assignor(assignorName)).drainTimeoutMs(8_000);
        ArrayDeque<TestMember> live = new ArrayDeque<>();
        List<TestMember> gone = new ArrayList<>();
        int[] next = {0};
        Runnable join = () -> live.add(member("m" + next[0]++, opts, topic, 64, 1, h));
        for (int i = 0; i < 3; i++) {
            join.run();
        }
        RxProducer producer = client.producer(new ProducerOptions());
        long start = System.nanoTime();
        long nextChurn = start + TimeUnit.MILLISECONDS.toNanos(CHURN_EVERY_MS);
        int churns = 0;
        for (int b = 0; b * BATCH < RECORDS; b++) {
            int base = b * BATCH;
            producer.send(Flowable.range(base, Math.min(BATCH, RECORDS - base))
                            .map(i -> ProduceRecord.of(topic, null, "v" + i).withPartition(i % PARTITIONS)))
                    .ignoreElements().blockingAwait(60, TimeUnit.SECONDS);
            if (System.nanoTime() >= nextChurn) {
                TestMember leaving = live.poll();
                leaving.closeAsync(); // leaves while records keep flowing; awaited at the end
                gone.add(leaving);
                join.run();
                churns++;
                nextChurn += TimeUnit.MILLISECONDS.toNanos(CHURN_EVERY_MS);
            }
            // Pacing the load (a rate, not a wait for some condition): a batch every PACE_MS.
            long due = start + TimeUnit.MILLISECONDS.toNanos(PACE_MS * (b + 1));
            long wait = due - System.nanoTime();
            if (wait > 0) {
                sleepNanos(wait);
            }
        }
        long producedInMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(churns >= 4, "members came and went " + churns + " times while " + RECORDS
                + " records were produced in " + producedInMs + " ms");
        for (TestMember m : gone) {
            m.closeAsync().blockingAwait(60, TimeUnit.SECONDS);
            assertNull(m.error.get(), m.name + " failed");
        }
        waitUntilAllProcessed(h, topic, PARTITIONS, Duration.ofSeconds(90));
        for (TestMember m : live) {
            assertNull(m.error.get(), m.name + " failed");
            m.close();
        }

        assertEveryRecordProcessed(h, topic, PARTITIONS);
        List<String> lost = new ArrayList<>();
        int abandoned = 0;
        for (History.Event e : h.rebalances) {
            if (e.rebalance().kind() == Rebalance.Kind.LOST) {
                lost.add(e.member() + ": " + e.rebalance());
            }
            abandoned += e.rebalance().abandoned();
        }
        assertEquals(List.of(), lost, "no member lost its partitions (all left gracefully)");
        assertEquals(0, abandoned, "every revoked partition was drained within the drain timeout");
        assertEquals(List.of(), h.concurrentProcessing(), "no partition processed on two members at once");
        assertEquals(List.of(), h.handOverMismatches(),
                "each next owner started where the previous owner's revoke committed: nothing committed twice");
        assertEquals(List.of(), List.copyOf(h.refused), "no ack was refused");
        Map<TopicPartition, Long> ends = ends(topic);
        assertEquals(RECORDS, ends.values().stream().mapToLong(Long::longValue).sum(), "every record produced");
        assertEquals(ends, committed(group), "final committed offsets = log end offsets");
        long duplicates = h.processed.size() - RECORDS;
        System.out.printf("churn %s: %d records, %d churns, produced in %d ms, %d processed twice, %d rebalance events%n",
                assignorName, RECORDS, churns, producedInMs, duplicates, h.rebalances.size());
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
