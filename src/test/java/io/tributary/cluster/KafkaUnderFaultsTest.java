package io.tributary.cluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, must-show 2: a Jepsen-style history under mixed faults, with real processes. Two idempotent producers
 * (acks=all) and two consumers in a group run against topic {@code history} (3 partitions, RF 3,
 * min.insync.replicas 2, unclean election off) while the nemesis, in turn, kill -9s a partition's leader,
 * SIGSTOPs a follower until it leaves the ISR, cuts a leader's cluster link (network namespaces, as root) until
 * its partition has another leader, SIGSTOPs a leader until it is replaced, and kill -9s a follower — each
 * healed once the fault has had its effect, and the next one starts once every replica is back in sync.
 * Afterwards: every acknowledged record is in the log exactly once at the offset it was acknowledged at; every
 * replica's log is byte-identical; each consumer saw, within an assignment, every offset in order with no gap or
 * step back; every record a consumer saw is in the final log at that offset (none read was later truncated); the
 * group's committed offsets are the log end offsets. A second test shows what unclean.leader.election.enable=true
 * loses, as Kafka documents, next to the same faults without it.
 */
class KafkaUnderFaultsTest {
    private static final String TOPIC = "history";
    private static final int PARTITIONS = 3;

    @TempDir
    static Path dir;
    static Netns netns;
    static LocalCluster cluster;
    static Admin admin;

