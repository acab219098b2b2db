package io.tributary.group;

import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real kafka-clients consumers in groups against an in-process node: partitions are split, moved when
 * a member leaves or dies, and cooperative rebalancing keeps the partitions that stay.
 */
class ConsumerGroupTest {
    static final Map<String, String> FAST_GROUPS = Map.of(
            GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0",
            GroupConfig.GROUP_MIN_SESSION_TIMEOUT_MS, "1000",
            GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "5");

    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, FAST_GROUPS);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static Set<TopicPartition> partitions(String topic, int n) {
        Set<TopicPartition> s = new HashSet<>();
        for (int i = 0; i < n; i++) {
            s.add(new TopicPartition(topic, i));
        }
        return s;
    }

    /** Each member owns exactly {@code each} partitions and together they own every partition once. */
    private static boolean split(List<GroupMember> members, Set<TopicPartition> all, int each) {
        Set<TopicPartition> union = new HashSet<>();
        int total = 0;
        for (GroupMember m : members) {
            Set<TopicPartition> owned = m.owned();
            if (each >= 0 && owned.size() != each) {
                return false;
            }
            union.addAll(owned);
            total += owned.size();
        }
        return total == all.size() && union.equals(all);
    }

    private static String describe(List<GroupMember> members) {
        StringBuilder sb = new StringBuilder();
        members.forEach(m -> sb.append(m.name).append('=').append(m.owned()).append(" failure=").append(m.failure()).append("; "));
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(classes = {RangeAssignor.class, RoundRobinAssignor.class, StickyAssignor.class, CooperativeStickyAssignor.class})
    void threeMembersSplitAThreePartitionTopic(Class<?> assignor) throws Exception {
        String topic = "split-" + assignor.getSimpleName();
        createTopic(node.bootstrap(), topic, 3, Map.of());
        Set<TopicPartition> all = partitions(topic, 3);
        List<GroupMember> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(new GroupMember("m" + i, node.bootstrap(), "g-" + topic, topic,
                        Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor.getName())));
            }
            Poll.until(Duration.ofSeconds(30), "one partition each", () -> split(members, all, 1));
        } finally {
            members.forEach(GroupMember::close);
        }
        assertTrue(members.stream().allMatch(m -> m.failure() == null), describe(members));
    }

    @Test
    void aMemberThatLeavesHasItsPartitionsReassigned() throws Exception {
        String topic = "leave";
        createTopic(node.bootstrap(), topic, 3, Map.of());
        Set<TopicPartition> all = partitions(topic, 3);
        List<GroupMember> members = new ArrayList<>();
        try {
            // A long session timeout: only the LeaveGroup can explain a reassignment well before it.
            Map<String, Object> longSession = Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30_000);
            for (int i = 0; i < 3; i++) {
                members.add(new GroupMember("m" + i, node.bootstrap(), "g-leave", topic, longSession));
            }
            Poll.until(Duration.ofSeconds(30), "one partition each", () -> split(members, all, 1));
            GroupMember leaving = members.remove(2);
            long start = System.nanoTime();
            leaving.close(); // sends LeaveGroup
            Poll.until(Duration.ofSeconds(20), "the two remaining members own all three partitions",
                    () -> split(members, all, -1) && members.stream().allMatch(m -> !m.owned().isEmpty()));
            assertTrue(System.nanoTime() - start < 30_000_000_000L, "reassigned before session.timeout.ms could expire");
        } finally {
            members.forEach(GroupMember::close);
        }
    }

    @Test
    void aMemberThatStopsHeartbeatingHasItsPartitionsReassignedAfterTheSessionTimeout() throws Exception {
        String topic = "silent";
        createTopic(node.bootstrap(), topic, 3, Map.of());
        Set<TopicPartition> all = partitions(topic, 3);
        Path out = dir.resolve("victim.out");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), GroupConsumerMain.class.getName(),
                node.bootstrap(), "g-silent", topic, "3000");
        Process victim = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        List<GroupMember> members = new ArrayList<>();
        try {
            Poll.until(Duration.ofSeconds(60), "the consumer in its own JVM owns all partitions", () -> read(out).contains("ASSIGNED [")
                    && read(out).lines().reduce((a, b) -> b).orElse("").split(",").length == 3);
            for (int i = 0; i < 2; i++) {
                members.add(new GroupMember("m" + i, node.bootstrap(), "g-silent", topic, Map.of()));
            }
            Poll.until(Duration.ofSeconds(30), "three members share three partitions",
                    () -> members.stream().allMatch(m -> m.owned().size() == 1));
            victim.destroyForcibly().waitFor(); // kill -9: no LeaveGroup, heartbeats just stop
            long start = System.nanoTime();
            Poll.until(Duration.ofSeconds(30), "the survivors own all partitions",
                    () -> split(members, all, -1) && members.stream().allMatch(m -> !m.owned().isEmpty()));
            long ms = (System.nanoTime() - start) / 1_000_000;
            // session.timeout.ms=3000 of the victim, then one rebalance (heartbeat.interval.ms=200); the
            // upper bound only says the expiry happened, with room for a loaded machine.
            assertTrue(ms < 3000 + 15_000, "reassigned " + ms + " ms after the kill");
            assertTrue(ms >= 2000, "not before the session timeout could expire (" + ms + " ms)");
        } finally {
            victim.destroyForcibly();
            members.forEach(GroupMember::close);
        }
    }

    @Test
    void cooperativeStickyRebalancesWithoutRevokingPartitionsThatStay() throws Exception {
        String topic = "coop";
        createTopic(node.bootstrap(), topic, 6, Map.of());
        Set<TopicPartition> all = partitions(topic, 6);
        Map<String, Object> coop = Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        List<GroupMember> members = new ArrayList<>();
        try {
            members.add(new GroupMember("a", node.bootstrap(), "g-coop", topic, coop));
            members.add(new GroupMember("b", node.bootstrap(), "g-coop", topic, coop));
            Poll.until(Duration.ofSeconds(30), "three partitions each", () -> split(members, all, 3));
            Map<String, Set<TopicPartition>> before = Map.of("a", members.get(0).owned(), "b", members.get(1).owned());
            members.get(0).revoked.clear();
            members.get(1).revoked.clear();

            members.add(new GroupMember("c", node.bootstrap(), "g-coop", topic, coop));
            Poll.until(Duration.ofSeconds(30), "two partitions each", () -> split(members, all, 2));
            for (GroupMember m : members.subList(0, 2)) {
                Set<TopicPartition> kept = new HashSet<>(before.get(m.name));
                kept.retainAll(m.owned());
                assertEquals(2, kept.size(), m.name + " keeps two of its partitions (sticky): " + describe(members));
                for (TopicPartition tp : m.revoked) {
                    assertTrue(!kept.contains(tp), m.name + " had " + tp + " revoked although it kept it: revoked " + m.revoked);
                }
                assertEquals(1, new HashSet<>(m.revoked).size(), m.name + " gave up exactly the one partition that moved: " + m.revoked);
            }
        } finally {
            members.forEach(GroupMember::close);
        }
        assertTrue(members.stream().allMatch(m -> m.failure() == null), describe(members));
    }

    private static int generation(String group) {
        return node.node().groups().call(c -> c.generation(group)).await();
    }

    @Test
    void aStaticMemberRestartedWithinItsSessionGetsItsPartitionsBackWithoutARebalance() throws Exception {
        String topic = "static";
        createTopic(node.bootstrap(), topic, 4, Map.of());
        Set<TopicPartition> all = partitions(topic, 4);
        Map<String, Object> a = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-a", ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        Map<String, Object> b = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-b", ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        List<GroupMember> members = new ArrayList<>();
        try {
            members.add(new GroupMember("a", node.bootstrap(), "g-static", topic, a));
            Poll.until(Duration.ofSeconds(30), "a alone owns everything (and leads)", () -> split(members, all, 4));
            members.add(new GroupMember("b", node.bootstrap(), "g-static", topic, b));
            Poll.until(Duration.ofSeconds(30), "two partitions each", () -> split(members, all, 2));
            Set<TopicPartition> bOwned = members.get(1).owned();
            int generation = generation("g-static");
            members.get(0).revoked.clear(); // (eager range revoked everything when b joined)

            members.remove(1).close(); // a static member does not leave the group when it closes
            assertEquals(generation, generation("g-static"), "closing a static member does not rebalance");
            GroupMember back = new GroupMember("b2", node.bootstrap(), "g-static", topic, b);
            members.add(back);
            Poll.until(Duration.ofSeconds(30), "the restarted static member owns its partitions again", () -> back.owned().equals(bOwned));
            assertEquals(generation, generation("g-static"), "same generation: no rebalance");
            assertEquals(2, members.get(0).owned().size());
            assertTrue(members.get(0).revoked.isEmpty(), "the other member never gave anything up: " + members.get(0).revoked);
        } finally {
            members.forEach(GroupMember::close);
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
