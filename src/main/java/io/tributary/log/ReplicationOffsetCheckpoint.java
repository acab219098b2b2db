package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The high watermarks of a data directory's replicated partitions: Kafka's {@code replication-offset-checkpoint}
 * ({@code OffsetCheckpointFile}), byte for byte, at the data directory's root:
 * <pre>
 * 0                 version
 * 2                 number of entries
 * orders 0 1200     topic partition highWatermark
 * orders 1 980
 * </pre>
 * (lines end with '\n'; entries sorted by topic, then partition, so an unchanged set writes the same bytes).
 * Written tmp + fsync + rename by {@link LogManager#checkpointHighWatermarks()} on a worker, periodically and at
 * clean shutdown; read at start-up. A partition whose high watermark follows its log end (single-node mode) has
 * no entry, so a single node never writes the file.
 *
 * <p>Stateless helpers; blocking I/O, so call them from a worker.
 */
final class ReplicationOffsetCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationOffsetCheckpoint.class);
    static final String FILE = "replication-offset-checkpoint";
    static final int VERSION = 0;

    private ReplicationOffsetCheckpoint() {}

    /** The entries, or an empty map when the file is absent or unreadable (every high watermark then starts at the log start). */
    static Map<TopicPartition, Long> read(Path dataDir) {
        Path f = dataDir.resolve(FILE);
        Map<TopicPartition, Long> out = new HashMap<>();
        if (!Files.exists(f)) return out;
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            if (lines.isEmpty()) return out;
            if (Integer.parseInt(lines.get(0).trim()) != VERSION) throw new IOException("version " + lines.get(0));
            int count = lines.size() < 2 ? 0 : Integer.parseInt(lines.get(1).trim());
            for (int i = 2; i < lines.size(); i++) {
                String[] parts = lines.get(i).trim().split("\\s+");
                if (parts.length != 3) throw new IOException("malformed line '" + lines.get(i) + "'");
                out.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
            }
            if (out.size() != count) throw new IOException("expected " + count + " entries, found " + out.size());
            return out;
        } catch (IOException | RuntimeException e) {
            // Kafka fails the log directory here; the safe reading for us is "nothing known is committed".
            LOG.warn("Ignoring unreadable {} ({}): high watermarks start at the log start", f, e.toString());
            return new HashMap<>();
        }
    }

    /** Kafka's text for these entries, sorted. */
    static String format(Map<TopicPartition, Long> entries) {
        TreeMap<String, TreeMap<Integer, Long>> sorted = new TreeMap<>();
        entries.forEach((tp, hw) -> sorted.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).put(tp.partition(), hw));
        StringBuilder sb = new StringBuilder().append(VERSION).append('\n').append(entries.size()).append('\n');
        sorted.forEach((topic, parts) -> parts.forEach((p, hw) -> sb.append(topic).append(' ').append(p).append(' ').append(hw).append('\n')));
        return sb.toString();
    }

    static void write(Path dataDir, Map<TopicPartition, Long> entries) throws IOException {
        PartitionCheckpoint.writeAtomically(dataDir.resolve(FILE), format(entries).getBytes(StandardCharsets.UTF_8));
        Utils.flushDir(dataDir);
    }
}
