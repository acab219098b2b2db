package io.tributary.log;

import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>An entry that would be refused today (a name that may not change at runtime, a value that does not
 * parse — earlier versions stored some) is dropped at load with a WARN line, as Kafka ignores invalid
 * dynamic configs, so that it can neither stop the node from starting nor block later changes; the next
 * save leaves it out of the file.
 */
public final class DynamicBrokerConfigStore {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicBrokerConfigStore.class);

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
                    keepIfUsable(node, "this node", k.substring(NODE.length()), p.getProperty(k));
                } else if (k.startsWith(CLUSTER)) {
                    keepIfUsable(cluster, "the cluster default", k.substring(CLUSTER.length()), p.getProperty(k));
                }
            }
        }
        return new BrokerConfigLayers(node, cluster, staticProps);
    }

    private void keepIfUsable(Map<String, String> layer, String which, String name, String value) {
        try {
            BrokerConfigDef.validateDynamic(Map.of(name, value));
            LogConfig.brokerDefaults(Map.of(name, value));
            layer.put(name, value);
        } catch (ConfigException e) {
            LOG.warn("Ignoring dynamic broker config {}={} of {} stored in {}: {}", name, value, which, file, e.getMessage());
        }
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
