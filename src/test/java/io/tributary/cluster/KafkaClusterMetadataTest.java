package io.tributary.cluster;

import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka's cluster metadata on three node JVMs (issue 10, first step): every broker registers as the ephemeral
 * {@code /brokers/ids/N}, one is elected controller through {@code /controller}, a topic created on any broker
 * gets a replica assignment spread over the brokers and a leader per partition, all in Kafka's znode layout and
 * JSON, which a ZooKeeper client reads; Metadata and DescribeCluster name every broker; a dead controller is
 * replaced; a partition whose only in-sync replica died has no leader (no unclean election) until it returns.
 * The broker session timeout is 4 s, tickTime 500 ms.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@UsesSharedCluster
class KafkaClusterMetadataTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Admin admin;

    @BeforeAll
    static void up() {
        cluster = LocalCluster.kafka();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
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

    private static DescribeClusterResult describeCluster() {
        return admin.describeCluster();
    }

    private static Set<Integer> brokerIds() {
        try {
            return describeCluster().nodes().get().stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new));
        } catch (InterruptedException | ExecutionException e) {
            throw new RuntimeException(e);
        }
    }

    private static int controller() {
        try {
            return describeCluster().controller().get().id();
        } catch (InterruptedException | ExecutionException e) {
            throw new RuntimeException(e);
        }
    }

    private static TopicDescription describe(String topic) {
        return KafkaOnCluster.describe(admin, topic);
    }

    private static ZooKeeper zk() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(cluster.zkConnect(), 10_000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        assertTrue(connected.await(30, TimeUnit.SECONDS), "ZooKeeper client connected");
        return zk;
    }

    private static JsonObject json(ZooKeeper zk, String path) throws Exception {
        zk.sync(path, (rc, p, ctx) -> { }, null);
        return new JsonObject(new String(zk.getData(path, false, null), StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void everyBrokerIsRegisteredAndOneIsController() throws Exception {
        assertEquals(Set.of(1, 2, 3), await("three brokers in DescribeCluster", Duration.ofSeconds(60),
                () -> brokerIds().size() == 3 ? brokerIds() : null));
        int controller = controller();
        assertTrue(controller >= 1 && controller <= 3, "controller id " + controller);
        try (ZooKeeper zk = zk()) {
            assertEquals(List.of("1", "2", "3"), new ArrayList<>(new TreeSet<>(zk.getChildren("/brokers/ids", false))));
            JsonObject b2 = json(zk, "/brokers/ids/2");
            assertEquals("PLAINTEXT://127.0.0.1:" + (cluster.kafkaPort(2)), b2.getJsonArray("endpoints").getString(0), b2.encode());
            assertEquals(5, b2.getInteger("version"));
            assertTrue(zk.exists("/brokers/ids/2", false).getEphemeralOwner() != 0, "broker znodes are ephemeral");
            JsonObject c = json(zk, "/controller");
            assertEquals(controller, c.getInteger("brokerid"), c.encode());
            assertTrue(Integer.parseInt(new String(zk.getData("/controller_epoch", false, null), StandardCharsets.UTF_8)) >= 1);
            String clusterId = json(zk, "/cluster/id").getString("id");
            assertEquals(clusterId, describeCluster().clusterId().get(), "one cluster id, the one in /cluster/id");
        }
    }

    @Test
    @Order(2)
    void topicGetsReplicasOnEveryBrokerAndALeaderPerPartition() throws Exception {
        admin.createTopics(List.of(new NewTopic("spread", 3, (short) 3))).all().get(60, TimeUnit.SECONDS);
        TopicDescription d = await("three led partitions of 'spread'", Duration.ofSeconds(30), () -> {
            TopicDescription t = describe("spread");
            return t.partitions().stream().allMatch(p -> p.leader() != null) ? t : null;
        });
        Set<Integer> leaders = new TreeSet<>();
        for (TopicPartitionInfo p : d.partitions()) {
            assertEquals(Set.of(1, 2, 3), p.replicas().stream().map(Node::id).collect(Collectors.toSet()), p.toString());
            assertTrue(p.leader() != null && p.isr().contains(p.leader()), p.toString());
            assertEquals(p.replicas().get(0), p.leader(), "the first replica leads a new partition: " + p);
            leaders.add(p.leader().id());
        }
        assertEquals(Set.of(1, 2, 3), leaders, "leaders are spread over the brokers (Kafka's round robin)");
        try (ZooKeeper zk = zk()) {
            JsonObject t = json(zk, "/brokers/topics/spread");
            assertEquals(3, t.getInteger("version"));
            assertEquals(d.topicId().toString(), t.getString("topic_id"));
            assertEquals(3, t.getJsonObject("partitions").size(), t.encode());
            for (TopicPartitionInfo p : d.partitions()) {
                JsonObject s = json(zk, "/brokers/topics/spread/partitions/" + p.partition() + "/state");
                assertEquals(p.leader().id(), s.getInteger("leader"), s.encode());
                assertEquals(0, s.getInteger("leader_epoch"), s.encode());
                assertTrue(s.getInteger("controller_epoch") >= 1, s.encode());
            }
        }
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("too-many", 1, (short) 4))).all().get(60, TimeUnit.SECONDS));
        assertInstanceOf(InvalidReplicationFactorException.class, e.getCause());
    }

    @Test
    @Order(3)
    void producerIdsAreUniqueAcrossBrokers() throws Exception {
        Set<Long> ids = new TreeSet<>();
        int asked = 0;
        for (int node = 1; node <= 3; node++) {
            try (io.tributary.kafka.RawKafka k = new io.tributary.kafka.RawKafka(cluster.kafkaPort(node))) {
                for (int i = 0; i < 3; i++) {
                    org.apache.kafka.common.message.InitProducerIdResponseData r = k.call(
                            org.apache.kafka.common.protocol.ApiKeys.INIT_PRODUCER_ID, (short) 4,
                            new org.apache.kafka.common.message.InitProducerIdRequestData().setTransactionalId(null)
                                    .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1));
                    assertEquals(0, r.errorCode(), "InitProducerId on broker " + node);
                    ids.add(r.producerId());
                    asked++;
                }
            }
        }
        assertEquals(asked, ids.size(), "every broker hands out ids no other broker does: " + ids);
        try (ZooKeeper zk = zk()) {
            JsonObject block = json(zk, "/latest_producer_id_block");
            assertEquals(1, block.getInteger("version"), block.encode());
            assertTrue(Long.parseLong(block.getString("block_end")) >= ids.stream().max(Long::compare).orElseThrow(),
                    "the last block covers every id handed out: " + block.encode());
        }
    }

    @Test
    @Order(3)
    void producerAndConsumerFindTheLeaders() throws Exception {
        admin.createTopics(List.of(new NewTopic("routed", 3, (short) 2))).all().get(60, TimeUnit.SECONDS);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        pp.put(ProducerConfig.ACKS_CONFIG, "1");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 30; i++) {
                RecordMetadata m = producer.send(new ProducerRecord<>("routed", i % 3, null, "v" + i)).get(30, TimeUnit.SECONDS);
                assertEquals(i / 3, m.offset(), "offsets per partition");
            }
        }
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition("routed", 0), new TopicPartition("routed", 1),
                    new TopicPartition("routed", 2));
            consumer.assign(parts);
            Set<String> seen = new TreeSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen.size() < 30 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    seen.add(r.value());
                }
            }
            assertEquals(30, seen.size(), "every record read back from the partitions' leaders: " + seen);
        }
    }

    @Test
    @Order(4)
    void partitionsAreAddedAndTopicsDeletedThroughAnyBroker() throws Exception {
        admin.createTopics(List.of(new NewTopic("grow", 1, (short) 2))).all().get(60, TimeUnit.SECONDS);
        org.apache.kafka.common.Uuid firstId = describe("grow").topicId();
        admin.createPartitions(Map.of("grow", org.apache.kafka.clients.admin.NewPartitions.increaseTo(4)))
                .all().get(60, TimeUnit.SECONDS);
        // The broker that added them answers once it sees their leaders; the others' metadata follows shortly
        // (as in Kafka, where each broker's metadata cache is updated on its own).
        TopicDescription grown = await("four led partitions of 'grow'", Duration.ofSeconds(30), () -> {
            TopicDescription d = describe("grow");
            return d.partitions().size() == 4 && d.partitions().stream().allMatch(p -> p.leader() != null) ? d : null;
        });
        for (TopicPartitionInfo p : grown.partitions()) {
            assertEquals(2, p.replicas().size(), p.toString());
        }
        admin.deleteTopics(List.of("grow")).all().get(60, TimeUnit.SECONDS);
        await("'grow' gone from every broker's metadata", Duration.ofSeconds(30), () -> {
            try {
                return admin.listTopics().names().get().contains("grow") ? null : true;
            } catch (InterruptedException | ExecutionException e) {
                throw new RuntimeException(e);
            }
        });
        try (ZooKeeper zk = zk()) {
            zk.sync("/brokers/topics", (rc, p, ctx) -> { }, null);
            assertEquals(null, zk.exists("/brokers/topics/grow", false));
            assertEquals(null, zk.exists("/config/topics/grow", false));
        }
        admin.createTopics(List.of(new NewTopic("grow", 1, (short) 3))).all().get(60, TimeUnit.SECONDS);
        TopicDescription again = await("'grow' again", Duration.ofSeconds(30), () -> {
            TopicDescription d = describe("grow");
            return d.partitions().get(0).leader() != null ? d : null;
        });
        assertNotEquals(firstId, again.topicId(), "a re-created topic has a new id");
        assertEquals(1, again.partitions().size());
    }

    @Test
    @Order(5)
    void aDeadControllerIsReplacedItsPartitionsMoveToInSyncReplicasAndASoleReplicaWaitsForItsBroker() throws Exception {
        int old = controller();
        // A partition whose only replica is on the controller's broker, and the replicated 'spread'.
        admin.createTopics(List.of(new NewTopic("solo", Map.of(0, List.of(old))))).all().get(60, TimeUnit.SECONDS);
        TopicDescription before = await("'spread' fully in sync", Duration.ofSeconds(60), () -> {
            TopicDescription d = describe("spread");
            return d.partitions().stream().allMatch(p -> p.isr().size() == 3) ? d : null;
        });
        TopicPartitionInfo ledByOld = before.partitions().stream().filter(p -> p.leader().id() == old).findFirst()
                .orElseThrow(() -> new AssertionError("no partition of 'spread' led by " + old + ": " + before));
        cluster.run("kill", Integer.toString(old));
        int next = await("a new controller", Duration.ofSeconds(60), () -> {
            int c = controller();
            return c != old && c > 0 && !brokerIds().contains(old) ? c : null;
        });
        assertNotEquals(old, next);
        TopicPartitionInfo moved = await("partition " + ledByOld.partition() + " led by an in-sync replica",
                Duration.ofSeconds(30), () -> {
                    TopicPartitionInfo p = describe("spread").partitions().get(ledByOld.partition());
                    return p.leader() != null && p.leader().id() != old && p.leader().id() > 0 ? p : null;
                });
        assertTrue(ledByOld.isr().contains(moved.leader()), "the new leader was in the ISR: " + moved);
        assertEquals(Set.of(1, 2, 3).stream().filter(b -> b != old).collect(Collectors.toSet()),
                moved.isr().stream().map(Node::id).collect(Collectors.toSet()), "the dead broker left the ISR");
        // No other replica: without unclean election the partition has no leader until its broker returns.
        TopicPartitionInfo offline = await("'solo' without a leader", Duration.ofSeconds(30), () -> {
            TopicPartitionInfo p = describe("solo").partitions().get(0);
            return p.leader() == null || p.leader().id() < 0 ? p : null;
        });
        assertEquals(List.of(old), offline.isr().stream().map(Node::id).toList(), "the ISR keeps its last member");
        cluster.run("start", Integer.toString(old));
        await("'solo' led again by " + old, Duration.ofSeconds(90), () -> {
            TopicPartitionInfo p = describe("solo").partitions().get(0);
            return p.leader() != null && p.leader().id() == old ? p : null;
        });
        await("broker " + old + " back in the ISR of every 'spread' partition", Duration.ofSeconds(90), () -> {
            TopicDescription d = describe("spread");
            return d.partitions().stream().allMatch(p -> p.isr().stream().anyMatch(n -> n.id() == old)) ? d : null;
        });
        try (ZooKeeper zk = zk()) {
            JsonObject s = json(zk, "/brokers/topics/spread/partitions/" + ledByOld.partition() + "/state");
            assertEquals(1, s.getInteger("leader_epoch"), "one leader change, one epoch: " + s.encode());
        }
    }
    private static io.tributary.testing.Processes.Result tool(String mainClass, String... args) {
        io.tributary.testing.Processes.Result r = io.tributary.testing.Processes.java(mainClass, List.of(args), null, 120);
        assertEquals(0, r.exitCode(), mainClass + " " + String.join(" ", args) + " failed:\n" + r.all());
        return r;
    }

    /**
     * After the last test, the restarted broker is back in the ISR but leads none of the partitions it is the
     * preferred replica of: {@code kafka-leader-election.sh --election-type preferred} moves them back (and has
     * nothing to do a second time), and {@code kafka-log-dirs.sh} shows every broker's replicas of the topic.
     */
    @Test
    @Order(6)
    void leaderElectionAndLogDirsToolsWork() throws Exception {
        TopicDescription before = describe("spread");
        assertTrue(before.partitions().stream().anyMatch(p -> p.leader().id() != p.replicas().get(0).id()),
                "a partition is not led by its preferred replica: " + before);
        String out = tool("org.apache.kafka.tools.LeaderElectionCommand", "--bootstrap-server", cluster.bootstrap(),
                "--election-type", "preferred", "--all-topic-partitions").stdout();
        assertTrue(out.contains("Successfully completed leader election (PREFERRED)"), out);
        TopicDescription after = await("every 'spread' partition led by its preferred replica", Duration.ofSeconds(30), () -> {
            TopicDescription d = describe("spread");
            return d.partitions().stream().allMatch(p -> p.leader() != null && p.leader().id() == p.replicas().get(0).id())
                    ? d : null;
        });
        assertEquals(3, after.partitions().get(0).isr().size(), after.toString());
        String again = tool("org.apache.kafka.tools.LeaderElectionCommand", "--bootstrap-server", cluster.bootstrap(),
                "--election-type", "preferred", "--topic", "spread", "--partition", "0").stdout();
        assertTrue(again.contains("Valid replica already elected"), again);

        String dirs = tool("org.apache.kafka.tools.LogDirsCommand", "--bootstrap-server", cluster.bootstrap(),
                "--describe", "--broker-list", "1,2,3", "--topic-list", "spread").stdout();
        JsonObject json = new JsonObject(dirs.lines().filter(l -> l.startsWith("{")).findFirst()
                .orElseThrow(() -> new AssertionError(dirs)));
        assertEquals(3, json.getJsonArray("brokers").size(), dirs);
        for (Object b : json.getJsonArray("brokers")) {
            io.vertx.core.json.JsonArray partitions = ((JsonObject) b).getJsonArray("logDirs").getJsonObject(0)
                    .getJsonArray("partitions");
            assertEquals(before.partitions().size(), partitions.size(), "every replica of 'spread' on broker " + b);
        }
    }
    /**
     * {@code kafka-reassign-partitions.sh} moves a partition with data from brokers [1, 2] to [3, 2]: the new replica
     * catches up, joins the ISR, leadership leaves broker 1, broker 1 leaves the replicas, nothing is lost, and
     * {@code --verify} reports it completed.
     */
    @Test
    @Order(7)
    void kafkaReassignPartitionsMovesAPartitionWithItsData() throws Exception {
        admin.createTopics(List.of(new NewTopic("moving", Map.of(0, List.of(1, 2))).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(60, TimeUnit.SECONDS);
        await("'moving' in sync on 1 and 2", Duration.ofSeconds(60), () -> {
            TopicDescription d = describe("moving");
            return d.partitions().get(0).isr().size() == 2 ? d : null;
        });
        Properties pp = new Properties();
        pp.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        pp.put(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(pp,
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("moving", "m" + i));
            }
            producer.flush();
        }
        Path plan = dir.resolve("reassign.json");
        java.nio.file.Files.writeString(plan, "{\"version\":1,\"partitions\":[{\"topic\":\"moving\",\"partition\":0,"
                + "\"replicas\":[3,2]}]}");
        String started = tool("org.apache.kafka.tools.reassign.ReassignPartitionsCommand", "--bootstrap-server", cluster.bootstrap(),
                "--reassignment-json-file", plan.toString(), "--execute").stdout();
        assertTrue(started.contains("Successfully started partition reassignment"), started);
        TopicPartitionInfo moved = await("moving-0 on [3, 2]", Duration.ofSeconds(60), () -> {
            try {
                if (!admin.listPartitionReassignments().reassignments().get().isEmpty()) {
                    return null;
                }
            } catch (InterruptedException | ExecutionException e) {
                return null;
            }
            TopicPartitionInfo p = describe("moving").partitions().get(0);
            return p.replicas().stream().map(Node::id).toList().equals(List.of(3, 2)) ? p : null;
        });
        assertEquals(Set.of(2, 3), moved.isr().stream().map(Node::id).collect(Collectors.toSet()), moved.toString());
        assertTrue(moved.leader().id() == 3 || moved.leader().id() == 2, "led by a target replica: " + moved);
        String verified = tool("org.apache.kafka.tools.reassign.ReassignPartitionsCommand", "--bootstrap-server", cluster.bootstrap(),
                "--reassignment-json-file", plan.toString(), "--verify").stdout();
        assertTrue(verified.contains("Reassignment of partition moving-0 is completed"), verified);

        Properties cp = new Properties();
        cp.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        List<String> read = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(cp,
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            TopicPartition tp = new TopicPartition("moving", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < 100 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> read.add(r.value()));
            }
        }
        assertEquals(java.util.stream.IntStream.range(0, 100).mapToObj(i -> "m" + i).toList(), read, "every record, in order");
    }
    /** One broker's DescribeConfigs answer for a topic key, asked of that broker itself. */
    private static String topicConfigOn(int node, String topic, String key) throws Exception {
        try (io.tributary.kafka.RawKafka k = new io.tributary.kafka.RawKafka(cluster.kafkaPort(node))) {
            org.apache.kafka.common.message.DescribeConfigsRequestData req = new org.apache.kafka.common.message.DescribeConfigsRequestData();
            req.resources().add(new org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource()
                    .setResourceType(org.apache.kafka.common.config.ConfigResource.Type.TOPIC.id()).setResourceName(topic)
                    .setConfigurationKeys(List.of(key)));
            org.apache.kafka.common.message.DescribeConfigsResponseData resp = k.call(
                    org.apache.kafka.common.protocol.ApiKeys.DESCRIBE_CONFIGS, (short) 4, req);
            return resp.results().get(0).configs().stream().filter(c -> c.name().equals(key)).findFirst()
                    .map(c -> c.value()).orElse(null);
        }
    }

    /**
     * A topic config changed through one broker ({@code kafka-configs.sh --alter}) is the cluster's: written to
     * {@code /config/topics/T} and applied by every broker to its replica, so each one's DescribeConfigs shows it.
     */
    @Test
    @Order(8)
    void topicConfigChangesReachEveryBroker() throws Exception {
        tool("kafka.admin.ConfigCommand", "--bootstrap-server", "127.0.0.1:" + cluster.kafkaPort(1),
                "--alter", "--entity-type", "topics", "--entity-name", "spread", "--add-config", "retention.ms=4242000");
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await("broker " + n + " shows retention.ms=4242000 for 'spread'", Duration.ofSeconds(30), () -> {
                try {
                    return "4242000".equals(topicConfigOn(n, "spread", "retention.ms")) ? true : null;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
        }
        try (ZooKeeper zk = zk()) {
            JsonObject c = json(zk, "/config/topics/spread");
            assertEquals("4242000", c.getJsonObject("config").getString("retention.ms"), c.encode());
        }
        tool("kafka.admin.ConfigCommand", "--bootstrap-server", "127.0.0.1:" + cluster.kafkaPort(2),
                "--alter", "--entity-type", "topics", "--entity-name", "spread", "--delete-config", "retention.ms");
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await("broker " + n + " back at the default retention.ms", Duration.ofSeconds(30), () -> {
                try {
                    return "604800000".equals(topicConfigOn(n, "spread", "retention.ms")) ? true : null;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
        }
    }
    private static io.tributary.testing.Processes.Result toolWithInput(String mainClass, String stdin, String... args) {
        io.tributary.testing.Processes.Result r = io.tributary.testing.Processes.java(mainClass, List.of(args), stdin, 120);
        assertEquals(0, r.exitCode(), mainClass + " " + String.join(" ", args) + " failed:\n" + r.all());
        return r;
    }

    /** kafka-topics --describe's line for partition 0: "Leader: L  Replicas: a,b,c  Isr: ...". */
    private static Map<String, String> describeLine(String bootstrap, String topic) {
        String out = tool("org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap, "--describe", "--topic", topic).stdout();
        String line = out.lines().filter(l -> l.contains("Partition: 0")).findFirst().orElseThrow(() -> new AssertionError(out));
        Map<String, String> f = new java.util.HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(Leader|Replicas|Isr): (\\S+)").matcher(line);
        while (m.find()) {
            f.put(m.group(1), m.group(2));
        }
        return f;
    }

    /**
     * Seed 003's walk-through with Kafka's own tools, as the README's cluster quick start: kafka-topics creates a
     * topic with three replicas and describes its leader, replicas and ISR; the console producer writes (acks=all)
     * and the console consumer reads; the leader is killed with kill -9; describe shows a new leader and the ISR without it; the console consumer
     * reads every message from the beginning; the broker restarted rejoins the ISR.
     */
    @Test
    @Order(9)
    void seedWalkThroughWithKafkasTools() throws Exception {
        String first = "127.0.0.1:" + cluster.kafkaPort(1);
        tool("org.apache.kafka.tools.TopicCommand", "--bootstrap-server", first, "--create", "--topic", "walk",
                "--partitions", "1", "--replication-factor", "3");
        Map<String, String> before = await("walk-0 with three in-sync replicas", Duration.ofSeconds(60), () -> {
            Map<String, String> f = describeLine(first, "walk");
            return f.getOrDefault("Isr", "").split(",").length == 3 ? f : null;
        });
        assertEquals(3, before.get("Replicas").split(",").length, before.toString());
        String messages = java.util.stream.IntStream.range(0, 20).mapToObj(i -> "message " + i)
                .collect(Collectors.joining("\n")) + "\n";
        toolWithInput("org.apache.kafka.tools.ConsoleProducer", messages, "--bootstrap-server", first, "--topic", "walk",
                "--command-property", "acks=all");
        // Read once with all three brokers up: the console consumer's group creates __consumer_offsets, which, as in
        // Kafka, needs offsets.topic.replication.factor (3) registered brokers.
        String once = toolWithInput("org.apache.kafka.tools.consumer.ConsoleConsumer", null, "--bootstrap-server", first,
                "--topic", "walk", "--from-beginning", "--max-messages", "20", "--timeout-ms", "30000").stdout();
        assertEquals(messages.lines().toList(), once.lines().toList(), "every message, before the kill");
        String leader = before.get("Leader");
        cluster.run("kill", leader);
        try {
            int other = leader.equals("1") ? 2 : 1;
            String survivor = "127.0.0.1:" + cluster.kafkaPort(other);
            Map<String, String> after = await("a new leader for walk-0", Duration.ofSeconds(60), () -> {
                Map<String, String> f = describeLine(survivor, "walk");
                return !f.get("Leader").equals(leader) && !f.get("Leader").equals("none")
                        && !List.of(f.get("Isr").split(",")).contains(leader) ? f : null;
            });
            assertTrue(List.of(before.get("Isr").split(",")).contains(after.get("Leader")), "an in-sync replica leads: " + after);
            String read = toolWithInput("org.apache.kafka.tools.consumer.ConsoleConsumer", null, "--bootstrap-server", survivor,
                    "--topic", "walk", "--from-beginning", "--max-messages", "20", "--timeout-ms", "30000").stdout();
            assertEquals(messages.lines().toList(), read.lines().toList(), "every message, in order");
        } finally {
            cluster.run("start", leader);
        }
        await("broker " + leader + " back in the ISR of walk-0", Duration.ofSeconds(90), () -> {
            Map<String, String> f = describeLine(first, "walk");
            return List.of(f.get("Isr").split(",")).contains(leader) ? f : null;
        });
    }
}
