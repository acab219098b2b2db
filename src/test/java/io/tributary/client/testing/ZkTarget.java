package io.tributary.client.testing;

import io.tributary.testing.TestNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Where a ZooKeeper client contract test runs: an in-process Tributary node, or a real Apache ZooKeeper 3.9 server
 * (embedded, from the test-scoped zookeeper jar). Each contract has one subclass per target.
 */
public interface ZkTarget extends AutoCloseable {
    /** A connect string for the target. */
    String connect();

    /** The server's port (for connect strings that mix in dead servers). */
    int port();

    String name();

    /** Stops the server cleanly and starts it again on the same port and data directory; sessions survive. */
    void restart();

    @Override
    void close();

    static ZkTarget tributary() {
        try {
            // As the Apache ZooKeeper target is configured: containers and TTL nodes swept every 200 ms, and a
            // 500 ms tick, so sessions of 1 s and more are granted.
            TestNode node = TestNode.start(Files.createTempDirectory("zkclient-tributary"),
                    Map.of("znode.container.checkIntervalMs", "200", "tickTime", "500"));
            return new ZkTarget() {
                public String connect() {
                    return node.zkConnect();
                }

                public int port() {
                    return node.zkPort();
                }

                public String name() {
                    return "tributary";
                }

                public void restart() {
                    node.restart();
                }

                public void close() {
                    node.close();
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ZkTarget apacheZooKeeper() {
        ApacheZooKeeper zk = ApacheZooKeeper.start();
        return new ZkTarget() {
            public String connect() {
                return zk.connect();
            }

            public int port() {
                return zk.port();
            }

            public String name() {
                return "apache-zookeeper";
            }

            public void restart() {
                zk.restart();
            }

            public void close() {
                zk.close();
            }
        };
    }
}
