package io.tributary.metrics;

import io.tributary.group.GroupConfig;
import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, must-show 3: every metric name used by a PromQL expression or template query of the dashboards
 * in {@code grafana/dashboards} and of Grafana's "Kafka Exporter Overview" (grafana.com 7589, checked in as
 * {@code src/test/resources/grafana/kafka-exporter-overview-7589.json}; see the README there) is exported by a
 * node with Kafka, consumer-group and ZooKeeper traffic.
 */
class DashboardMetricNamesTest {
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)");
    private static final Pattern QUERY_RESULT = Pattern.compile("query_result\\((.*)\\)");

    /** Metric names in one PromQL expression: strings, label matchers, ranges and grouping clauses removed. */
    static Set<String> names(String promql) {
        String e = promql.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("'(\\\\.|[^'\\\\])*'", "''");
        e = e.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        e = e.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = IDENT.matcher(e);
        while (m.find()) {
            String id = m.group();
            int after = m.end();
            while (after < e.length() && Character.isWhitespace(e.charAt(after))) {
                after++;
            }
            boolean function = after < e.length() && e.charAt(after) == '(';
            boolean variable = m.start() > 0 && e.charAt(m.start() - 1) == '$';
            boolean number = m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1));
            if (!function && !variable && !number && !PROMQL_WORDS.contains(id.toLowerCase())) {
                out.add(id);
            }
        }
        return out;
    }

    /** Every expression of a dashboard: panel targets (rows and nested panels too) and template queries. */
    static List<String> expressions(JsonObject dashboard) {
        List<String> out = new ArrayList<>();
        walk(dashboard, out);
        JsonObject templating = dashboard.getJsonObject("templating");
        if (templating != null) {
            for (Object o : templating.getJsonArray("list", new JsonArray())) {
                JsonObject v = (JsonObject) o;
                if (!"query".equals(v.getString("type"))) {
                    continue;
                }
                Object q = v.getValue("query");
                String query = q instanceof JsonObject jo ? jo.getString("query") : (String) q;
                if (query == null) {
                    continue;
                }
                Matcher lv = LABEL_VALUES.matcher(query);
                Matcher qr = QUERY_RESULT.matcher(query);
                if (lv.matches()) {
                    out.add(lv.group(1));
                } else if (qr.matches()) {
                    out.add(qr.group(1));
                }
            }
        }
        return out;
    }

    private static void walk(Object node, List<String> out) {
        if (node instanceof JsonObject o) {
            for (String k : o.fieldNames()) {
                Object v = o.getValue(k);
                if (k.equals("expr") && v instanceof String s && !s.isBlank()) {
                    out.add(s);
                } else if (!k.equals("templating")) {
                    walk(v, out);
                }
            }
        } else if (node instanceof JsonArray a) {
            a.forEach(v -> walk(v, out));
        }
    }

    static Map<String, Set<String>> namesByDashboard() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (InputStream in = DashboardMetricNamesTest.class.getResourceAsStream("/grafana/kafka-exporter-overview-7589.json")) {
            out.put("grafana.com 7589", namesOf(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8))));
        }
        try (Stream<Path> files = Files.list(Path.of("grafana", "dashboards"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.put(f.toString(), namesOf(new JsonObject(Files.readString(f))));
            }
        }
        return out;
    }

    private static Set<String> namesOf(JsonObject dashboard) {
        Set<String> names = new TreeSet<>();
        expressions(dashboard).forEach(e -> names.addAll(names(e)));
        return names;
    }

    @Test
    void theExtractorFindsMetricNamesAndNothingElse() {
        assertEquals(Set.of("kafka_consumergroup_lag"), names("sum(kafka_consumergroup_lag{instance=\"$instance\",topic=~\"$topic\"}) by (consumergroup, topic)"));
        assertEquals(Set.of("tributary_kafka_request_seconds_bucket"),
                names("histogram_quantile(0.99, sum by (le, api) (rate(tributary_kafka_request_seconds_bucket{instance=~\"$instance\"}[5m])))"));
        assertEquals(Set.of("fsynctime_sum", "fsynctime_count"), names("rate(fsynctime_sum[1m]) / rate(fsynctime_count[$__rate_interval])"));
        assertEquals(Set.of("kafka_topic_partition_current_offset"),
                names("sum(delta(kafka_topic_partition_current_offset{instance=~'$instance', topic=~\"$topic\"}[5m])/5) by (topic)"));
    }

    @Test
    void everyNameTheDashboardsQueryIsExported(@TempDir Path dir) throws Exception {
        Map<String, Set<String>> wanted = namesByDashboard();
        assertEquals(Set.of("kafka_consumergroup_current_offset", "kafka_consumergroup_lag", "kafka_topic_partition_current_offset",
                "kafka_topic_partitions"), wanted.get("grafana.com 7589"), "the names dashboard 7589 queries");
        assertEquals(4, wanted.size(), "7589 and the three dashboards in grafana/dashboards: " + wanted.keySet());
        try (TestNode node = TestNode.start(dir, Map.of(GroupConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0",
                GroupConfig.OFFSETS_TOPIC_NUM_PARTITIONS, "1"))) {
            traffic(node);
            System.gc(); // the JVM binder registers its GC pause timer at the first collection it is told of
            Scrape s = Poll.value(Duration.ofSeconds(30), "a scrape with group lag and a GC pause", () -> Scrape.of(node.httpBase()),
                    x -> !x.all("kafka_consumergroup_lag", l -> "dash".equals(l.label("consumergroup"))).isEmpty()
                            && !x.all("jvm_gc_pause_seconds_sum").isEmpty());
            Set<String> exported = s.names();
            Map<String, Set<String>> missing = new TreeMap<>();
            wanted.forEach((dashboard, names) -> {
                Set<String> m = new TreeSet<>(names);
                m.removeAll(exported);
                if (!m.isEmpty()) {
                    missing.put(dashboard, m);
                }
            });
            assertTrue(missing.isEmpty(), "names the dashboards query but the node does not export: " + missing);
            assertFalse(wanted.values().stream().allMatch(Set::isEmpty));
        }
    }

    private static void traffic(TestNode node) throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "dash", 2, Map.of());
        try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>("dash", i % 2, "k", "v" + i)).get();
            }
        }
        try (KafkaConsumer<String, String> c = KafkaClientsSupport.consumer(node.bootstrap(),
                Map.of("group.id", "dash", "auto.offset.reset", "earliest"))) {
            c.subscribe(List.of("dash"));
            int[] read = {0};
            Poll.until(Duration.ofSeconds(30), "the group read 10 records", () -> {
                read[0] += c.poll(Duration.ofMillis(100)).count();
                return read[0] >= 10;
            });
            c.commitSync();
        }
        ZooKeeper zk = new ZooKeeper(node.zkConnect(), 30_000, e -> { });
        try {
            Poll.until(Duration.ofSeconds(30), "ZooKeeper client connected", () -> zk.getState().isConnected());
            zk.create("/dash", new byte[1], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            zk.getData("/dash", true, null);
        } finally {
            zk.close();
        }
    }
}
