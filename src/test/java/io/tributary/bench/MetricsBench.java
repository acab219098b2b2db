package io.tributary.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Load tool for bench/metrics-bench.sh (not a test): fills a node with {@code topics} x {@code partitions}
 * partitions, 2 records each, and {@code groups} consumer groups each committing {@code perGroup} partitions
 * (offset 1 of 2: one record behind, so every group has lag in offsets and in seconds), then times scrapes of
 * {@code GET /metrics}: the first (every lag timestamp looked up), {@code scrapes} more (nothing moved), and one
 * after every group committed again (every timestamp looked up again). Prints one TSV line per measurement.
 *
 * <p>Usage: {@code MetricsBench BOOTSTRAP HTTP_BASE TOPICS PARTITIONS GROUPS PER_GROUP SCRAPES}
 */
public final class MetricsBench {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String http = args[1];
        int topics = Integer.parseInt(args[2]);
        int partitions = Integer.parseInt(args[3]);
        int groups = Integer.parseInt(args[4]);
        int perGroup = Integer.parseInt(args[5]);
        int scrapes = Integer.parseInt(args[6]);
        List<TopicPartition> all = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 600_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 600_000))) {
            long t0 = System.nanoTime();
            for (int t = 0; t < topics; t++) {
                admin.createTopics(List.of(new NewTopic("m" + t, partitions, (short) 1))).all().get();
                for (int p = 0; p < partitions; p++) {
                    all.add(new TopicPartition("m" + t, p));
                }
            }
            System.err.printf("created %d partitions in %.1f s%n", all.size(), (System.nanoTime() - t0) / 1e9);
            produce(bootstrap, all);
            commitAll(admin, all, groups, perGroup, 1);
            System.err.printf("set up in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            System.out.println("what\tms\tbytes\tsamples");
            measure(client, http, "first scrape (every lag timestamp looked up)");
            for (int i = 0; i < scrapes; i++) {
                measure(client, http, "scrape, nothing moved");
            }
            commitAll(admin, all, groups, perGroup, 0); // move every group: new offsets, new lookups
            measure(client, http, "scrape after every group committed again");
            for (int i = 0; i < 3; i++) {
                measure(client, http, "scrape, nothing moved");
            }
        }
    }

    private static void produce(String bootstrap, List<TopicPartition> all) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000))) {
            long old = System.currentTimeMillis() - 60_000;
            List<Future<?>> sent = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (TopicPartition tp : all) {
                    sent.add(p.send(new ProducerRecord<>(tp.topic(), tp.partition(), old + round, null, new byte[100])));
                }
                p.flush();
            }
            for (Future<?> f : sent) {
                f.get();
            }
        }
    }

    /** Group g commits partitions [g*perGroup, (g+1)*perGroup) mod all at offset 1 (flip: alternately 0 and 1). */
    private static void commitAll(Admin admin, List<TopicPartition> all, int groups, int perGroup, int offset) throws Exception {
        List<org.apache.kafka.common.KafkaFuture<Void>> pending = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
            for (int i = 0; i < perGroup; i++) {
                m.put(all.get((g * perGroup + i) % all.size()), new OffsetAndMetadata(offset));
            }
            pending.add(admin.alterConsumerGroupOffsets("g" + g, m).all());
            if (pending.size() == 50) {
                for (var f : pending) {
                    f.get();
                }
                pending.clear();
            }
        }
        for (var f : pending) {
            f.get();
        }
    }

    private static void measure(HttpClient client, String http, String what) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(http + "/metrics")).timeout(Duration.ofMinutes(5))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /metrics answered " + r.statusCode());
        }
        long samples = r.body().lines().filter(l -> !l.isEmpty() && l.charAt(0) != '#').count();
        System.out.printf("%s\t%.1f\t%d\t%d%n", what, ms, r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length, samples);
    }
}
