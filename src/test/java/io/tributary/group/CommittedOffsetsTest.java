package io.tributary.group;

import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import static io.tributary.kafka.KafkaClientsSupport.admin;
import static io.tributary.kafka.KafkaClientsSupport.consumer;
import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static io.tributary.kafka.KafkaClientsSupport.producer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Committed offsets with real clients: resuming after a restart of the consumer, auto.offset.reset,
 * simple commits, the Admin client's group operations, and everything still there after the node
 * restarts.
 */
class CommittedOffsetsTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, ConsumerGroupTest.FAST_GROUPS);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static void produce(String topic, int from, int to) throws Exception {
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
            for (int i = from; i < to; i++) {
                p.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)).get();
            }
        }
    }

    private static Map<String, Object> group(String groupId, String reset) {
        Map<String, Object> m = new HashMap<>(GroupMember.FAST);
        m.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        m.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
        return m;
    }

    /** Polls a subscribed consumer until {@code n} records arrived (or the deadline). */
    private static List<ConsumerRecord<String, String>> pollFor(KafkaConsumer<String, String> c, int n, Duration timeout) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (got.size() < n && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(100)).forEach(got::add);
        }
        return got;
    }

    @Test
    void aRestartedConsumerResumesFromItsCommittedOffsetWhateverItsResetPolicy() throws Exception {
        createTopic(node.bootstrap(), "resume", 1, Map.of());
        produce("resume", 0, 10);
        TopicPartition tp = new TopicPartition("resume", 0);
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), group("g-resume", "earliest"))) {
            c.subscribe(List.of("resume"));
            List<ConsumerRecord<String, String>> got = pollFor(c, 10, Duration.ofSeconds(30));
            assertEquals(10, got.size());
            c.commitSync(Map.of(tp, new OffsetAndMetadata(4, "checkpoint")));
        }
        for (String reset : List.of("earliest", "latest", "none")) {
            try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), group("g-resume", reset))) {
                c.subscribe(List.of("resume"));
                List<ConsumerRecord<String, String>> got = pollFor(c, 6, Duration.ofSeconds(30));
                assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L), got.stream().map(ConsumerRecord::offset).collect(Collectors.toList()),
                        "auto.offset.reset=" + reset + " resumes at the committed offset");
                OffsetAndMetadata committed = c.committed(Set.of(tp)).get(tp);
                assertEquals(4, committed.offset());
                assertEquals("checkpoint", committed.metadata());
            }
        }
    }

    @Test
    void withoutACommittedOffsetEarliestReadsEverythingLatestOnlyNewRecordsAndNoneFails() throws Exception {
        createTopic(node.bootstrap(), "reset", 1, Map.of());
        produce("reset", 0, 5);
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), group("g-earliest", "earliest"))) {
            c.subscribe(List.of("reset"));
            assertEquals(0L, pollFor(c, 5, Duration.ofSeconds(30)).get(0).offset(), "earliest starts at the log start");
        }
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), group("g-latest", "latest"))) {
            c.subscribe(List.of("reset"));
            Poll.until(Duration.ofSeconds(30), "assignment", () -> {
                c.poll(Duration.ofMillis(100));
                return !c.assignment().isEmpty();
            });
            assertEquals(5L, c.position(new TopicPartition("reset", 0)), "latest starts at the log end");
            produce("reset", 5, 8);
            List<ConsumerRecord<String, String>> got = pollFor(c, 3, Duration.ofSeconds(30));
            assertEquals(List.of("v5", "v6", "v7"), got.stream().map(ConsumerRecord::value).collect(Collectors.toList()));
        }
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), group("g-none", "none"))) {
            c.subscribe(List.of("reset"));
            NoOffsetForPartitionException e = assertThrows(NoOffsetForPartitionException.class, () -> {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(100));
                }
            }, "none fails when the group has no committed offset");
            assertTrue(e.partitions().contains(new TopicPartition("reset", 0)), e.getMessage());
        }
    }

    @Test
    void adminClientListsDescribesFetchesDeletesOffsetsAndGroups() throws Exception {
        createTopic(node.bootstrap(), "adm", 2, Map.of());
        TopicPartition p0 = new TopicPartition("adm", 0);
        TopicPartition p1 = new TopicPartition("adm", 1);
        // A simple commit: a consumer outside any group membership (assign mode) commits for "g-simple".
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), group("g-simple", "earliest"))) {
            c.assign(List.of(p0, p1));
            c.commitSync(Map.of(p0, new OffsetAndMetadata(3), p1, new OffsetAndMetadata(7)));
        }
        try (Admin admin = admin(node.bootstrap());
             GroupMember active = new GroupMember("active", node.bootstrap(), "g-active", "adm", Map.of())) {
            Poll.until(Duration.ofSeconds(30), "active member owns both partitions", () -> active.owned().size() == 2);
            active.run(c -> {
                c.commitSync(Map.of(p0, new OffsetAndMetadata(1)));
                return null;
            });

            Map<String, GroupListing> listed = admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get().stream()
                    .collect(Collectors.toMap(GroupListing::groupId, g -> g));
            assertTrue(listed.containsKey("g-simple") && listed.containsKey("g-active"), listed.toString());
            assertEquals(GroupState.STABLE, listed.get("g-active").groupState().orElseThrow());
            assertEquals(GroupState.EMPTY, listed.get("g-simple").groupState().orElseThrow());
            Set<String> empty = admin.listGroups(ListGroupsOptions.forConsumerGroups().inGroupStates(Set.of(GroupState.EMPTY)))
                    .all().get().stream().map(GroupListing::groupId).collect(Collectors.toSet());
            assertTrue(empty.contains("g-simple") && !empty.contains("g-active"), "state filter: " + empty);

            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("g-active")).describedGroups().get("g-active").get();
            assertEquals(GroupState.STABLE, d.groupState());
            assertEquals(1, d.members().size());
            assertEquals(Set.of(p0, p1), d.members().iterator().next().assignment().topicPartitions());
            assertEquals("range", d.partitionAssignor());

            // Several groups in one OffsetFetch (v8+).
            Map<String, ListConsumerGroupOffsetsSpec> specs = Map.of("g-simple", new ListConsumerGroupOffsetsSpec(),
                    "g-active", new ListConsumerGroupOffsetsSpec());
            var all = admin.listConsumerGroupOffsets(specs).all().get();
            assertEquals(3, all.get("g-simple").get(p0).offset());
            assertEquals(7, all.get("g-simple").get(p1).offset());
            assertEquals(1, all.get("g-active").get(p0).offset());
            assertNull(all.get("g-active").get(p1), "no commit for p1 in g-active");

            ExecutionException notEmpty = assertThrows(ExecutionException.class,
                    () -> admin.deleteConsumerGroups(List.of("g-active")).all().get());
            assertInstanceOf(GroupNotEmptyException.class, notEmpty.getCause());
            ExecutionException subscribed = assertThrows(ExecutionException.class,
                    () -> admin.deleteConsumerGroupOffsets("g-active", Set.of(p0)).all().get());
            assertTrue(subscribed.getCause().getClass().getSimpleName().contains("GroupSubscribedToTopic"), subscribed.toString());

            admin.deleteConsumerGroupOffsets("g-simple", Set.of(p1)).all().get();
            assertEquals(Set.of(p0), admin.listConsumerGroupOffsets("g-simple").partitionsToOffsetAndMetadata().get().keySet());
            admin.deleteConsumerGroups(List.of("g-simple")).all().get();
            assertTrue(admin.listConsumerGroupOffsets("g-simple").partitionsToOffsetAndMetadata().get().isEmpty());
            ExecutionException gone = assertThrows(ExecutionException.class,
                    () -> admin.deleteConsumerGroups(List.of("g-simple")).all().get());
            assertInstanceOf(GroupIdNotFoundException.class, gone.getCause());
        }
    }

    @Test
    void theOffsetsTopicIsInternalCompactedAndClosedToProducers() throws Exception {
        try (Admin admin = admin(node.bootstrap())) {
            var description = admin.describeTopics(List.of("__consumer_offsets")).allTopicNames().get().get("__consumer_offsets");
            assertTrue(description.isInternal(), "Metadata marks it internal");
            assertEquals(5, description.partitions().size(), "offsets.topic.num.partitions");
            var configs = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "__consumer_offsets"))).all().get().values().iterator().next();
            assertEquals("compact", configs.get("cleanup.policy").value());
        }
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> p.send(new ProducerRecord<>("__consumer_offsets", 0, "k", "v")).get());
            assertInstanceOf(org.apache.kafka.common.errors.InvalidTopicException.class, e.getCause());
        }
        try (Admin admin = admin(node.bootstrap())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.deleteTopics(List.of("__consumer_offsets")).all().get());
            assertInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class, e.getCause());
        }
    }

    @Test
    void deletingATopicDeletesItsCommittedOffsets() throws Exception {
        createTopic(node.bootstrap(), "short-lived", 1, Map.of());
        createTopic(node.bootstrap(), "long-lived", 1, Map.of());
        TopicPartition shortLived = new TopicPartition("short-lived", 0);
        TopicPartition longLived = new TopicPartition("long-lived", 0);
        try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), group("g-deleted-topic", "earliest"))) {
            c.assign(List.of(shortLived, longLived));
            c.commitSync(Map.of(shortLived, new OffsetAndMetadata(1), longLived, new OffsetAndMetadata(2)));
        }
        try (Admin admin = admin(node.bootstrap())) {
            admin.deleteTopics(List.of("short-lived")).all().get();
            assertEquals(Set.of(longLived), admin.listConsumerGroupOffsets("g-deleted-topic").partitionsToOffsetAndMetadata().get().keySet());
        }
    }

    @Test
    void groupsAndOffsetsSurviveARestart() throws Exception {
        createTopic(node.bootstrap(), "durable-offsets", 3, Map.of());
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            commits.put(new TopicPartition("durable-offsets", p), new OffsetAndMetadata(10L * (p + 1), "meta-" + p));
        }
        for (String g : List.of("g-r1", "g-r2", "g-r3")) {
            try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), group(g, "earliest"))) {
                c.subscribe(List.of("durable-offsets"));
                Poll.until(Duration.ofSeconds(30), "assignment", () -> {
                    c.poll(Duration.ofMillis(100));
                    return c.assignment().size() == 3;
                });
                c.commitSync(commits);
            }
        }
        try (Admin admin = admin(node.bootstrap())) {
            admin.deleteConsumerGroups(List.of("g-r3")).all().get();
        }
        node.restart();
        try (Admin admin = admin(node.bootstrap())) {
            Set<String> groups = admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get().stream()
                    .map(GroupListing::groupId).collect(Collectors.toSet());
            assertTrue(groups.containsAll(Set.of("g-r1", "g-r2")), "groups after restart: " + groups);
            assertTrue(!groups.contains("g-r3"), "a deleted group stays deleted: " + groups);
            for (String g : List.of("g-r1", "g-r2")) {
                assertEquals(commits, admin.listConsumerGroupOffsets(g).partitionsToOffsetAndMetadata().get(),
                        "offsets of " + g + " after restart");
                assertEquals(GroupState.EMPTY, admin.describeConsumerGroups(List.of(g)).describedGroups().get(g).get().groupState());
            }
        }
    }
}