    @BeforeAll
    static void up() {
        netns = Netns.available() ? Netns.create(3) : null;
        cluster = new LocalCluster(dir.resolve("cluster"), 3, Map.of("TRIBUTARY_TICKTIME", "500",
                "TRIBUTARY_BROKER_SESSION_TIMEOUT_MS", "4000", "TRIBUTARY_REPLICA_LAG_TIME_MAX_MS", "4000",
                "TRIBUTARY_OFFSETS_TOPIC_NUM_PARTITIONS", "3"), netns);
        cluster.up();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "6000");
        admin = Admin.create(p);
    }

    @AfterAll
    static void down() {
        try {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (netns != null) {
                netns.close();
            }
        }
    }

    /** Each test starts with every node running and registered (a failed one before may have left one down). */
    @org.junit.jupiter.api.BeforeEach
    void everyNodeUp() {
        for (int i = 1; i <= 3; i++) {
            cluster.run("start", Integer.toString(i));
            cluster.run("resume", Integer.toString(i));
            if (netns != null) {
                netns.heal(i);
            }
        }
        await("three registered brokers", Duration.ofSeconds(90), () -> {
            try {
                return admin.describeCluster().nodes().get().size() == 3 ? true : null;
            } catch (InterruptedException | ExecutionException e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static <T> T await(String what, Duration timeout, Supplier<T> probe) {
        return KafkaOnCluster.await(cluster, what, timeout, probe);
    }

    private static TopicDescription describe(String topic) {
        return KafkaOnCluster.describe(admin, topic);
    }

    private static void allInSync(String topic, int replicas) {
        await("every broker registered and every partition of " + topic + " with " + replicas + " in-sync replicas",
                Duration.ofSeconds(120), () -> {
                    try {
                        if (admin.describeCluster().nodes().get().size() != 3) {
                            return null;
                        }
                    } catch (InterruptedException | ExecutionException e) {
                        throw new RuntimeException(e);
                    }
                    TopicDescription d = describe(topic);
                    return d.partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() == replicas) ? d : null;
                });
    }

    private record Seen(int partition, long offset, String value) {
    }

    /** One producer: sends unique values until stopped, at most 200 unacknowledged, recording every outcome. */
    private static final class Producing extends Thread {
        final ConcurrentLinkedQueue<Seen> acked = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Exception> failed = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stop = new AtomicBoolean();
        private final int id;

        Producing(int id) {
            this.id = id;
        }

        @Override
        public void run() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 240_000);
            Semaphore window = new Semaphore(200);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (long n = 0; !stop.get(); n++) {
                    String value = "p" + id + "-" + n;
                    window.acquireUninterruptibly();
                    try {
                        producer.send(new ProducerRecord<>(TOPIC, (int) (n % PARTITIONS), null, value), (m, e) -> {
                            window.release();
                            if (e != null) {
                                failed.add(e);
                            } else {
                                acked.add(new Seen(m.partition(), m.offset(), value));
                            }
                        });
                    } catch (RuntimeException e) {
                        window.release();
                        failed.add(e);
                    }
                }
                producer.flush();
            }
        }
    }

    /** One group member: polls, checks each partition's offsets are contiguous within an assignment, commits. */
    private static final class Consuming extends Thread implements ConsumerRebalanceListener {
        final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Map<TopicPartition, Long> last = new HashMap<>();
        private final int id;
        private KafkaConsumer<String, String> consumer;

        Consuming(int id) {
            this.id = id;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                consumer.commitSync(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                // a commit that fails now leaves the next owner to re-read: at least once, never a gap
            }
            partitions.forEach(last::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(last::remove); // a new assignment starts at the committed offset
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(last::remove);
        }

        @Override
        public void run() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "history-g");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
            p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
            p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "member-" + id);
            KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
            consumer = c;
            try (c) {
                consumer.subscribe(List.of(TOPIC), this);
                long lastCommit = System.nanoTime();
                while (!stop.get()) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        Long before = last.put(tp, r.offset());
                        if (before != null && r.offset() != before + 1) {
                            violations.add("member-" + id + " read " + tp + " offset " + r.offset() + " after " + before);
                        }
                        seen.add(new Seen(r.partition(), r.offset(), r.value()));
                    }
                    if (System.nanoTime() - lastCommit > TimeUnit.MILLISECONDS.toNanos(500)) {
                        try {
                            consumer.commitSync(Duration.ofSeconds(5));
                        } catch (RuntimeException e) {
                            // retried at the next round (a coordinator moving, a rebalance)
                        }
                        lastCommit = System.nanoTime();
                    }
                }
                try {
                    consumer.commitSync(Duration.ofSeconds(10));
                } catch (RuntimeException e) {
                    violations.add("member-" + id + " final commit failed: " + e);
                }
            }
        }
    }

    private static int leaderOf(int partition) {
        return describe(TOPIC).partitions().get(partition).leader().id();
    }

    private static int followerOf(int partition) {
        TopicPartitionInfo p = describe(TOPIC).partitions().get(partition);
        return p.isr().stream().map(Node::id).filter(n -> n != p.leader().id()).findFirst().orElseThrow();
    }

    private static void awaitNewLeader(int partition, int old) {
        awaitStateLeaderChange(partition, old, other(old));
    }

    /**
     * Polls a partition's state znode, read through node {@code askNode}'s coordination service, until
     * {@code done} holds. Used while a broker is faulty: an admin client may keep asking the paused or cut-off
     * broker, which answers nothing or its last metadata.
     */
    private static io.vertx.core.json.JsonObject awaitState(String topic, int partition, int askNode, String what,
                                                            java.util.function.Predicate<io.vertx.core.json.JsonObject> done) {
        org.apache.zookeeper.ZooKeeper zk = observers.get(askNode);
        {
            return await(what, Duration.ofSeconds(60), () -> {
                try {
                    zk.sync("/brokers", (rc, path, ctx) -> { }, null);
                    io.vertx.core.json.JsonObject state = new io.vertx.core.json.JsonObject(new String(zk.getData(
                            "/brokers/topics/" + topic + "/partitions/" + partition + "/state", false, null),
                            java.nio.charset.StandardCharsets.UTF_8));
                    return done.test(state) ? state : null;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
        }
    }

    /**
     * ZooKeeper clients on the nodes a fault leaves healthy, connected before the fault is injected (the test reads
     * through an existing session, as a monitoring client would).
     */
    private static final Map<Integer, org.apache.zookeeper.ZooKeeper> observers = new HashMap<>();

    private static void observe(int... nodes) throws Exception {
        closeObservers();
        for (int n : nodes) {
            observers.put(n, EnsembleClient.connect(cluster, 10_000, n));
        }
    }

    private static void closeObservers() throws InterruptedException {
        for (org.apache.zookeeper.ZooKeeper zk : observers.values()) {
            zk.close();
        }
        observers.clear();
    }

    @org.junit.jupiter.api.AfterEach
    void noObservers() throws InterruptedException {
        closeObservers();
    }

    private static int other(int... not) {
        for (int n = 1; n <= 3; n++) {
            int c = n;
            if (java.util.Arrays.stream(not).noneMatch(x -> x == c)) {
                return n;
            }
        }
        throw new AssertionError();
    }

    private static void awaitStateLeaderChange(int partition, int old, int askNode) {
        awaitState(TOPIC, partition, askNode, "the state of " + TOPIC + "-" + partition + " names another leader than " + old,
                st -> st.getInteger("leader") != old && st.getInteger("leader") > 0);
    }

    private static void awaitProgress(List<Producing> producers, int records) {
        int from = producers.stream().mapToInt(p -> p.acked.size()).sum();
        await(records + " more records acknowledged", Duration.ofSeconds(90),
                () -> producers.stream().mapToInt(p -> p.acked.size()).sum() >= from + records ? true : null);
    }


    /** The whole topic as it finally is: partition → offset → value. */
    private static Map<Integer, Map<Long, String>> readAll(String topic, int partitions) {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        Map<Integer, Map<Long, String>> log = new HashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                parts.add(new TopicPartition(topic, p));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    String twice = log.computeIfAbsent(r.partition(), k -> new HashMap<>()).put(r.offset(), r.value());
                    assertEquals(null, twice, r.partition() + "@" + r.offset() + " read once");
                }
            }
            for (TopicPartition tp : parts) {
                assertEquals(end.get(tp), c.position(tp), "read " + tp + " to its end");
            }
        }
        return log;
    }

    @Test
    void noAcknowledgedRecordIsLostAndNoConsumerSeesAGapUnderMixedFaults() throws Exception {
        admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(30, TimeUnit.SECONDS);
        allInSync(TOPIC, 3);
        List<Producing> producers = List.of(new Producing(1), new Producing(2));
        List<Consuming> consumers = List.of(new Consuming(1), new Consuming(2));
        producers.forEach(Thread::start);
        consumers.forEach(Thread::start);
        List<String> faults = new ArrayList<>();
        try {
            awaitProgress(producers, 300);

            int leader = leaderOf(0);
            faults.add("kill -9 leader " + leader + " of " + TOPIC + "-0");
            observe(other(leader));
            cluster.run("kill", Integer.toString(leader));
            try {
                awaitNewLeader(0, leader);
                awaitProgress(producers, 150);
            } finally {
                cluster.run("start", Integer.toString(leader));
            }
            allInSync(TOPIC, 3);

            int follower = followerOf(1);
            faults.add("SIGSTOP follower " + follower + " of " + TOPIC + "-1 until it leaves the ISR");
            observe(other(follower));
            cluster.run("pause", Integer.toString(follower));
            try {
                awaitState(TOPIC, 1, other(follower), "broker " + follower + " out of the ISR of " + TOPIC + "-1",
                        st -> !st.getJsonArray("isr").contains(follower));
                awaitProgress(producers, 150);
            } finally {
                cluster.run("resume", Integer.toString(follower));
            }
            allInSync(TOPIC, 3);

            if (netns != null) {
                int isolated = leaderOf(2);
                faults.add("cut the cluster link of leader " + isolated + " of " + TOPIC + "-2 until it is replaced");
                observe(other(isolated));
                netns.isolate(isolated);
                try {
                    // Asked of the majority's coordination service: the isolated broker itself still serves its last
                    // metadata (as a Kafka broker cut off from ZooKeeper does) and an admin client may ask it.
                    awaitStateLeaderChange(2, isolated, other(isolated));
                    awaitProgress(producers, 150);
                } finally {
                    netns.heal(isolated);
                }
                allInSync(TOPIC, 3);
            }

            int paused = leaderOf(1);
            faults.add("SIGSTOP leader " + paused + " of " + TOPIC + "-1 until it is replaced");
            observe(other(paused));
            cluster.run("pause", Integer.toString(paused));
            try {
                awaitNewLeader(1, paused);
                awaitProgress(producers, 150);
            } finally {
                cluster.run("resume", Integer.toString(paused));
            }
            allInSync(TOPIC, 3);

            int killed = followerOf(2);
            faults.add("kill -9 follower " + killed + " of " + TOPIC + "-2");
            cluster.run("kill", Integer.toString(killed));
            try {
                awaitProgress(producers, 150);
            } finally {
                cluster.run("start", Integer.toString(killed));
            }
            allInSync(TOPIC, 3);
            awaitProgress(producers, 200);
        } catch (Throwable t) {
            consumers.forEach(c -> c.stop.set(true));
            throw t;
        } finally {
            producers.forEach(p -> p.stop.set(true));
            for (Producing p : producers) {
                p.join(TimeUnit.SECONDS.toMillis(240));
            }
        }
        // The consumers read on to the end, then stop with a final commit.
        Map<TopicPartition, Long> end = admin.listOffsets(java.util.stream.IntStream.range(0, PARTITIONS).boxed()
                        .collect(Collectors.toMap(p -> new TopicPartition(TOPIC, p), p -> org.apache.kafka.clients.admin.OffsetSpec.latest())))
                .all().get(30, TimeUnit.SECONDS).entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        await("the group read to the end", Duration.ofSeconds(120), () -> {
            Map<Integer, Long> top = new HashMap<>();
            consumers.forEach(c -> c.seen.forEach(s -> top.merge(s.partition(), s.offset() + 1, Math::max)));
            return end.entrySet().stream().allMatch(e -> top.getOrDefault(e.getKey().partition(), 0L) >= e.getValue()) ? true : null;
        });
        consumers.forEach(c -> c.stop.set(true));
        for (Consuming c : consumers) {
            c.join(TimeUnit.SECONDS.toMillis(60));
        }

        String history = "faults: " + faults;
        List<Exception> failed = producers.stream().flatMap(p -> p.failed.stream()).toList();
        assertTrue(failed.isEmpty(), "every record was acknowledged (the producers retry across faults): " + failed + "\n" + history);
        Map<Integer, Map<Long, String>> log = readAll(TOPIC, PARTITIONS);
        Map<String, Integer> copies = new HashMap<>();
        log.values().forEach(m -> m.values().forEach(v -> copies.merge(v, 1, Integer::sum)));
        int total = 0;
        for (Producing p : producers) {
            for (Seen a : p.acked) {
                total++;
                assertEquals(a.value(), log.getOrDefault(a.partition(), Map.of()).get(a.offset()),
                        "acknowledged " + a + " is at its offset\n" + history);
                assertEquals(1, copies.get(a.value()), a.value() + " is in the log exactly once\n" + history);
            }
        }
        assertTrue(total > 2000, "a real history: " + total + " records acknowledged");
        for (int p = 0; p < PARTITIONS; p++) {
            int partition = p;
            await("the three replicas of " + TOPIC + "-" + p + " byte for byte equal", Duration.ofSeconds(60), () -> {
                byte[] first = KafkaOnCluster.replicaBytes(cluster.dir(), 1, TOPIC, partition);
                return Arrays.equals(first, KafkaOnCluster.replicaBytes(cluster.dir(), 2, TOPIC, partition))
                        && Arrays.equals(first, KafkaOnCluster.replicaBytes(cluster.dir(), 3, TOPIC, partition)) ? true : null;
            });
        }
        List<String> violations = consumers.stream().flatMap(c -> c.violations.stream()).toList();
        assertTrue(violations.isEmpty(), "no consumer saw an offset go backwards or skip: " + violations + "\n" + history);
        for (Consuming c : consumers) {
            for (Seen s : c.seen) {
                assertEquals(log.getOrDefault(s.partition(), Map.of()).get(s.offset()), s.value(),
                        "what a consumer read at " + s.partition() + "@" + s.offset() + " is still there (never truncated)\n" + history);
            }
        }
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = await("the group's final offsets",
                Duration.ofSeconds(30), () -> {
                    try {
                        return admin.listConsumerGroupOffsets("history-g").partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        return null;
                    }
                });
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            assertEquals(e.getValue(), committed.get(e.getKey()).offset(), "committed = log end for " + e.getKey() + "\n" + history);
        }
    }

    /**
     * As Kafka documents for unclean.leader.election.enable: the follower that fell out of the ISR becomes leader
     * when the only in-sync replica dies, and records acknowledged by that replica alone are lost when it returns
     * (truncated to the new leader's log). The same faults with unclean election off: the partition waits offline
     * for its in-sync replica and loses nothing.
     */
    @Test
    void uncleanElectionLosesWhatOnlyTheDeadLeaderHadAndCleanElectionWaits() throws Exception {
        for (boolean unclean : List.of(true, false)) {
            String topic = unclean ? "lossy" : "safe";
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 2))).configs(Map.of(
                    "min.insync.replicas", "1", "unclean.leader.election.enable", Boolean.toString(unclean)))))
                    .all().get(30, TimeUnit.SECONDS);
            await(topic + " in sync on two brokers", Duration.ofSeconds(60),
                    () -> describe(topic).partitions().get(0).isr().size() == 2 ? true : null);
            int leader = describe(topic).partitions().get(0).leader().id();
            int follower = leader == 1 ? 2 : 1;
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            p.put(ProducerConfig.RETRIES_CONFIG, 0);
            List<String> early = new ArrayList<>();
            List<String> late = new ArrayList<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, null, "early-" + i)).get(30, TimeUnit.SECONDS);
                    early.add("early-" + i);
                }
                observe(3);
                cluster.run("pause", Integer.toString(follower));
                try {
                    awaitState(topic, 0, 3, "broker " + follower + " out of the ISR of " + topic,
                            st -> st.getJsonArray("isr").size() == 1);
                    for (int i = 0; i < 50; i++) {
                        // acks=all with the ISR down to the leader (min.insync.replicas=1): acknowledged by one copy
                        producer.send(new ProducerRecord<>(topic, 0, null, "late-" + i)).get(30, TimeUnit.SECONDS);
                        late.add("late-" + i);
                    }
                } finally {
                    cluster.run("kill", Integer.toString(leader));
                    cluster.run("resume", Integer.toString(follower));
                }
            }
            if (unclean) {
                io.vertx.core.json.JsonObject elected = awaitState(topic, 0, 3, "broker " + follower + " elected uncleanly",
                        st -> st.getInteger("leader") == follower);
                assertEquals(List.of(follower), elected.getJsonArray("isr").getList(), elected.encode());
                assertTrue(cluster.nodeLog(admin.describeCluster().controller().get().id()).contains("UNCLEAN leader election"),
                        "the controller says it elected uncleanly");
            } else {
                // Without unclean election there is no leader while the only in-sync replica is dead.
                io.vertx.core.json.JsonObject offline = awaitState(topic, 0, 3, topic + " offline",
                        st -> st.getInteger("leader") < 0);
                assertEquals(List.of(leader), offline.getJsonArray("isr").getList(), "the ISR keeps the dead leader: " + offline.encode());
            }
            cluster.run("start", Integer.toString(leader));
            await(topic + " in sync on two brokers again", Duration.ofSeconds(90),
                    () -> describe(topic).partitions().get(0).isr().size() == 2 ? true : null);
            List<String> read = readAll(topic, 1).getOrDefault(0, Map.of()).entrySet().stream()
                    .sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
            if (unclean) {
                assertEquals(early, read, "the records only the dead leader had are gone; everything before them stays");
                assertTrue(read.stream().noneMatch(late::contains), "lost: " + late);
            } else {
                List<String> all = new ArrayList<>(early);
                all.addAll(late);
                assertEquals(all, read, "nothing acknowledged is lost");
            }
            // The returning replica truncated (or caught up) to the leader's log, byte for byte.
            await("the two replicas of " + topic + " equal", Duration.ofSeconds(30),
                    () -> Arrays.equals(KafkaOnCluster.replicaBytes(cluster.dir(), 1, topic, 0), KafkaOnCluster.replicaBytes(cluster.dir(), 2, topic, 0)) ? true : null);
        }
    }
}
