package io.tributary.http;

import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two sockets tailing one topic in one consumer group share its partitions and commit what they delivered. */
class WsGroupTailTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static Vertx vertx;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1", "group.initial.rebalance.delay.ms", "0"));
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
        node.close();
    }

    static JsonObject groupTail() {
        return new JsonObject().put("type", "subscribe").put("id", "g").put("tail", new JsonObject()
                .put("topic", "shared").put("group", "browsers").put("from", "earliest"));
    }

    /** The latest assignment frame of a socket, after any revocations. */
    static JsonObject assignment(WsClient c) {
        return c.next(f -> "assigned".equals(f.getString("type")), "an assignment");
    }

    @Test
    void twoSocketsInOneGroupSharePartitionsAndCommitWhatTheyDelivered() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "shared", 4, Map.of());
        try (WsClient a = WsClient.connect(vertx, node.httpPort()); WsClient b = WsClient.connect(vertx, node.httpPort())) {
            a.send(groupTail());
            assertEquals(4, assignment(a).getJsonObject("positions").size(), "alone, the first socket gets every partition");
            b.send(groupTail());
            JsonObject bAssigned = assignment(b);
            JsonObject aAssigned = Poll.value(Duration.ofSeconds(30), "the first socket rebalanced to 2 partitions",
                    () -> assignment(a), f -> f.getJsonObject("positions").size() == 2);
            assertEquals(2, bAssigned.getJsonObject("positions").size(), bAssigned.encode());
            Set<String> aParts = aAssigned.getJsonObject("positions").fieldNames();
            Set<String> bParts = bAssigned.getJsonObject("positions").fieldNames();
            Set<String> all = new HashSet<>(aParts);
            all.addAll(bParts);
            assertEquals(Set.of("0", "1", "2", "3"), all, "disjoint and complete: " + aParts + " / " + bParts);

            try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
                for (int i = 0; i < 40; i++) {
                    p.send(new ProducerRecord<>("shared", i % 4, "k" + i, "v" + i)).get();
                }
            }
            Map<String, Integer> perPartition = new HashMap<>();
            for (WsClient c : new WsClient[]{a, b}) {
                Set<String> mine = c == a ? aParts : bParts;
                for (int i = 0; i < 20; i++) {
                    JsonObject r = c.next(f -> "record".equals(f.getString("type")), "records");
                    String part = Integer.toString(r.getInteger("partition"));
                    assertTrue(mine.contains(part), "a socket only gets its own partitions: " + part + " not in " + mine);
                    perPartition.merge(part, 1, Integer::sum);
                }
            }
            assertEquals(Map.of("0", 10, "1", 10, "2", 10, "3", 10), perPartition);

            try (Admin admin = KafkaClientsSupport.admin(node.bootstrap())) {
                Poll.until(Duration.ofSeconds(30), "delivered offsets committed", () -> {
                    try {
                        Map<TopicPartition, OffsetAndMetadata> o = admin.listConsumerGroupOffsets("browsers")
                                .partitionsToOffsetAndMetadata().get();
                        return o.size() == 4 && o.values().stream().allMatch(x -> x.offset() == 10);
                    } catch (Exception e) {
                        return false;
                    }
                });
                JsonObject described = Http.get(node.httpBase() + "/v3/clusters/" + admin.describeCluster().clusterId().get()
                        + "/consumer-groups/browsers").json();
                assertEquals(2, described.getJsonArray("consumers").size(), described.encode());
            }
        }
    }
}
