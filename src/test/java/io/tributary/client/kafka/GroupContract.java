package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Flowable;
import io.tributary.testing.Poll;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reactive consumer in consumer-group mode, run against every target (one subclass each). */
abstract class GroupContract extends GroupFixture {
    // ------------------------------------------------------------------------------------------------ tests

    @Test
    void twoMembersSplitATopicsPartitionsAndCommitExactlyWhatTheyProcessed() {
        String topic = "group-split";
        String group = "g-split";
        createTopic(topic, 6);
        produce(topic, 6, 6_000);
        History h = new History();
        TestMember a = member("a", options(group, GroupOptions.RANGE), topic, 64, 0, h);
        TestMember b = member("b", options(group, GroupOptions.RANGE), topic, 64, 0, h);
        waitForAssignments(Duration.ofSeconds(60), "two members with disjoint partitions", 6, a, b);
        waitUntilAllProcessed(h, topic, 6, Duration.ofSeconds(60));
        Set<TopicPartition> pa = a.assignment();
        Set<TopicPartition> pb = b.assignment();
        assertEquals(3, pa.size(), "range splits 6 partitions 3/3: " + pa + " " + pb);
        assertEquals(3, pb.size());
        a.close();
        b.close();
        assertEquals(List.of(), h.concurrentProcessing(), "no partition processed on two members at once");
        assertEquals(ends(topic), committed(group), "after a graceful close the group's offsets are the log ends");
        assertEveryRecordProcessed(h, topic, 6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "cooperative-sticky"})
    void aJoinAndALeaveMovePartitionsAndNoRecordIsLost(String assignorName) {
        String topic = "group-moves-" + assignorName;
        String group = "g-moves-" + assignorName;
        createTopic(topic, 4);
        History h = new History();
        var filling = client.producer(new ProducerOptions()).send(Flowable.range(0, 40_000)
                        .map(i -> ProduceRecord.of(topic, null, "v" + i).withPartition(i % 4)))
                .ignoreElements().subscribe();
        TestMember a = member("a", options(group, assignor(assignorName)), topic, 32, 1, h);
        Poll.until(Duration.ofSeconds(60), "a owns all 4 partitions", () -> a.assignment().size() == 4);
        TestMember b = member("b", options(group, assignor(assignorName)), topic, 32, 1, h);
        waitForAssignments(Duration.ofSeconds(60), "a and b share the partitions", 4, a, b);
        assertEquals(2, a.assignment().size(), "after b joins: " + a.assignment() + " / " + b.assignment());
        assertTrue(a.events.stream().anyMatch(e -> e.kind() == Rebalance.Kind.REVOKED),
                "a saw partitions revoked: " + a.events);
        if (assignorName.equals("cooperative-sticky")) {
            // Incremental: a only ever gives up the two partitions that move to b.
            for (Rebalance e : a.events) {
                if (e.kind() == Rebalance.Kind.REVOKED) {
                    assertTrue(e.partitions().size() <= 2, "cooperative revokes only what moves: " + e);
                }
            }
        }
        b.close();
        Poll.until(Duration.ofSeconds(60), "a owns all 4 partitions again", () -> a.assignment().size() == 4);
        filling.dispose();
        Poll.until(Duration.ofSeconds(60), "the producer finished", () -> ends(topic).values().stream()
                .mapToLong(Long::longValue).sum() == 40_000);
        waitUntilAllProcessed(h, topic, 4, Duration.ofSeconds(60));
        a.close();
        assertEquals(List.of(), h.concurrentProcessing(), "no partition processed on two members at once");
        assertEquals(List.of(), h.handOverMismatches(), "each next owner started where the last one committed");
        assertEquals(ends(topic), committed(group), "final committed offsets are the log ends");
    }

    /**
     * reactor-kafka #345: a member had records of a partition prefetched when a rebalance moved the partition; it
     * went on processing them while the new owner processed the same records. Here the first member has a deep
     * buffer (a slow subscriber over a full topic) when the second joins.
     */
    @ParameterizedTest
    @ValueSource(strings = {"range", "cooperative-sticky"})
    void aMovedPartitionIsNeverProcessedOnTwoMembersAtOnce(String assignorName) {
        String topic = "group-345-" + assignorName;
        String group = "g-345-" + assignorName;
        createTopic(topic, 4);
        produce(topic, 4, 20_000);
        History h = new History();
        // a keeps 16 records in processing, 20 ms each: at the rebalance some are always in flight.
        TestMember a = member("a", options(group, assignor(assignorName)), topic, 16, 20, h);
        Poll.until(Duration.ofSeconds(60), "a is processing", () -> a.processed.get() > 100);
        TestMember b = member("b", options(group, assignor(assignorName)), topic, 16, 2, h);
        waitForAssignments(Duration.ofSeconds(60), "a and b share the partitions", 4, a, b);
        Poll.until(Duration.ofSeconds(60), "b is processing what moved to it", () -> b.processed.get() > 200);
        a.close();
        b.close();
        assertTrue(h.rebalances.stream().anyMatch(e -> e.rebalance().kind() == Rebalance.Kind.REVOKED
                && e.member().equals("a") && !e.rebalance().partitions().isEmpty()), "a gave partitions up");
        for (History.Event e : h.rebalances) {
            assertEquals(0, e.rebalance().abandoned(), "records were drained, not abandoned: " + e);
        }
        assertEquals(List.of(), h.concurrentProcessing(), "no partition processed on two members at once");
        assertEquals(List.of(), h.handOverMismatches(), "each next owner started where the last one committed");
        assertEquals(List.of(), List.copyOf(h.refused), "no ack was refused");
    }

