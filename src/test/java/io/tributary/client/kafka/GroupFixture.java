package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Flowable;
import io.tributary.client.testing.ClientVertx;
import io.tributary.client.testing.Target;
import io.tributary.testing.Poll;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertNull;

/** What the consumer-group tests share: a target, a client for setup, an Admin to read committed offsets, members. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GroupFixture {
    Target target;
    Vertx vertx;
    KafkaClient client;
    Admin admin;
    final List<TestMember> members = new ArrayList<>();

    abstract Target target();

    @BeforeAll
    void start() {
        target = target();
        vertx = ClientVertx.create();
        client = KafkaClient.create(vertx, new KafkaClientOptions().bootstrap(target.bootstrap()));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrap()));
    }

    @AfterAll
    void stop() {
        members.forEach(TestMember::close);
        admin.close();
        client.close().blockingAwait(10, TimeUnit.SECONDS);
        ClientVertx.close(vertx);
        target.close();
    }

    static Supplier<ConsumerPartitionAssignor> assignor(String name) {
        return name.equals("range") ? GroupOptions.RANGE : GroupOptions.COOPERATIVE_STICKY;
    }

    static GroupOptions options(String group, Supplier<ConsumerPartitionAssignor> assignor) {
        return new GroupOptions(group).assignors(assignor).sessionTimeoutMs(10_000).heartbeatIntervalMs(300)
                .rebalanceTimeoutMs(20_000).drainTimeoutMs(5_000).commitIntervalMs(200);
    }

    TestMember member(String name, GroupOptions options, String topic, int window, long processMs, History h) {
        TestMember m = new TestMember(name, vertx, target.bootstrap(), options, List.of(topic), window, processMs, h);
        members.add(m);
        return m;
    }

    void createTopic(String name, int partitions) {
        client.admin().createTopic(name, partitions, (short) 1, Map.of()).blockingAwait(60, TimeUnit.SECONDS);
    }

    void produce(String topic, int partitions, int n) {
        client.producer(new ProducerOptions()).send(Flowable.range(0, n)
                        .map(i -> ProduceRecord.of(topic, "k" + i, "v" + i).withPartition(i % partitions)))
                .ignoreElements().blockingAwait(60, TimeUnit.SECONDS);
    }

    Map<TopicPartition, Long> committed(String group) {
        try {
            Map<TopicPartition, Long> out = new HashMap<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).entrySet()) {
                if (e.getValue() != null) {
                    out.put(e.getKey(), e.getValue().offset());
                }
            }
            return out;
        } catch (Exception e) {
            throw new AssertionError("listing the offsets of " + group, e);
        }
    }

    Map<TopicPartition, Long> ends(String topic) {
        Map<TopicPartition, Long> out = new HashMap<>();
        client.admin().endOffsets(topic).blockingGet().forEach((p, o) -> out.put(new TopicPartition(topic, p), o));
        return out;
    }

    static Set<TopicPartition> all(String topic, int partitions) {
        Set<TopicPartition> s = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            s.add(new TopicPartition(topic, p));
        }
        return s;
    }

    void waitForAssignments(Duration timeout, String what, int partitions, TestMember... ms) {
        Poll.until(timeout, what, () -> {
            Set<TopicPartition> union = new HashSet<>();
            int total = 0;
            for (TestMember m : ms) {
                assertNull(m.error.get(), m.name + " failed");
                Set<TopicPartition> a = m.assignment();
                if (a.isEmpty()) {
                    return false;
                }
                union.addAll(a);
                total += a.size();
            }
            return total == union.size() && union.size() == partitions;
        });
    }

    void assertEveryRecordProcessed(History h, String topic, int partitions) {
        Map<TopicPartition, Long> ends = ends(topic);
        Map<TopicPartition, Set<Long>> seen = h.offsetsSeen();
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            long end = ends.get(tp);
            Set<Long> s = seen.getOrDefault(tp, Set.of());
            for (long o = 0; o < end; o++) {
                if (!s.contains(o)) {
                    throw new AssertionError(tp + "@" + o + " was never processed (log end " + end + ")");
                }
            }
        }
    }

    void waitUntilAllProcessed(History h, String topic, int partitions, Duration timeout) {
        Map<TopicPartition, Long> ends = ends(topic);
        Poll.until(timeout, "every record of " + topic + " processed", () -> {
            Map<TopicPartition, Set<Long>> seen = h.offsetsSeen();
            for (int p = 0; p < partitions; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                if (seen.getOrDefault(tp, Set.of()).size() < ends.get(tp)) {
                    return false;
                }
            }
            return true;
        });
    }
}
