package io.tributary.metrics;

import io.tributary.group.GroupConfig;
import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, must-show 1 (second half): Debian's {@code prometheus} server scrapes a node on loopback (it asks
 * for OpenMetrics first, so that format is the one parsed here) and a lag series, in offsets and in seconds,
 * reads back through its HTTP query API with the value the node computed.
 */
class PrometheusServerTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void prometheusScrapesTheNodeAndAnswersALagQuery(@TempDir Path dir) throws Exception {
        try (TestNode node = TestNode.start(dir.resolve("node"), Map.of(GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0",
                GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "1"))) {
            KafkaClientsSupport.createTopic(node.bootstrap(), "scraped", 1, Map.of());
            long old = System.currentTimeMillis() - 3_600_000; // an hour-old first record
            try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
                p.send(new ProducerRecord<>("scraped", 0, old, "k", "v0")).get();
                for (int i = 1; i < 7; i++) {
                    p.send(new ProducerRecord<>("scraped", 0, "k", "v" + i)).get();
                }
            }
            try (Admin admin = KafkaClientsSupport.admin(node.bootstrap())) {
                admin.alterConsumerGroupOffsets("watched", Map.of(new TopicPartition("scraped", 0), new OffsetAndMetadata(0)))
                        .all().get();
            }

            int port = TestNode.freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, String.join("\n",
                    "global:",
                    "  scrape_interval: 1s",
                    "  scrape_timeout: 1s",
                    "scrape_configs:",
                    "  - job_name: tributary",
                    "    metrics_path: /metrics",
                    "    static_configs:",
                    "      - targets: ['127.0.0.1:" + node.httpPort() + "']",
                    ""));
            Path log = dir.resolve("prometheus.log");
            Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                String base = "http://127.0.0.1:" + port;
                JsonArray up = Poll.value(Duration.ofSeconds(60), "prometheus to scrape the node (log: " + log + ")",
                        () -> query(base, "up{job=\"tributary\"} == 1"), r -> r != null && !r.isEmpty());
                assertEquals(1, up.size());
                JsonArray lag = Poll.value(Duration.ofSeconds(60), "the lag series in prometheus",
                        () -> query(base, "kafka_consumergroup_lag{consumergroup=\"watched\",topic=\"scraped\",partition=\"0\"}"),
                        r -> r != null && !r.isEmpty());
                assertEquals(7, Double.parseDouble(lag.getJsonObject(0).getJsonArray("value").getString(1)), "lag in offsets");
                JsonArray seconds = query(base, "kafka_consumergroup_lag_seconds{consumergroup=\"watched\"}");
                double age = Double.parseDouble(seconds.getJsonObject(0).getJsonArray("value").getString(1));
                assertTrue(age >= 3600, "the first unconsumed record is an hour old, lag_seconds was " + age);
                JsonArray zk = query(base, "znode_count");
                assertTrue(Double.parseDouble(zk.getJsonObject(0).getJsonArray("value").getString(1)) >= 1, "ZooKeeper's names too");
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    /** The result vector of an instant query, or null while Prometheus is not answering yet. */
    private static JsonArray query(String base, String promql) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                    + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            JsonObject body = new JsonObject(r.body());
            return body.getJsonObject("data").getJsonArray("result");
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

}
