package io.tributary.metrics;

import io.tributary.group.GroupConfig;
import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.Poll;
import io.tributary.testing.Processes;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, must-show 2: {@code kafka_consumergroup_lag} (and the current offsets and states beside it) equals
 * what Apache Kafka's own {@code kafka-consumer-groups.sh --describe} prints, for groups in several states: a
 * Stable group with a live member, an Empty group whose member left, a group that never committed, and a group
 * whose topic got partitions after its commits. Where the tool prints "-" (no commit) the metric is -1, as in
 * kafka_exporter, or absent for a topic the group never committed to.
 */
class ConsumerLagTest {
    private static final String GROUP_COMMAND = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";

    @TempDir
    static Path dir;
    static TestNode node;
    static KafkaConsumer<String, String> stableMember;
    static KafkaConsumer<String, String> neverCommits;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir, Map.of(GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0",
                GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "3"));
        KafkaClientsSupport.createTopic(node.bootstrap(), "orders", 3, Map.of());
        KafkaClientsSupport.createTopic(node.bootstrap(), "grows", 1, Map.of());
        produce("orders", 0, 10);
        produce("orders", 1, 20);
        produce("orders", 2, 5);
        produce("grows", 0, 8);

        // Stable: a live member of the group that committed part of what it read.
        stableMember = member("stable");
        join(stableMember, "orders", 3);
        stableMember.commitSync(Map.of(tp("orders", 0), new OffsetAndMetadata(4), tp("orders", 1), new OffsetAndMetadata(20),
                tp("orders", 2), new OffsetAndMetadata(1)));

        // Empty: committed two of three partitions, then left.
        try (KafkaConsumer<String, String> c = member("empty")) {
            join(c, "orders", 3);
            c.commitSync(Map.of(tp("orders", 0), new OffsetAndMetadata(10), tp("orders", 1), new OffsetAndMetadata(7)));
        }

        // A member that never commits.
        neverCommits = member("never");
        join(neverCommits, "orders", 3);

        // Commits on one partition, then the topic grows to three and more records arrive on the new ones.
        try (Admin admin = KafkaClientsSupport.admin(node.bootstrap())) {
            admin.alterConsumerGroupOffsets("grower", Map.of(tp("grows", 0), new OffsetAndMetadata(3))).all().get();
            admin.createPartitions(Map.of("grows", NewPartitions.increaseTo(3))).all().get();
        }
        produce("grows", 1, 4);
        produce("grows", 2, 2);
    }

    @AfterAll
    static void stop() {
        if (stableMember != null) {
            stableMember.close();
        }
        if (neverCommits != null) {
            neverCommits.close();
        }
        node.close();
    }

    private static TopicPartition tp(String topic, int p) {
        return new TopicPartition(topic, p);
    }

    private static void produce(String topic, int partition, int n) throws Exception {
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < n; i++) {
                p.send(new ProducerRecord<>(topic, partition, "k" + i, "v" + i)).get();
            }
        }
    }

    private static KafkaConsumer<String, String> member(String group) {
        return KafkaClientsSupport.consumer(node.bootstrap(), Map.of("group.id", group, "auto.offset.reset", "earliest"));
    }

    /** Subscribes and polls until the member owns all {@code partitions} partitions of the topic. */
    private static void join(KafkaConsumer<String, String> c, String topic, int partitions) {
        List<TopicPartition> owned = new ArrayList<>();
        c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                owned.removeAll(revoked);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                owned.addAll(assigned);
            }
        });
        Poll.until(Duration.ofSeconds(30), "member of " + topic + " owns " + partitions + " partitions", () -> {
            c.poll(Duration.ofMillis(100));
            return owned.size() == partitions;
        });
    }

    private static String tool(String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", node.bootstrap()));
        all.addAll(List.of(args));
        Processes.Result r = Processes.java(GROUP_COMMAND, all, null, 120);
        assertEquals(0, r.exitCode(), "kafka-consumer-groups " + String.join(" ", all) + " failed:\n" + r.all());
        return r.stdout();
    }

    /** One row of --describe: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ... */
    record Row(String group, String topic, int partition, String current, String logEnd, String lag) {
    }

    private static List<Row> describeRows(String out) {
        List<Row> rows = new ArrayList<>();
        for (String line : out.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[2].matches("\\d+") && !f[0].equals("GROUP")) {
                rows.add(new Row(f[0], f[1], Integer.parseInt(f[2]), f[3], f[4], f[5]));
            }
        }
        return rows;
    }

    @Test
    void lagEqualsTheLagColumnOfKafkaConsumerGroupsForEveryGroupState() {
        String describe = tool("--describe", "--all-groups");
        String states = tool("--describe", "--all-groups", "--state");
        Scrape s = Scrape.of(node.httpBase());
        List<Row> rows = describeRows(describe);
        assertFalse(rows.isEmpty(), "kafka-consumer-groups printed no rows:\n" + describe);

        for (Row r : rows) {
            String[] at = {"consumergroup", r.group(), "topic", r.topic(), "partition", Integer.toString(r.partition())};
            Scrape.Sample lag = s.one("kafka_consumergroup_lag", at);
            Scrape.Sample current = s.one("kafka_consumergroup_current_offset", at);
            if (r.lag().equals("-")) {
                assertTrue(lag == null || lag.value() == -1, "no commit: LAG '-' but the metric is " + lag + "\n" + describe);
                assertTrue(current == null || current.value() == -1, "CURRENT-OFFSET '-' but the metric is " + current);
            } else {
                assertNotNull(lag, "no kafka_consumergroup_lag for " + r + " in the scrape");
                assertEquals(Long.parseLong(r.lag()), (long) lag.value(), "LAG of " + r + "\n" + describe);
                assertEquals(Long.parseLong(r.current()), (long) current.value(), "CURRENT-OFFSET of " + r);
                assertEquals(Long.parseLong(r.logEnd()), (long) s.value("kafka_topic_partition_current_offset",
                        "topic", r.topic(), "partition", Integer.toString(r.partition())), "LOG-END-OFFSET of " + r);
            }
        }
        // Every non-negative lag series is one of the tool's rows (kafka_exporter adds -1 only for partitions of a
        // committed topic without a commit).
        Map<String, Row> byKey = new HashMap<>();
        rows.forEach(r -> byKey.put(r.group() + "/" + r.topic() + "/" + r.partition(), r));
        for (Scrape.Sample lag : s.all("kafka_consumergroup_lag", x -> x.value() >= 0)) {
            Row r = byKey.get(lag.label("consumergroup") + "/" + lag.label("topic") + "/" + lag.label("partition"));
            assertNotNull(r, "a lag series the tool does not show: " + lag + "\n" + describe);
        }

        // The cases themselves, so a silent change of either side cannot pass unnoticed.
        assertEquals(6, s.value("kafka_consumergroup_lag", "consumergroup", "stable", "topic", "orders", "partition", "0"));
        assertEquals(0, s.value("kafka_consumergroup_lag", "consumergroup", "stable", "topic", "orders", "partition", "1"));
        assertEquals(4, s.value("kafka_consumergroup_lag", "consumergroup", "stable", "topic", "orders", "partition", "2"));
        assertEquals(10, s.value("kafka_consumergroup_lag_sum", "consumergroup", "stable", "topic", "orders"));
        assertEquals(13, s.value("kafka_consumergroup_lag", "consumergroup", "empty", "topic", "orders", "partition", "1"));
        assertEquals(-1, s.value("kafka_consumergroup_lag", "consumergroup", "empty", "topic", "orders", "partition", "2"));
        assertEquals(13, s.value("kafka_consumergroup_lag_sum", "consumergroup", "empty", "topic", "orders"));
        assertEquals(16, s.value("kafka_consumergroup_current_offset_sum", "consumergroup", "empty", "topic", "orders"),
                "kafka_exporter adds a partition without a commit as -1 into current_offset_sum");
        assertTrue(s.all("kafka_consumergroup_lag", x -> "never".equals(x.label("consumergroup"))).isEmpty(),
                "a group that never committed has no lag series");
        assertEquals(5, s.value("kafka_consumergroup_lag", "consumergroup", "grower", "topic", "grows", "partition", "0"));
        assertEquals(-1, s.value("kafka_consumergroup_lag", "consumergroup", "grower", "topic", "grows", "partition", "1"));
        assertEquals(-1, s.value("kafka_consumergroup_lag", "consumergroup", "grower", "topic", "grows", "partition", "2"));

        // Group state and members as --describe --state shows them (GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS).
        int checked = 0;
        for (String line : states.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 5 || f[0].equals("GROUP") || !f[f.length - 1].matches("\\d+")) {
                continue;
            }
            String group = f[0];
            String state = f[f.length - 2];
            assertEquals(1, s.value("kafka_consumergroup_state", "consumergroup", group, "state", state), line);
            assertEquals(Integer.parseInt(f[f.length - 1]), (int) s.value("kafka_consumergroup_members", "consumergroup", group), line);
            checked++;
        }
        assertEquals(4, checked, "four groups in:\n" + states);
        assertEquals(1, s.value("kafka_consumergroup_state", "consumergroup", "stable", "state", "Stable"));
        assertEquals(1, s.value("kafka_consumergroup_state", "consumergroup", "empty", "state", "Empty"));
        assertEquals(0, s.value("kafka_consumergroup_state", "consumergroup", "empty", "state", "Stable"));
    }
}
