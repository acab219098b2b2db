package io.tributary.cluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka replication on three node JVMs (issue 10): followers fetch from leaders over the Kafka protocol, the
 * ISR and high watermark follow them, acks=all waits for the ISR and honours min.insync.replicas, and a leader
 * killed with kill -9 under acks=all load loses nothing acknowledged: the new leader (an ISR member) has every
 * acknowledged record at the offset it was acknowledged at, and once the old leader is back every replica's log
 * is byte for byte the same. Broker session 4 s, replica.lag.time.max.ms 4 s, tickTime 500 ms.
 */
@UsesSharedCluster
class KafkaReplicationTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Admin admin;

    @BeforeAll
    static void up() {
        cluster = LocalCluster.kafka();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        // Short: while a broker is paused, a call that lands on it gives up quickly and the poll asks again.
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "6000");
        admin = Admin.create(p);
    }

    @AfterAll
    static void down() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    private static <T> T await(String what, Duration timeout, Supplier<T> probe) {
        return KafkaOnCluster.await(cluster, what, timeout, probe);
    }

    /** Each test starts with every broker registered (the one before may have paused or killed one). */
    @org.junit.jupiter.api.BeforeEach
    void everyBrokerRegistered() {
        // The coordination ensemble first: after a paused node resumed, its node rejoins as a follower before its
        // broker can write metadata again (a topic created through it meanwhile times out).
        cluster.awaitLeader(Duration.ofSeconds(90));
        await("three registered brokers", Duration.ofSeconds(90), () -> {
            try {
                return admin.describeCluster().nodes().get().size() == 3 ? true : null;
            } catch (InterruptedException | ExecutionException e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static TopicDescription describe(String topic) {
        return KafkaOnCluster.describe(admin, topic);
    }

    private static TopicDescription inSync(String topic, int replicas) {
        return await("every partition of " + topic + " with " + replicas + " in-sync replicas", Duration.ofSeconds(90), () -> {
            TopicDescription d = describe(topic);
            return d.partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() == replicas) ? d : null;
        });
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }


    private record Acked(int partition, long offset, String value) {
    }

    @Test
    void acknowledgedRecordsSurviveKillOfTheLeaderAndEveryReplicaEndsIdentical() throws Exception {
        admin.createTopics(List.of(new NewTopic("durable", 2, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(30, TimeUnit.SECONDS);
        TopicDescription before = inSync("durable", 3);
        int victim = before.partitions().get(0).leader().id();
        int total = 3000;
        ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Exception> failed = new ConcurrentLinkedQueue<>();
        AtomicInteger done = new AtomicInteger();
        try (KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            for (int i = 0; i < total; i++) {
                String value = "v" + i;
                producer.send(new ProducerRecord<>("durable", i % 2, "k" + i, value), (m, e) -> {
                    if (e != null) {
                        failed.add(e);
                    } else {
                        acked.add(new Acked(m.partition(), m.offset(), value));
                    }
                    done.incrementAndGet();
                });
                if (i == total / 3) {
                    producer.flush();
                    cluster.run("kill", Integer.toString(victim));
                }
            }
            producer.flush();
        }
        assertEquals(total, done.get());
        assertTrue(failed.isEmpty(), "every record was acknowledged (the producer retries across the failover): " + failed);
        TopicPartitionInfo moved = describe("durable").partitions().get(0);
        assertTrue(moved.leader() != null && moved.leader().id() != victim, "a new leader for partition 0: " + moved);

        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<TopicPartition, Map<Long, String>> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition("durable", 0), new TopicPartition("durable", 1));
            consumer.assign(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    String twice = read.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new HashMap<>())
                            .put(r.offset(), r.value());
                    assertEquals(null, twice, "offset " + r.offset() + " read once");
                }
            }
        }
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        read.values().forEach(m -> m.values().forEach(v -> seen.merge(v, 1, Integer::sum)));
        for (Acked a : acked) {
            assertEquals(a.value(), read.getOrDefault(new TopicPartition("durable", a.partition()), Map.of()).get(a.offset()),
                    "acknowledged " + a + " is at its offset");
            assertEquals(1, seen.get(a.value()), a.value() + " is in the log exactly once");
        }

        cluster.run("start", Integer.toString(victim));
        inSync("durable", 3);
        for (int p = 0; p < 2; p++) {
            int partition = p;
            await("the three replicas of durable-" + p + " byte for byte equal", Duration.ofSeconds(60), () -> {
                byte[] first = KafkaOnCluster.replicaBytes(cluster.dir(), 1, "durable", partition);
                return Arrays.equals(first, KafkaOnCluster.replicaBytes(cluster.dir(), 2, "durable", partition))
                        && Arrays.equals(first, KafkaOnCluster.replicaBytes(cluster.dir(), 3, "durable", partition)) && first.length > 0 ? true : null;
            });
        }
        assertArrayEquals(KafkaOnCluster.replicaBytes(cluster.dir(), 1, "durable", 0), KafkaOnCluster.replicaBytes(cluster.dir(), victim, "durable", 0));

        // kafka_exporter's names on the partition's leader: the cluster's view, not one node's.
        int leader = describe("durable").partitions().get(0).leader().id();
        String scrape = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + cluster.httpPort(leader) + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(scrape.contains("kafka_brokers 3"), "kafka_brokers on node " + leader);
        assertTrue(scrape.contains("kafka_topic_partition_replicas{partition=\"0\",topic=\"durable\"} 3"), scrape.lines()
                .filter(l -> l.contains("durable")).toList().toString());
        assertTrue(scrape.contains("kafka_topic_partition_in_sync_replica{partition=\"0\",topic=\"durable\"} 3"), scrape.lines()
                .filter(l -> l.contains("durable")).toList().toString());
        assertTrue(scrape.contains("kafka_topic_partition_leader{partition=\"0\",topic=\"durable\"} " + leader));
    }

    @Test
    void acksAllIsRefusedWhenTheIsrIsSmallerThanMinInsyncReplicas() throws Exception {
        List<Integer> brokers = new ArrayList<>(List.of(1, 2, 3));
        admin.createTopics(List.of(new NewTopic("strict", Map.of(0, brokers.subList(0, 2)))
                .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
        TopicDescription d = inSync("strict", 2);
        int leader = d.partitions().get(0).leader().id();
        int follower = d.partitions().get(0).replicas().stream().map(Node::id).filter(n -> n != leader).findFirst().orElseThrow();
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>("strict", "ok")).get(30, TimeUnit.SECONDS);
        }
        // Read from the partition state znode through the leader's node, with a session opened before the pause: an
        // admin client may keep asking the paused broker, which answers nothing.
        try (org.apache.zookeeper.ZooKeeper zk = EnsembleClient.connect(cluster, 10_000, leader)) {
        cluster.run("pause", Integer.toString(follower));
        try {
            {
                await("the ISR of strict-0 shrunk to the leader", Duration.ofSeconds(60), () -> {
                    try {
                        zk.sync("/brokers", (rc, path, ctx) -> { }, null);
                        io.vertx.core.json.JsonObject state = new io.vertx.core.json.JsonObject(new String(zk.getData(
                                "/brokers/topics/strict/partitions/0/state", false, null), java.nio.charset.StandardCharsets.UTF_8));
                        return state.getJsonArray("isr").size() == 1 ? state : null;
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
            }
            // Straight to the leader (the paused broker answers nothing), no retries: the broker's answer itself.
            try (KafkaProducer<String, String> producer = producer(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + cluster.kafkaPort(leader),
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.RETRIES_CONFIG, 0))) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>("strict", "refused")).get(30, TimeUnit.SECONDS));
                assertInstanceOf(NotEnoughReplicasException.class, e.getCause(),
                        "acks=all with one in-sync replica and min.insync.replicas=2");
            }
        } finally {
            cluster.run("resume", Integer.toString(follower));
        }
        }
        inSync("strict", 2);
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>("strict", "again")).get(30, TimeUnit.SECONDS);
        }
    }
    /**
     * Clients nobody on the team wrote, against the cluster: kcat (librdkafka) sees three brokers and a replicated
     * topic's leaders, produces and consumes in a balanced group; kafka-python's and confluent-kafka's group members
     * split a replicated topic, commit through the group's coordinator (any of the three) and resume from it.
     */
    @Test
    void kcatKafkaPythonAndConfluentKafkaWorkAgainstTheCluster() throws Exception {
        admin.createTopics(List.of(new NewTopic("rdk", 3, (short) 3))).all().get(30, TimeUnit.SECONDS);
        inSync("rdk", 3);
        io.tributary.testing.Processes.Result meta = io.tributary.testing.Processes.run(List.of("kcat", "-L", "-b",
                "127.0.0.1:" + cluster.kafkaPort(1), "-t", "rdk"), null, 30);
        assertEquals(0, meta.exitCode(), meta.all());
        assertTrue(meta.stdout().contains("3 brokers:"), meta.stdout());
        assertTrue(meta.stdout().contains("isrs: "), meta.stdout());
        String lines = java.util.stream.IntStream.range(0, 300).mapToObj(i -> "r" + i).collect(java.util.stream.Collectors.joining("\n"));
        io.tributary.testing.Processes.Result produced = io.tributary.testing.Processes.run(List.of("kcat", "-P", "-b",
                cluster.bootstrap(), "-t", "rdk", "-X", "acks=all"), lines + "\n", 60);
        assertEquals(0, produced.exitCode(), produced.all());
        io.tributary.testing.Processes.Result consumed = io.tributary.testing.Processes.run(List.of("kcat", "-b",
                cluster.bootstrap(), "-G", "kcat-cluster", "-X", "auto.offset.reset=earliest", "-e", "-q", "-f", "%s\n", "rdk"),
                null, 90);
        assertEquals(0, consumed.exitCode(), consumed.all());
        assertEquals(lines.lines().sorted().toList(), consumed.stdout().lines().sorted().toList(), "every record once");

        for (String[] script : List.of(new String[]{"kafka_python_group.py", "kafka-python group OK"},
                new String[]{"confluent_kafka_group.py", "confluent-kafka group OK"})) {
            io.tributary.testing.Processes.Result r = io.tributary.testing.Processes.python(script[0],
                    List.of(cluster.bootstrap(), "py-" + script[0].substring(0, 5), "3"), 180);
            assertEquals(0, r.exitCode(), r.all());
            assertTrue(r.stdout().contains(script[1]), r.all());
        }
    }

    /**
     * Groups on a cluster: the group's coordinator is the leader of its {@code __consumer_offsets} partition
     * (replicated three times); kill -9 of that broker moves the group to the partition's new leader, which
     * loaded the committed offsets from its replica: the consumer carries on, nothing committed is lost, and a
     * new member of the group starts exactly where the last commit left it.
     */
    @Test
    void consumerGroupSurvivesKillOfItsCoordinator() throws Exception {
        admin.createTopics(List.of(new NewTopic("orders", 3, (short) 3))).all().get(30, TimeUnit.SECONDS);
        inSync("orders", 3);
        int total = 2000;
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            for (int i = 0; i < total; i++) {
                producer.send(new ProducerRecord<>("orders", "k" + i, "o" + i));
            }
            producer.flush();
        }
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "billing");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
        cp.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        cp.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
        cp.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        cp.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        java.util.Set<String> seen = new java.util.HashSet<>();
        int[] killed = {-1};
        try {
            groupCarriesOn(cp, total, seen, killed);
        } finally {
            if (killed[0] > 0) {
                cluster.run("start", Integer.toString(killed[0]));
            }
        }
    }

    private void groupCarriesOn(Properties cp, int total, java.util.Set<String> seen, int[] killed) throws Exception {
        int coordinator;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("orders"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen.size() < total / 2 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
            }
            consumer.commitSync();
            coordinator = admin.describeConsumerGroups(List.of("billing")).all().get(10, TimeUnit.SECONDS)
                    .get("billing").coordinator().id();
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> before =
                    admin.listConsumerGroupOffsets("billing").partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            assertEquals(seen.size(), before.values().stream().mapToLong(o -> o.offset()).sum(), "committed = consumed");

            cluster.run("kill", Integer.toString(coordinator));
            killed[0] = coordinator;
            // The consumer finds the new coordinator by itself; commits during the failover may fail and are retried.
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            boolean committed = false;
            while ((seen.size() < total || !committed) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
                try {
                    consumer.commitSync(Duration.ofSeconds(5));
                    committed = seen.size() == total;
                } catch (org.apache.kafka.common.KafkaException retry) {
                    committed = false;
                }
            }
            assertEquals(total, seen.size(), "every record consumed across the coordinator's death");
            assertTrue(committed, "the final commit went through the new coordinator");
        }
        int moved = await("the group's coordinator moved", Duration.ofSeconds(30), () -> {
            try {
                int id = admin.describeConsumerGroups(List.of("billing")).all().get(5, TimeUnit.SECONDS).get("billing").coordinator().id();
                return id != coordinator ? id : null;
            } catch (Exception e) {
                return null;
            }
        });
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> after =
                admin.listConsumerGroupOffsets("billing").partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        assertEquals(total, after.values().stream().mapToLong(o -> o.offset()).sum(),
                "committed offsets = log end offsets, read from coordinator " + moved);

        // kafka-consumer-groups.sh through any broker: the coordinator's view, lag 0 everywhere.
        io.tributary.testing.Processes.Result described = io.tributary.testing.Processes.java(
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", List.of("--bootstrap-server",
                        "127.0.0.1:" + cluster.kafkaPort(moved), "--describe", "--group", "billing"), null, 120);
        assertEquals(0, described.exitCode(), described.all());
        List<String> rows = described.stdout().lines().filter(l -> l.startsWith("billing ")).toList();
        assertEquals(3, rows.size(), described.stdout());
        for (String row : rows) {
            String[] f = row.trim().split("\\s+");
            assertEquals("orders", f[1], row);
            assertEquals(f[3], f[4], "current offset = log end offset: " + row);
            assertEquals("0", f[5], "lag 0: " + row);
        }


        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("orders", "late" + i, "late" + i));
            }
            producer.flush();
        }
        List<String> resumed = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("orders"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (resumed.size() < 10 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> resumed.add(r.value()));
            }
            consumer.poll(Duration.ofMillis(1000)).forEach(r -> resumed.add(r.value()));
        }
        assertEquals(10, resumed.size(), "a new member starts at the committed offsets: " + resumed);
        assertTrue(resumed.stream().allMatch(v -> v.startsWith("late")), resumed.toString());

        // Deleting the topic deletes its committed offsets, on whichever broker coordinates the group.
        admin.deleteTopics(List.of("orders")).all().get(30, TimeUnit.SECONDS);
        await("the group's offsets of the deleted topic gone", Duration.ofSeconds(30), () -> {
            try {
                return admin.listConsumerGroupOffsets("billing").partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS)
                        .isEmpty() ? true : null;
            } catch (Exception e) {
                return null;
            }
        });
    }
}
