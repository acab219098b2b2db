package io.tributary.client.testing;

import io.tributary.testing.TestNode;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real Apache ZooKeeper 3.9 standalone server in this JVM ({@code ZooKeeperServerEmbedded} from the test-scoped
 * zookeeper jar) on a free port with a temporary data directory. Extended types are on (TTL nodes), the admin server
 * and four-letter words are off; a short tick lets tests use session timeouts of a few seconds. {@link #restart}
 * stops it and starts it on the same port and data directory, as an operator's restart would.
 */
public final class ApacheZooKeeper implements AutoCloseable {
    private final Path dir;
    private final int port;
    private ZooKeeperServerEmbedded server;

    private ApacheZooKeeper(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static ApacheZooKeeper start() {
        // Read by the server when a TTL create arrives (EphemeralType.extendedEphemeralTypesEnabled).
        System.setProperty("zookeeper.extendedTypesEnabled", "true");
        // Read when the server starts its ContainerManager: sweep containers and TTL nodes every 200 ms.
        System.setProperty("znode.container.checkIntervalMs", "200");
        try {
            ApacheZooKeeper zk = new ApacheZooKeeper(Files.createTempDirectory("apache-zookeeper"), TestNode.freePort());
            zk.startServer();
            return zk;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer() {
        try {
            Class.forName("com.codahale.metrics.Reservoir");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the ZooKeeper 3.9 server needs io.dropwizard.metrics:metrics-core 4.1.12.1 "
                    + "(a 'provided' dependency of org.apache.zookeeper:zookeeper) on the test classpath", e);
        }
        Properties p = new Properties();
        p.setProperty("clientPort", Integer.toString(port));
        p.setProperty("clientPortAddress", "127.0.0.1");
        p.setProperty("dataDir", dir.resolve("data").toString());
        p.setProperty("tickTime", "500");
        p.setProperty("admin.enableServer", "false");
        p.setProperty("4lw.commands.whitelist", "srvr"); // start(timeout) polls srvr
        try {
            server = ZooKeeperServerEmbedded.builder().baseDir(dir).configuration(p).exitHandler(ExitHandler.LOG_ONLY).build();
            server.start(30_000);
        } catch (Exception e) {
            throw new IllegalStateException("Apache ZooKeeper did not start on port " + port, e);
        }
    }

    public String connect() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public void restart() {
        server.close();
        startServer();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
