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

    private static long committed(Admin admin, String group, TopicPartition tp) {
        try {
            OffsetAndMetadata om = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(tp);
            return om == null ? -1 : om.offset();
        } catch (Exception e) {
            return -2;
        }
    }

    @Test
    void anAckTailCommitsOnlyWhatTheClientAcknowledgedAndTheNextMemberResumesThere() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "acked", 1, Map.of());
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("acked", 0, "k" + i, "v" + i)).get();
            }
        }
        TopicPartition tp = new TopicPartition("acked", 0);
        JsonObject subscribe = new JsonObject().put("type", "subscribe").put("id", "g").put("tail", new JsonObject()
                .put("topic", "acked").put("group", "ackers").put("from", "earliest").put("commit", "ack"));
        try (Admin admin = KafkaClientsSupport.admin(node.bootstrap());
             WsClient a = WsClient.connect(vertx, node.httpPort())) {
            a.send(subscribe);
            assertEquals("ack", assignment(a).getString("commit"));
            java.util.List<JsonObject> records = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                records.add(a.next(f -> "record".equals(f.getString("type")), "record " + i));
            }
            assertEquals(9L, records.get(9).getLong("offset"));
            a.send(new JsonObject().put("type", "ack").put("id", "g").put("token", records.get(3).getString("token")));
            Poll.until(Duration.ofSeconds(30), "the acknowledged token committed", () -> committed(admin, "ackers", tp) == 4);
            a.send(new JsonObject().put("type", "ack").put("id", "g").put("partition", 0).put("offset", 5));
            Poll.until(Duration.ofSeconds(30), "the acknowledged offset committed", () -> committed(admin, "ackers", tp) == 6);

            a.send(new JsonObject().put("type", "ack").put("id", "g").put("partition", 0).put("offset", 50));
            JsonObject beyond = a.next(f -> "error".equals(f.getString("type")), "an error");
            assertEquals(42202, beyond.getInteger("error_code"), "an ack beyond what was delivered: " + beyond.encode());
            a.send(new JsonObject().put("type", "ack").put("id", "nobody").put("partition", 0).put("offset", 1));
            assertEquals(40406, a.next(f -> "error".equals(f.getString("type")), "an error").getInteger("error_code"));
            a.send(new JsonObject().put("type", "subscribe").put("id", "plain").put("tail", new JsonObject()
                    .put("topic", "acked").put("group", "auto-ers")));
            assignment(a);
            a.send(new JsonObject().put("type", "ack").put("id", "plain").put("partition", 0).put("offset", 1));
            assertEquals(42206, a.next(f -> "error".equals(f.getString("type")), "an error").getInteger("error_code"),
                    "acks need commit: ack");
            a.send(new JsonObject().put("type", "subscribe").put("id", "bad").put("tail", new JsonObject()
                    .put("topic", "acked").put("commit", "ack")));
            assertEquals(42206, a.next(f -> "error".equals(f.getString("type")), "an error").getInteger("error_code"),
                    "commit: ack needs a group");

            a.send(new JsonObject().put("type", "unsubscribe").put("id", "g"));
            a.next(f -> "complete".equals(f.getString("type")) && "g".equals(f.getString("id")), "unsubscribed");
            assertEquals(6, committed(admin, "ackers", tp), "records delivered but not acknowledged are not committed");
        }
        try (WsClient b = WsClient.connect(vertx, node.httpPort())) {
            b.send(subscribe);
            assertEquals(6L, assignment(b).getJsonObject("positions").getLong("0"));
            assertEquals(6L, b.next(f -> "record".equals(f.getString("type")), "a record").getLong("offset"),
                    "the next member starts after what was acknowledged (at least once)");
        }
    }
}
