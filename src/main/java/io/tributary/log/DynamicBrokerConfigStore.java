package io.tributary.log;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Persists dynamic broker configuration so it survives restarts, as Kafka keeps it in its metadata log.
 *
 * <p>On disk: {@code <dataDir>/meta/dynamic-broker.properties}, Java properties with keys
 * {@code node.<name>} (this node) and {@code cluster.<name>} (cluster-wide default); replaced atomically
 * (tmp file, fsync, rename). Blocking: call from a worker. Not thread-safe; callers serialize.
 */
public final class DynamicBrokerConfigStore {
    private static final String NODE = "node.";
    private static final String CLUSTER = "cluster.";

    private final Path file;

    public DynamicBrokerConfigStore(Path dataDir) {
        this.file = dataDir.resolve("meta").resolve("dynamic-broker.properties");
    }

    /** Loads the dynamic layers over the given static properties. */
    public BrokerConfigLayers load(Map<String, String> staticProps) throws IOException {
        Map<String, String> node = new HashMap<>();
        Map<String, String> cluster = new HashMap<>();
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith(NODE)) {
                    node.put(k.substring(NODE.length()), p.getProperty(k));
                } else if (k.startsWith(CLUSTER)) {
                    cluster.put(k.substring(CLUSTER.length()), p.getProperty(k));
                }
            }
        }
        return new BrokerConfigLayers(node, cluster, staticProps);
    }

    public void save(BrokerConfigLayers layers) throws IOException {
        Properties p = new Properties();
        layers.node().forEach((k, v) -> p.setProperty(NODE + k, v));
        layers.clusterDefault().forEach((k, v) -> p.setProperty(CLUSTER + k, v));
        StringWriter w = new StringWriter();
        p.store(w, "Dynamic broker configuration (kafka-configs --entity-type brokers)");
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(w.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
