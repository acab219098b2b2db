package io.tributary.metrics;

import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, must-show 4: the coordination metrics under ZooKeeper's Prometheus names equal what {@code mntr}
 * reports for the same counters, read while two real ZooKeeper clients hold sessions, ephemerals and watches and
 * nothing else moves (mntr is read before and after the scrape; the test asserts on a window where they agree).
 */
class CoordinationMetricsTest {
    /** Prometheus name -> mntr key. */
    static final Map<String, String> SAME = Map.ofEntries(
            Map.entry("znode_count", "zk_znode_count"),
            Map.entry("watch_count", "zk_watch_count"),
            Map.entry("ephemerals_count", "zk_ephemerals_count"),
            Map.entry("approximate_data_size", "zk_approximate_data_size"),
            Map.entry("global_sessions", "zk_global_sessions"),
            Map.entry("num_alive_connections", "zk_num_alive_connections"),
            Map.entry("outstanding_requests", "zk_outstanding_requests"),
            Map.entry("packets_received_total", "zk_packets_received"),
            Map.entry("packets_sent_total", "zk_packets_sent"),
            Map.entry("avg_latency", "zk_avg_latency"),
            Map.entry("max_latency", "zk_max_latency"),
            Map.entry("min_latency", "zk_min_latency"));

    @TempDir
    static Path dir;
    static TestNode node;
    static ZooKeeper a;
    static ZooKeeper b;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir);
        a = connect();
        b = connect();
        a.create("/app", "config-v1".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (int i = 0; i < 5; i++) {
            a.create("/app/member-", new byte[10], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
        }
        b.create("/app/lock", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        b.getData("/app", true, null);
        b.getChildren("/app", true);
        a.exists("/app/none", true);
        a.setData("/app", "config-v2".getBytes(StandardCharsets.UTF_8), -1);
        b.getData("/app", true, null);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        a.close();
        b.close();
        node.close();
    }

    private static ZooKeeper connect() throws IOException {
        ZooKeeper zk = new ZooKeeper(node.zkConnect(), 30_000, e -> { });
        Poll.until(Duration.ofSeconds(30), "ZooKeeper client connected", () -> zk.getState().isConnected());
        return zk;
    }

    private static Map<String, String> mntr() throws IOException {
        try (Socket s = new Socket("127.0.0.1", node.zkPort())) {
            OutputStream out = s.getOutputStream();
            out.write("mntr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            Map<String, String> kv = new HashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                String[] f = line.split("\t");
                if (f.length == 2) {
                    kv.put(f[0], f[1]);
                }
            }
            return kv;
        }
    }

    @Test
    void zooKeeperNamedMetricsEqualMntr() {
        record Window(Map<String, String> before, Scrape scrape, Map<String, String> after) {
            boolean stable() {
                return SAME.values().stream().allMatch(k -> before.get(k) != null && before.get(k).equals(after.get(k)));
            }
        }
        Window w = Poll.value(Duration.ofSeconds(30), "mntr unchanged across a scrape", () -> {
            try {
                Map<String, String> before = mntr();
                Scrape s = Scrape.of(node.httpBase());
                return new Window(before, s, mntr());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, Window::stable);
        for (Map.Entry<String, String> e : SAME.entrySet()) {
            // mntr's own connection is alive while it answers (as in ZooKeeper); the scrape's is an HTTP one
            double self = e.getKey().equals("num_alive_connections") ? 1 : 0;
            double printed = e.getKey().equals("avg_latency") ? 5e-5 : 1e-9; // mntr prints it with %.4f
            assertEquals(Double.parseDouble(w.before().get(e.getValue())) - self, w.scrape().value(e.getKey()), printed,
                    e.getKey() + " vs mntr's " + e.getValue() + "\n" + w.before());
        }
        // the state the clients made, so equal-but-zero cannot pass
        assertEquals(6, w.scrape().value("ephemerals_count"));
        assertEquals(2, w.scrape().value("global_sessions"));
        assertTrue(w.scrape().value("watch_count") >= 2, "b watches /app's data and children");
        assertTrue(w.scrape().value("znode_count") >= 8, "/, /zookeeper..., /app and 6 children");
        // ZooKeeper's per-op counters and latency summaries saw the requests
        assertEquals(7, w.scrape().value("op_count_create_total"));
        assertEquals(2, w.scrape().value("op_count_get_data_total"));
        assertEquals(1, w.scrape().value("op_count_set_data_total"));
        assertEquals(2, w.scrape().value("op_count_create_session_total"));
        assertTrue(w.scrape().value("updatelatency_count") >= 8, "7 creates and a setData are updates");
        assertTrue(w.scrape().value("readlatency_count") >= 4, "getData x2, getChildren, exists are reads");
        assertTrue(w.scrape().value("fsynctime_count") >= 1, "the transaction log was fsynced");
        assertTrue(w.scrape().one("readlatency", "quantile", "0.99") != null, "ZooKeeper's ADVANCED quantiles");
        assertTrue(w.scrape().one("fsynctime", "quantile", "0.5") != null, "ZooKeeper's BASIC quantile");
        List<String> ops = ZooKeeperMetrics.OPS;
        for (String op : ops) {
            assertTrue(w.scrape().one("op_count_" + op + "_total") != null, "op_count_" + op);
        }
    }
}
