package io.tributary.server;

import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static io.tributary.kafka.KafkaClientsSupport.admin;
import static io.tributary.kafka.KafkaClientsSupport.consumer;
import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 a real node process while groups commit; after the restart every group and acknowledged commit is there. */
class GroupCrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void groupsAndAcknowledgedOffsetsSurviveKill9() throws Exception {
        Path data = dir.resolve("data");
        NodeProcess node = new NodeProcess(data, TestNode.freePort(), dir.resolve("node.log"));
        try (node) {
            node.start();
            createTopic(node.bootstrap(), "crash-offsets", 2, Map.of());
            List<String> groups = List.of("crash-a", "crash-b", "crash-c", "crash-d");
            TopicPartition p0 = new TopicPartition("crash-offsets", 0);
            TopicPartition p1 = new TopicPartition("crash-offsets", 1);

            // A group with a live member: its membership and assignment are stored too.
            KafkaConsumer<String, String> live = consumer(node.bootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, "crash-live",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
            live.subscribe(List.of("crash-offsets"));
            Poll.until(Duration.ofSeconds(60), "live member assigned", () -> {
                live.poll(Duration.ofMillis(100));
                return live.assignment().size() == 2;
            });
            live.commitSync(Map.of(p0, new OffsetAndMetadata(11), p1, new OffsetAndMetadata(12)));

            // Simple commits from several groups, acknowledged one by one, until the node dies.
            Map<String, Long> acked = new ConcurrentHashMap<>();
            Map<String, Long> attempted = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread committer = new Thread(() -> {
                Map<String, KafkaConsumer<String, String>> cs = groups.stream().collect(Collectors.toMap(g -> g,
                        g -> consumer(node.bootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, g,
                                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))));
                try {
                    for (long offset = 1; !stop.get(); offset++) {
                        for (String g : groups) {
                            attempted.put(g, offset);
                            cs.get(g).commitSync(Map.of(p0, new OffsetAndMetadata(offset, "at-" + offset),
                                    p1, new OffsetAndMetadata(offset * 2)));
                            acked.put(g, offset);
                        }
                    }
                } catch (RuntimeException e) {
                    // the node is gone
                } finally {
                    cs.values().forEach(c -> c.close(Duration.ZERO));
                }
            });
            committer.start();
            Poll.until(Duration.ofSeconds(60), "a few hundred acknowledged commits per group",
                    () -> groups.stream().allMatch(g -> acked.getOrDefault(g, 0L) >= 200));
            node.kill9();
            stop.set(true);
            committer.join(30_000);
            live.close(Duration.ZERO);
            Map<String, Long> ackedSnapshot = Map.copyOf(acked);

            node.start();
            try (Admin admin = admin(node.bootstrap())) {
                Set<String> listed = Poll.value(Duration.ofSeconds(30), "groups listed after restart",
                        () -> listGroups(admin), s -> s.containsAll(groups) && s.contains("crash-live"));
                assertTrue(listed.contains("crash-live"), listed.toString());
                for (String g : groups) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(g).partitionsToOffsetAndMetadata().get();
                    long o = offsets.get(p0).offset();
                    assertTrue(o >= ackedSnapshot.get(g) && o <= attempted.get(g),
                            g + ": committed " + o + " after restart, acknowledged " + ackedSnapshot.get(g) + ", attempted " + attempted.get(g));
                    assertEquals("at-" + o, offsets.get(p0).metadata());
                    assertEquals(o * 2, offsets.get(p1).offset(), "both partitions of one commit are written together");
                }
                Map<TopicPartition, OffsetAndMetadata> liveOffsets = admin.listConsumerGroupOffsets("crash-live").partitionsToOffsetAndMetadata().get();
                assertEquals(11, liveOffsets.get(p0).offset());
                assertEquals(12, liveOffsets.get(p1).offset());
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("crash-live")).describedGroups().get("crash-live").get();
                // The member is restored from the log with its assignment; its session (45 s by default) has
                // not expired yet, so the group is still Stable at the stored generation.
                assertEquals(GroupState.STABLE, d.groupState(), d.toString());
                assertEquals(1, d.members().size(), d.toString());
                assertEquals(Set.of(p0, p1), d.members().iterator().next().assignment().topicPartitions());
                assertEquals("range", d.partitionAssignor());
            }
        }
    }

    private static Set<String> listGroups(Admin admin) {
        try {
            return admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get().stream()
                    .map(GroupListing::groupId).collect(Collectors.toSet());
        } catch (Exception e) {
            return Set.of();
        }
    }
}
