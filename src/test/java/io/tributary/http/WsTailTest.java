package io.tributary.http;

import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Topic tails and produce frames over {@code /ws}, with kafka-clients on the other side. */
class WsTailTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static Vertx vertx;
    static KafkaProducer<String, String> producer;
    /** Record timestamps near now: older ones would be past retention.ms and deleted at once. */
    static final long BASE = System.currentTimeMillis() - 60_000;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1"));
        vertx = Vertx.vertx();
        producer = KafkaClientsSupport.producer(node.bootstrap(), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        node.close();
    }

    static RecordMetadata send(String topic, int partition, long ts, String key, String value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, partition, ts, key, value)).get();
    }

    static JsonObject tail(String id, JsonObject spec) {
        return new JsonObject().put("type", "subscribe").put("id", id).put("tail", spec);
    }

    static List<JsonObject> records(WsClient c, String id, int n) {
        List<JsonObject> out = new ArrayList<>();
        while (out.size() < n) {
            JsonObject f = c.nextFor(id);
            assertEquals("record", f.getString("type"), f.encode());
            out.add(f);
        }
        return out;
    }

    static String pos(JsonObject r) {
        return r.getInteger("partition") + "@" + r.getLong("offset");
    }

    @Test
    void tailsFromEarliestLatestOffsetAndTimestamp() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "positions", 3, Map.of());
        for (int i = 0; i < 30; i++) {
            send("positions", i % 3, BASE + i, "k" + i, "v" + i);
        }
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(tail("e", new JsonObject().put("topic", "positions").put("from", "earliest")));
            JsonObject sub = c.nextFor("e");
            assertEquals("subscribed", sub.getString("type"), sub.encode());
            List<JsonObject> all = records(c, "e", 30);
            Set<String> seen = new HashSet<>();
            long[] lastOffset = {-1, -1, -1};
            for (JsonObject r : all) {
                assertTrue(seen.add(pos(r)), "no duplicate " + pos(r));
                int p = r.getInteger("partition");
                assertTrue(r.getLong("offset") > lastOffset[p], "offset order within a partition");
                lastOffset[p] = r.getLong("offset");
                int i = Integer.parseInt(r.getString("key").substring(1));
                assertEquals("v" + i, r.getString("value"));
                assertEquals(i % 3, p);
                assertEquals(BASE + i, r.getLong("timestamp"));
                assertNotNull(r.getString("token"));
            }

            c.send(tail("l", new JsonObject().put("topic", "positions").put("from", "latest")));
            assertEquals("subscribed", c.nextFor("l").getString("type"));
            send("positions", 2, BASE + 1000, "new", "pushed");
            JsonObject pushed = c.nextFor("l");
            assertEquals("pushed", pushed.getString("value"), "a record appended after subscribing is pushed");
            assertEquals("pushed", c.nextFor("e").getString("value"), "the earliest tail sees it too");

            c.send(tail("o", new JsonObject().put("topic", "positions")
                    .put("from", new JsonObject().put("offsets", new JsonObject().put("1", 7)))));
            assertEquals(new JsonObject().put("1", 7), c.nextFor("o").getJsonObject("positions"));
            List<JsonObject> fromOffset = records(c, "o", 3);
            assertEquals(List.of("1@7", "1@8", "1@9"), fromOffset.stream().map(WsTailTest::pos).toList());

            c.send(tail("ts", new JsonObject().put("topic", "positions").put("partitions", new JsonArray().add(0))
                    .put("from", new JsonObject().put("timestamp", BASE + 21))));
            c.nextFor("ts");
            List<JsonObject> fromTs = records(c, "ts", 3);
            assertEquals(List.of("k21", "k24", "k27"), fromTs.stream().map(r -> r.getString("key")).toList());
        }
    }

    @Test
    void resumingWithTheLastTokenMissesNothingAndRepeatsNothing() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "resume", 2, Map.of());
        for (int i = 0; i < 40; i++) {
            send("resume", i % 2, System.currentTimeMillis(), "a" + i, "first-" + i);
        }
        Set<String> delivered = new HashSet<>();
        String token;
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(tail("t", new JsonObject().put("topic", "resume").put("from", "earliest")));
            c.nextFor("t");
            List<JsonObject> part = records(c, "t", 25);
            part.forEach(r -> assertTrue(delivered.add(pos(r))));
            token = part.get(part.size() - 1).getString("token");
        }
        // the client is gone; the topic moves on
        for (int i = 0; i < 20; i++) {
            send("resume", i % 2, System.currentTimeMillis(), "b" + i, "second-" + i);
        }
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(tail("t", new JsonObject().put("topic", "resume").put("from", new JsonObject().put("token", token))));
            c.nextFor("t");
            List<JsonObject> rest = records(c, "t", 60 - 25);
            for (JsonObject r : rest) {
                assertTrue(delivered.add(pos(r)), "not delivered twice: " + pos(r));
            }
        }
        Set<String> expected = new HashSet<>();
        for (int p = 0; p < 2; p++) {
            for (int o = 0; o < 30; o++) {
                expected.add(p + "@" + o);
            }
        }
        assertEquals(expected, delivered, "every record exactly once across the two sockets");
    }

    @Test
    void batchTailsSendOneFramePerReadWithEveryRecordAndItsToken() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "batched", 1, Map.of());
        for (int i = 0; i < 50; i++) {
            send("batched", 0, BASE, "k" + i, "v" + i);
        }
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(tail("b", new JsonObject().put("topic", "batched").put("from", "earliest").put("batch", true)));
            c.nextFor("b");
            List<JsonObject> got = new ArrayList<>();
            while (got.size() < 50) {
                JsonObject f = c.nextFor("b");
                assertEquals("records", f.getString("type"), f.encode());
                f.getJsonArray("records").forEach(r -> got.add((JsonObject) r));
                assertEquals(got.get(got.size() - 1).getString("token"), f.getString("token"), "the frame's token is its last record's");
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(i, got.get(i).getLong("offset"));
                assertEquals("v" + i, got.get(i).getString("value"));
            }
        }
    }

    @Test
    void anEmptyPartitionDoesNotHoldBackAnotherAndFiltersApply() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "independent", 2, Map.of());
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(tail("f", new JsonObject().put("topic", "independent").put("from", "earliest")
                    .put("filter", new JsonObject().put("value", "keep"))));
            c.nextFor("f");
            send("independent", 1, BASE, "x", "drop me");
            send("independent", 1, BASE, "y", "keep me");
            JsonObject r = c.nextFor("f");
            assertEquals("keep me", r.getString("value"));
            assertEquals(1, r.getInteger("partition"));
        }
    }

    @Test
    void produceFramesAreAnsweredWithOffsetsAKafkaConsumerReads() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "ws-produce", 3, Map.of());
        List<JsonObject> produced = new ArrayList<>();
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            for (int i = 0; i < 10; i++) {
                JsonObject f = new JsonObject().put("type", "produce").put("id", "p" + i).put("topic", "ws-produce")
                        .put("key", "key-" + i).put("value", "value-" + i)
                        .put("headers", new JsonObject().put("source", "browser"));
                if (i % 2 == 0) {
                    f.put("partition", 2);
                }
                c.send(f);
            }
            for (int i = 0; i < 10; i++) {
                JsonObject ack = c.nextFor("p" + i);
                assertEquals("produced", ack.getString("type"), ack.encode());
                produced.add(ack);
            }
        }
        try (KafkaConsumer<String, String> consumer = KafkaClientsSupport.consumer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                JsonObject ack = produced.get(i);
                TopicPartition tp = new TopicPartition("ws-produce", ack.getInteger("partition"));
                if (i % 2 == 0) {
                    assertEquals(2, tp.partition());
                } else {
                    // the key decides, as the Kafka producer's default partitioner would
                    assertEquals(org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                            ("key-" + i).getBytes(StandardCharsets.UTF_8), 3), tp.partition());
                }
                List<ConsumerRecord<String, String>> got = KafkaClientsSupport.readFrom(consumer, tp, ack.getLong("offset"), 1, java.time.Duration.ofSeconds(20));
                ConsumerRecord<String, String> r = got.get(0);
                assertEquals(ack.getLong("offset"), r.offset());
                assertEquals("key-" + i, r.key());
                assertEquals("value-" + i, r.value());
                assertEquals("browser", new String(r.headers().lastHeader("source").value(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void badTailAndProduceFramesGetErrorsAndNothingIsWritten() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "guarded", 1, Map.of());
        try (WsClient c = WsClient.connect(vertx, node.httpPort())) {
            c.send(tail("a", new JsonObject().put("topic", "no-such-topic")));
            assertEquals(40401, c.nextFor("a").getInteger("error_code"));
            c.send(tail("b", new JsonObject().put("topic", "guarded").put("partitions", new JsonArray().add(5))));
            assertEquals(40402, c.nextFor("b").getInteger("error_code"));
            c.send(tail("c", new JsonObject().put("topic", "guarded").put("from", -3)));
            assertEquals(42202, c.nextFor("c").getInteger("error_code"));
            c.send(tail("d", new JsonObject().put("topic", "guarded").put("from", new JsonObject().put("token", "garbage!"))));
            assertEquals(42202, c.nextFor("d").getInteger("error_code"));
            c.send(tail("e", new JsonObject().put("topic", "guarded").put("from", "yesterday")));
            assertEquals(42202, c.nextFor("e").getInteger("error_code"));
            c.send(new JsonObject().put("type", "produce").put("id", "p1").put("topic", "nope").put("value", "x"));
            assertEquals(40401, c.nextFor("p1").getInteger("error_code"));
            c.send(new JsonObject().put("type", "produce").put("id", "p2").put("topic", "__consumer_offsets").put("value", "x"));
            assertEquals(40301, c.nextFor("p2").getInteger("error_code"));
            c.send(new JsonObject().put("type", "produce").put("id", "p3").put("topic", "guarded").put("value", "%%%")
                    .put("encoding", "base64"));
            assertEquals(42206, c.nextFor("p3").getInteger("error_code"));
            c.send(new JsonObject().put("type", "produce").put("id", "p4").put("topic", "guarded").put("value", "x")
                    .put("partition", -1));
            assertEquals(40402, c.nextFor("p4").getInteger("error_code"));
        }
        assertEquals(0L, node.node().logManager().partition(new TopicPartition("guarded", 0)).logEndOffset(),
                "nothing was written");
    }
}
