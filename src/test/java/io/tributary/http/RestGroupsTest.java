package io.tributary.http;

import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** REST v3 consumer groups against a real KafkaConsumer group; Kafka's Admin sees the offsets REST changes. */
class RestGroupsTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static String cluster;
    static Admin admin;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1", "group.initial.rebalance.delay.ms", "0"));
        cluster = Http.get(node.httpBase() + "/v3/clusters").json().getJsonArray("data").getJsonObject(0).getString("cluster_id");
        admin = KafkaClientsSupport.admin(node.bootstrap());
    }

    @AfterAll
    static void stop() {
        admin.close();
        node.close();
    }

    String v3(String path) {
        return node.httpBase() + "/v3/clusters/" + cluster + path;
    }

    @Test
    void groupsLagsResetAndDeleteAsKafkasToolsSeeThem() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "grp-topic", 2, Map.of());
        long old = System.currentTimeMillis() - 60_000;
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("grp-topic", i % 2, old, "k" + i, "v" + i)).get();
            }
            try (KafkaConsumer<String, String> c = KafkaClientsSupport.consumer(node.bootstrap(), Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, "rest-group", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.CLIENT_ID_CONFIG, "rest-test-client"))) {
                c.subscribe(List.of("grp-topic"));
                AtomicInteger seen = new AtomicInteger();
                Poll.until(Duration.ofSeconds(30), "10 records consumed", () -> {
                    seen.addAndGet(c.poll(Duration.ofMillis(100)).count());
                    return seen.get() >= 10;
                });
                c.commitSync();

                JsonObject group = Http.get(v3("/consumer-groups/rest-group")).json();
                assertEquals("STABLE", group.getString("state"), group.encode());
                assertEquals("range", group.getString("partition_assignor"));
                JsonObject member = group.getJsonArray("consumers").getJsonObject(0);
                assertEquals("rest-test-client", member.getString("client_id"));
                assertEquals(2, member.getJsonArray("assignments").size());
                Http.Response busy = Http.call("POST", v3("/consumer-groups/rest-group/offsets:reset"),
                        new JsonObject().put("topic", "grp-topic").put("to", "earliest").encode(), "application/json");
                assertEquals(409, busy.status(), "a reset needs an inactive group: " + busy.body());
                assertEquals(409, Http.call("DELETE", v3("/consumer-groups/rest-group"), null, null).status());
            }
            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>("grp-topic", 0, old, "late" + i, "x")).get();
            }
        }
        JsonArray groups = Http.get(v3("/consumer-groups")).json().getJsonArray("data");
        assertTrue(groups.stream().anyMatch(g -> "rest-group".equals(((JsonObject) g).getString("consumer_group_id"))), groups.encode());

        JsonArray lags = Http.get(v3("/consumer-groups/rest-group/lags")).json().getJsonArray("data");
        assertEquals(2, lags.size(), lags.encode());
        JsonObject p0 = lags.getJsonObject(0);
        assertEquals(0, p0.getInteger("partition_id"));
        assertEquals(5L, p0.getLong("current_offset"));
        assertEquals(10L, p0.getLong("log_end_offset"));
        assertEquals(5L, p0.getLong("lag"));
        assertTrue(p0.getLong("lag_ms") >= 60_000, "the oldest unconsumed record is a minute old: " + p0.encode());
        assertEquals(0L, lags.getJsonObject(1).getLong("lag"));
        JsonObject summary = Http.get(v3("/consumer-groups/rest-group/lag-summary")).json();
        assertEquals(5L, summary.getLong("total_lag"));
        assertEquals(5L, summary.getLong("max_lag"));

        Http.Response dry = Http.call("POST", v3("/consumer-groups/rest-group/offsets:reset"), new JsonObject()
                .put("topic", "grp-topic").put("to", "earliest").put("dry_run", true).encode(), "application/json");
        assertEquals(200, dry.status(), dry.body());
        assertEquals(0L, dry.json().getJsonArray("data").getJsonObject(0).getLong("new_offset"));
        assertEquals(5L, committed().get(new TopicPartition("grp-topic", 0)).offset(), "a dry run changes nothing");

        Http.Response done = Http.call("POST", v3("/consumer-groups/rest-group/offsets:reset"), new JsonObject()
                .put("topic", "grp-topic").put("partitions", new JsonArray().add(0)).put("to", "offset").put("offset", 2).encode(),
                "application/json");
        assertEquals(200, done.status(), done.body());
        assertEquals(2L, committed().get(new TopicPartition("grp-topic", 0)).offset(), "Kafka's Admin sees the reset");
        assertEquals(5L, committed().get(new TopicPartition("grp-topic", 1)).offset());

        assertEquals(422, Http.call("POST", v3("/consumer-groups/rest-group/offsets:reset"), new JsonObject()
                .put("topic", "grp-topic").put("to", "offset").put("offset", -4).encode(), "application/json").status());
        assertEquals(404, Http.call("POST", v3("/consumer-groups/rest-group/offsets:reset"), new JsonObject()
                .put("topic", "nope").put("to", "latest").encode(), "application/json").status());

        assertEquals(204, Http.call("DELETE", v3("/consumer-groups/rest-group"), null, null).status());
        assertTrue(admin.listConsumerGroups().all().get().stream().noneMatch(g -> g.groupId().equals("rest-group")));
        assertEquals(404, Http.get(v3("/consumer-groups/rest-group")).status());
        assertEquals(40405, Http.call("DELETE", v3("/consumer-groups/rest-group"), null, null).json().getInteger("error_code"));
    }

    static Map<TopicPartition, OffsetAndMetadata> committed() throws Exception {
        return admin.listConsumerGroupOffsets("rest-group").partitionsToOffsetAndMetadata().get();
    }
}
