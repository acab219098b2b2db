package io.tributary.testing;

import io.tributary.server.Node;
import io.tributary.server.NodeConfig;
import org.apache.kafka.common.utils.Time;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real node started in-process on a free port with its own data directory. */
public final class TestNode implements AutoCloseable {
    private final Path dataDir;
    private final Map<String, String> overrides;
    private final Time time;
    private final int kafkaPort;
    private final int zkPort;
    private final int httpPort;
    private Node node;

    private TestNode(Path dataDir, Map<String, String> overrides, Time time, int kafkaPort, int zkPort, int httpPort) {
        this.dataDir = dataDir;
        this.overrides = overrides;
        this.time = time;
        this.kafkaPort = kafkaPort;
        this.zkPort = zkPort;
        this.httpPort = httpPort;
    }

    public static TestNode start(Path dataDir) {
        return start(dataDir, Map.of(), Time.SYSTEM);
    }

    public static TestNode start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, overrides, Time.SYSTEM);
    }

    public static TestNode start(Path dataDir, Map<String, String> overrides, Time time) {
        TestNode n = new TestNode(dataDir, new HashMap<>(overrides), time, freePort(), freePort(), freePort());
        n.startNode();
        return n;
    }

    private void startNode() {
        Map<String, String> cfg = new HashMap<>();
        cfg.put(NodeConfig.LOG_DIRS, dataDir.toString());
        cfg.put(NodeConfig.KAFKA_PORT, Integer.toString(kafkaPort));
        cfg.put(NodeConfig.ZK_PORT, Integer.toString(zkPort));
        cfg.put(NodeConfig.HTTP_PORT, Integer.toString(httpPort));
        cfg.put(NodeConfig.HOST, "127.0.0.1");
        cfg.putAll(overrides);
        node = new Node(NodeConfig.of(cfg), time);
        try {
            node.start().await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("node did not start", e);
        }
    }

    /** Stops cleanly and starts again on the same port and data directory. */
    public void restart() {
        stopNode();
        startNode();
    }

    public String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    public int kafkaPort() {
        return kafkaPort;
    }

    /** The ZooKeeper protocol port. */
    public int zkPort() {
        return zkPort;
    }

    /** The HTTP port (REST, /ws, live pages, health). */
    public int httpPort() {
        return httpPort;
    }

    /** {@code http://127.0.0.1:<http port>} */
    public String httpBase() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** A ZooKeeper connect string for this node. */
    public String zkConnect() {
        return "127.0.0.1:" + zkPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Node node() {
        return node;
    }

    private void stopNode() {
        if (node != null) {
            try {
                node.stop().await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("node did not stop", e);
            }
            node = null;
        }
    }

    @Override
    public void close() {
        stopNode();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