    /**
     * reactor-kafka #421: on shutdown a member committed offsets for every partition it had ever processed, revoked
     * ones included, moving another member's position (and leaving a negative lag). Here a member holds records of a
     * partition unacked through the rebalance that takes it away: the drain gives up, and every later ack or commit
     * of those records is refused, the close commits nothing for the partition, and the new owner's commits stand.
     */
    @Test
    void acksAndCommitsOfARevokedPartitionAreRefusedAndNeverReachTheGroup() {
        String topic = "group-421";
        String group = "g-421";
        createTopic(topic, 2);
        produce(topic, 2, 2_000);
        History h = new History();
        GroupOptions opts = options(group, GroupOptions.RANGE).drainTimeoutMs(1_000);
        TestMember a = member("a", opts, topic, 64, 0, h);
        a.hold(r -> r.offset() >= 500);
        Poll.until(Duration.ofSeconds(60), "a holds records of both partitions", () ->
                a.held.stream().map(ConsumerRecord::partition).distinct().count() == 2);
        Poll.until(Duration.ofSeconds(30), "a committed up to its first held record",
                () -> committed(group).values().stream().allMatch(o -> o == 500) && committed(group).size() == 2);
        TestMember b = member("b", options(group, GroupOptions.RANGE), topic, 64, 0, h);
        waitForAssignments(Duration.ofSeconds(60), "a and b one partition each", 2, a, b);
        TopicPartition moved = b.assignment().iterator().next();
        Rebalance revoke = a.events.stream().filter(e -> e.kind() == Rebalance.Kind.REVOKED).findFirst().orElseThrow();
        assertTrue(revoke.abandoned() > 0, "a's held records were abandoned at the drain timeout: " + revoke);
        assertEquals(500L, revoke.committed().get(moved), "a handed " + moved + " back at its last commit");
        waitUntilAllProcessed(h, topic, 2, Duration.ofSeconds(60));
        Poll.until(Duration.ofSeconds(30), "b committed " + moved + " to its end",
                () -> committed(group).get(moved) == 1_000L);

        ConsumerRecord stale = a.held.stream().filter(r -> r.partition() == moved.partition()).findFirst()
                .orElseThrow();
        RevokedPartitionException ackRefused = assertThrows(RevokedPartitionException.class, stale::ack);
        assertTrue(ackRefused.getMessage().contains(moved.toString()), ackRefused.getMessage());
        Throwable commitRefused = stale.commit().materialize().blockingGet().getError();
        assertTrue(commitRefused instanceof RevokedPartitionException, "commit refused: " + commitRefused);
        a.close();
        assertEquals(1_000L, committed(group).get(moved), "a's close committed nothing for " + moved);
        b.close();
        Map<TopicPartition, Long> ends = ends(topic);
        committed(group).forEach((tp, o) -> assertTrue(o <= ends.get(tp), "no negative lag on " + tp));
    }

    /**
     * reactor-kafka #259 (fixed by its #260): with out-of-order acks, a rebalance left the revoked partition's
     * deferred commits behind; when records came again they piled up behind the stale gap and the consumer paused
     * for good. Here a member acks out of order (one early record held), loses the partition, gets it back, and must
     * commit it to the end from a clean state.
     */
    @Test
    void outOfOrderAcksLeaveNothingBehindWhenAPartitionComesBack() {
        String topic = "group-260";
        String group = "g-260";
        createTopic(topic, 2);
        produce(topic, 2, 2_000);
        History h = new History();
        GroupOptions opts = options(group, GroupOptions.RANGE).drainTimeoutMs(1_000);
        TestMember a = member("a", opts, topic, 64, 0, h);
        // Out of order: offset 100 of each partition is held while everything after it is acked.
        a.hold(r -> r.offset() == 100);
        Poll.until(Duration.ofSeconds(60), "a processed both partitions", () -> a.processed.get() >= 2_000);
        Poll.until(Duration.ofSeconds(30), "a's commits stop at the gap",
                () -> committed(group).size() == 2 && committed(group).values().stream().allMatch(o -> o == 100));
        TestMember b = member("b", options(group, GroupOptions.RANGE), topic, 64, 0, h);
        waitForAssignments(Duration.ofSeconds(60), "a and b one partition each", 2, a, b);
        TopicPartition moved = b.assignment().iterator().next();
        a.hold(r -> false);
        b.close();
        Poll.until(Duration.ofSeconds(60), "a owns both partitions again", () -> a.assignment().size() == 2);
        // Records keep coming after the partition is back: a commits them from a fresh state, nothing stale in the
        // way (the gap it left at offset 100 of the first ownership is gone with that ownership).
        produce(topic, 2, 2_000);
        Poll.until(Duration.ofSeconds(60), "both partitions committed to their new ends",
                () -> committed(group).equals(ends(topic)));
        assertTrue(h.processed.stream().anyMatch(p -> p.member().equals("a") && p.tp().equals(moved)
                && p.offset() >= 1_000), "a processed " + moved + " past where it got it back");
        assertTrue(a.events.stream().filter(e -> e.kind() == Rebalance.Kind.ASSIGNED)
                .anyMatch(e -> e.partitions().contains(moved) && e.generation() > 1), "a got " + moved + " back");
        a.close();
        assertEquals(ends(topic), committed(group));
    }
}
