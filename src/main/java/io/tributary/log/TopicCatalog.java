package io.tributary.log;

import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Durable list of topics.
 *
 * <p>On disk: one file per topic, {@code <dataDir>/meta/topics/<name>.properties}, Java properties
 * with {@code topic.id} (base64 Uuid), {@code partitions}, and {@code config.<name>=<value>} per
 * topic-level override. Written atomically (tmp, fsync, rename, fsync of the directory). Topic names
 * are restricted to {@code [a-zA-Z0-9._-]} by Kafka's rules, so they are safe file names.
 *
 * <p>Threading: called under {@link LogManager}'s lock; blocking I/O.
 */
final class TopicCatalog {
    private static final String SUFFIX = ".properties";
    private static final String CONFIG_PREFIX = "config.";

    /** A persisted catalog entry. */
    record Entry(String name, Uuid topicId, int partitions, Map<String, String> overrides) {}

    private final Path dir;

    TopicCatalog(Path dataDir) { this.dir = dataDir.resolve("meta").resolve("topics"); }

    List<Entry> readAll() throws IOException {
        Files.createDirectories(dir);
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                    continue;
                }
                if (!n.endsWith(SUFFIX)) continue;
                Properties props = new Properties();
                props.load(new StringReader(Files.readString(p, StandardCharsets.UTF_8)));
                Map<String, String> overrides = new TreeMap<>();
                for (String k : props.stringPropertyNames()) {
                    if (k.startsWith(CONFIG_PREFIX)) overrides.put(k.substring(CONFIG_PREFIX.length()), props.getProperty(k));
                }
                out.add(new Entry(n.substring(0, n.length() - SUFFIX.length()), Uuid.fromString(props.getProperty("topic.id")),
                    Integer.parseInt(props.getProperty("partitions")), overrides));
            }
        }
        return out;
    }

    void write(Entry e) throws IOException {
        Files.createDirectories(dir);
        Properties props = new Properties();
        props.setProperty("topic.id", e.topicId().toString());
        props.setProperty("partitions", Integer.toString(e.partitions()));
        e.overrides().forEach((k, v) -> props.setProperty(CONFIG_PREFIX + k, v));
        StringWriter w = new StringWriter();
        props.store(w, "Tributary topic " + e.name());
        PartitionCheckpoint.writeAtomically(dir.resolve(e.name() + SUFFIX), w.toString().getBytes(StandardCharsets.UTF_8));
        org.apache.kafka.common.utils.Utils.flushDir(dir);
    }

    void delete(String name) throws IOException {
        Files.deleteIfExists(dir.resolve(name + SUFFIX));
        org.apache.kafka.common.utils.Utils.flushDir(dir);
    }
}
