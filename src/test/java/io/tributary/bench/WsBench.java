package io.tributary.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WebSocket benchmark's load tool (run by {@code bench/ws-bench.sh} against a running node; not a test):
 * <ol>
 *   <li>{@code consumer}: a KafkaConsumer (assign + poll, what kafka-console-consumer does minus printing)
 *       reads N records of a 1-partition topic from the beginning: the reference records/s;</li>
 *   <li>{@code tail1}: one {@code /ws} tail from earliest receives and JSON-parses the same N records;</li>
 *   <li>{@code tail50}: 50 tails at once, each all N records (aggregate records/s);</li>
 *   <li>{@code watch}: sequential watch round trips, a setData by the ZooKeeper client to the event's
 *       arrival, over {@code /ws} (persistent watch) and over the ZooKeeper protocol (persistent watch on
 *       another session), p50/p99 after a warm-up.</li>
 * </ol>
 * Prints one TSV line per scenario: scenario, records_per_sec, p50_us, p99_us. With {@code produce <topic>} as
 * extra arguments it only creates and fills the topic; with {@code measure <topic>} it only runs the scenarios
 * on it (the script times {@code kafka-console-consumer} in between).
 */
public final class WsBench {
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int kafkaPort = Integer.parseInt(args[0]);
        int zkPort = Integer.parseInt(args[1]);
        int httpPort = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        int tails = Integer.parseInt(args[4]);
        int watches = Integer.parseInt(args[5]);
        int warmup = Integer.parseInt(args[6]);
        String bootstrap = host + ":" + kafkaPort;
        // Optional phases, so bench/ws-bench.sh can time kafka-console-consumer on the same records in between:
        // "produce <topic>" only writes the records; "measure <topic>" only reads them.
        String mode = args.length > 7 ? args[7] : "all";
        String topic = args.length > 8 ? args[8] : "ws-bench-" + System.currentTimeMillis();
        if (!mode.equals("measure")) {
            produce(bootstrap, topic, n);
        }
        if (mode.equals("produce")) {
            return;
        }
        System.out.println("scenario\trecords_per_sec\tp50_us\tp99_us");
        System.out.printf("consumer\t%.0f\t\t%n", consume(bootstrap, topic, n));
        Vertx vertx = Vertx.vertx();
        try {
            System.out.printf("tail1\t%.0f\t\t%n", tail(vertx, host, httpPort, topic, n, 1));
            System.out.printf("tail1-batch\t%.0f\t\t%n", tail(vertx, host, httpPort, topic, n, 1, true));
            System.out.printf("tail%d\t%.0f\t\t%n", tails, tail(vertx, host, httpPort, topic, n, tails));
            System.out.printf("tail%d-batch\t%.0f\t\t%n", tails, tail(vertx, host, httpPort, topic, n, tails, true));
            long[] ws = watchOverWs(vertx, host, httpPort, host + ":" + zkPort, watches, warmup);
            System.out.printf("watch-ws\t\t%d\t%d%n", ws[0], ws[1]);
            long[] zk = watchOverZk(host + ":" + zkPort, watches, warmup);
            System.out.printf("watch-zk\t\t%d\t%d%n", zk[0], zk[1]);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    static void produce(String bootstrap, String topic, int n) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        byte[] value = new byte[100];
        Arrays.fill(value, (byte) 'x');
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 262144),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                p.send(new ProducerRecord<>(topic, 0, null, value));
            }
            p.flush();
        }
    }

    static double consume(String bootstrap, String topic, int n) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long start = System.nanoTime();
            long got = 0;
            while (got < n) {
                got += c.poll(Duration.ofMillis(500)).count();
            }
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** {@code sockets} tails from earliest at once; aggregate records per second until each has all n. */
    static double tail(Vertx vertx, String host, int port, String topic, int n, int sockets) throws Exception {
        return tail(vertx, host, port, topic, n, sockets, false);
    }

    static double tail(Vertx vertx, String host, int port, String topic, int n, int sockets, boolean batch) throws Exception {
        CountDownLatch done = new CountDownLatch(sockets);
        List<WebSocketClient> clients = new ArrayList<>();
        List<WebSocket> open = new ArrayList<>();
        for (int s = 0; s < sockets; s++) {
            WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 20));
            clients.add(client);
            WebSocket ws = client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/ws"))
                    .await(30, TimeUnit.SECONDS);
            open.add(ws);
            AtomicLong count = new AtomicLong();
            ws.textMessageHandler(t -> {
                JsonObject f = new JsonObject(t); // parse every frame, as a browser would
                long got = "record".equals(f.getString("type")) ? 1
                        : "records".equals(f.getString("type")) ? f.getJsonArray("records").size() : 0;
                if (got > 0 && count.addAndGet(got) == n) {
                    done.countDown();
                }
            });
        }
        long start = System.nanoTime();
        for (WebSocket ws : open) {
            ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("id", "t")
                    .put("tail", new JsonObject().put("topic", topic).put("from", "earliest").put("batch", batch)).encode());
        }
        if (!done.await(600, TimeUnit.SECONDS)) {
            throw new IllegalStateException("tails did not finish");
        }
        double rate = (double) n * sockets / ((System.nanoTime() - start) / 1e9);
        for (WebSocket ws : open) {
            ws.close().await(10, TimeUnit.SECONDS);
        }
        clients.forEach(WebSocketClient::close);
        return rate;
    }

    static ZooKeeper zk(String connect) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 30_000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        });
        if (!up.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no ZooKeeper session");
        }
        return zk;
    }

    static long[] watchOverWs(Vertx vertx, String host, int port, String zkConnect, int rounds, int warmup) throws Exception {
        String path = "/ws-bench-" + System.nanoTime();
        ZooKeeper setter = zk(zkConnect);
        setter.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocket ws = client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/ws")).await(30, TimeUnit.SECONDS);
        BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(16);
        CountDownLatch subscribed = new CountDownLatch(1);
        ws.textMessageHandler(t -> {
            long now = System.nanoTime();
            JsonObject f = new JsonObject(t);
            if ("event".equals(f.getString("type"))) {
                arrivals.add(now);
            } else if ("subscribed".equals(f.getString("type"))) {
                subscribed.countDown();
            }
        });
        ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("id", "w")
                .put("watch", new JsonObject().put("path", path).put("mode", "persistent")).encode());
        subscribed.await(30, TimeUnit.SECONDS);
        long[] result = rounds(setter, path, arrivals, rounds, warmup);
        ws.close().await(10, TimeUnit.SECONDS);
        client.close();
        setter.close();
        return result;
    }

    static long[] watchOverZk(String zkConnect, int rounds, int warmup) throws Exception {
        String path = "/zk-bench-" + System.nanoTime();
        ZooKeeper setter = zk(zkConnect);
        ZooKeeper watcher = zk(zkConnect);
        setter.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(16);
        watcher.addWatch(path, e -> {
            if (e.getType() == org.apache.zookeeper.Watcher.Event.EventType.NodeDataChanged) {
                arrivals.add(System.nanoTime());
            }
        }, AddWatchMode.PERSISTENT);
        long[] result = rounds(setter, path, arrivals, rounds, warmup);
        watcher.close();
        setter.close();
        return result;
    }

    /** Sequential round trips: send setData, wait for the event; p50/p99 in µs of the timed ones. */
    static long[] rounds(ZooKeeper setter, String path, BlockingQueue<Long> arrivals, int rounds, int warmup) throws Exception {
        long[] lat = new long[rounds];
        for (int i = 0; i < warmup + rounds; i++) {
            long t0 = System.nanoTime();
            setter.setData(path, new byte[0], -1, (rc, p, ctx, stat) -> { }, null);
            Long at = arrivals.poll(30, TimeUnit.SECONDS);
            if (at == null) {
                throw new IllegalStateException("no watch event within 30 s");
            }
            if (i >= warmup) {
                lat[i - warmup] = (at - t0) / 1000;
            }
        }
        Arrays.sort(lat);
        return new long[]{lat[(int) (rounds * 0.50)], lat[Math.min(rounds - 1, (int) (rounds * 0.99))]};
    }
}
