package io.tributary.server;

import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The node's {@code meta.properties} (as Kafka keeps one per log directory): cluster id and node id,
 * generated on first start and checked on every later one so a data directory is never silently
 * reused by another node.
 */
public final class ClusterIdentity {
    private ClusterIdentity() {
    }

    public static String loadOrCreate(Path dataDir, int nodeId) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("meta.properties");
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            String storedNode = p.getProperty("node.id");
            if (storedNode != null && Integer.parseInt(storedNode) != nodeId) {
                throw new IllegalStateException("data directory " + dataDir + " belongs to node.id=" + storedNode
                        + ", this node is node.id=" + nodeId);
            }
            return p.getProperty("cluster.id");
        }
        String clusterId = Uuid.randomUuid().toString();
        p.setProperty("version", "1");
        p.setProperty("cluster.id", clusterId);
        p.setProperty("node.id", Integer.toString(nodeId));
        Path tmp = dataDir.resolve("meta.properties.tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "Tributary node identity");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return clusterId;
    }
}
