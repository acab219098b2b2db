package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

/**
 * All partition logs of one data directory, plus the topic catalog.
 *
 * <p>On disk under {@code dataDir}: {@code <topic>-<partition>/} per partition (see {@link PartitionLog};
 * the name is split at the last '-'), {@code meta/topics/<topic>.properties} (see {@link TopicCatalog}),
 * {@code meta/clean-shutdown}, an empty marker written after every log closed cleanly and removed
 * at startup, whose presence lets recovery skip full re-validation, and {@code replication-offset-checkpoint}
 * (see {@link ReplicationOffsetCheckpoint}), the high watermarks of partitions that do not follow their log end,
 * written by {@link #checkpointHighWatermarks()} and restored into each partition at startup.
 *
 * <p>Threading: catalog methods are synchronized (admin requests arrive from several threads) and
 * do blocking I/O, so call them from a worker; {@link #partition} and {@link #allPartitions} are
 * lock-free. Each returned {@link PartitionLog} remains single-owner.
 *
 * <p>Owns the {@link LogCleaner} (started in {@link #startup()} when {@code log.cleaner.enable}, stopped
 * first in {@link #shutdown()}); every partition gets it, and compacts itself when its topic's
 * {@code cleanup.policy} includes {@code compact}.
 */
public final class LogManager implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogManager.class);
    static final String CLEAN_SHUTDOWN_FILE = "clean-shutdown";
    /** Upper bound on partitions per topic, to refuse requests that would exhaust file handles. */
    public static final int MAX_PARTITIONS_PER_TOPIC = 10_000;

    private final Path dataDir;
    private volatile LogConfig brokerDefaults;
    private final Time time;
    private final Executor ioExecutor;
    private final TopicCatalog catalog;
    private final LogCleaner.Config cleanerConfig;
    private LogCleaner cleaner;
    private final Map<String, TopicInfo> topics = new ConcurrentHashMap<>();
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private boolean hadCleanShutdown;
    private volatile Map<String, TopicInfo> topicsView = Map.of();
    private volatile Map<Uuid, TopicInfo> byIdView = Map.of();
    /** Guards replication-offset-checkpoint: the entries last written, and whether shutdown has passed. */
    private final Object hwCheckpointLock = new Object();
    private Map<TopicPartition, Long> lastHwCheckpoint = Map.of();
    private boolean hwCheckpointClosed;

    public LogManager(Path dataDir, LogConfig brokerDefaults, Time time, Executor ioExecutor) {
        this(dataDir, brokerDefaults, time, ioExecutor, LogCleaner.Config.defaults());
    }

    public LogManager(Path dataDir, LogConfig brokerDefaults, Time time, Executor ioExecutor, LogCleaner.Config cleanerConfig) {
        this.cleanerConfig = cleanerConfig;
        this.dataDir = dataDir;
        this.brokerDefaults = brokerDefaults;
        this.time = time;
        this.ioExecutor = ioExecutor;
        this.catalog = new TopicCatalog(dataDir);
    }

    /** Blocking: reads the catalog, consumes the clean-shutdown marker, opens (recovers) every partition. */
    public synchronized void startup() throws IOException {
        Files.createDirectories(dataDir.resolve("meta"));
        Path marker = dataDir.resolve("meta").resolve(CLEAN_SHUTDOWN_FILE);
        hadCleanShutdown = Files.exists(marker);
        if (cleanerConfig.enable() && cleaner == null) cleaner = LogCleaner.start(cleanerConfig, time);
        Map<TopicPartition, Long> restoredHw = ReplicationOffsetCheckpoint.read(dataDir);
        synchronized (hwCheckpointLock) {
            lastHwCheckpoint = Map.copyOf(restoredHw);
            hwCheckpointClosed = false;
        }
        for (TopicCatalog.Entry e : catalog.readAll()) {
            LogConfig cfg;
            try {
                cfg = LogConfig.fromOverrides(brokerDefaults, e.overrides());
            } catch (ConfigException ex) {
                log.warn("Topic {}: stored config overrides no longer valid ({}); using broker defaults", e.name(), ex.getMessage());
                cfg = brokerDefaults;
            }
            TopicInfo info = new TopicInfo(e.name(), e.topicId(), e.partitions(), e.overrides(), cfg);
            topics.put(e.name(), info);
            publish();
            for (int p = 0; p < e.partitions(); p++) {
                TopicPartition tp = new TopicPartition(e.name(), p);
                PartitionLog pl = openPartition(tp, cfg, true);
                Long hw = restoredHw.get(tp);
                if (hw != null) pl.restoreHighWatermark(hw);
            }
        }
        removeStrayPartitionDirs();
        // Removed only after every log is open: a crash during startup must recover again.
        Files.deleteIfExists(marker);
        Utils.flushDir(marker.getParent());
        log.info("Log manager started: {} topics, {} partitions, clean shutdown: {}", topics.size(), logs.size(), hadCleanShutdown);
    }

    private PartitionLog openPartition(TopicPartition tp, LogConfig cfg, boolean logSummary) throws IOException {
        LogLoader.Result[] r = new LogLoader.Result[1];
        PartitionLog pl = PartitionLog.open(partitionDir(tp), tp, cfg, time, ioExecutor, cleaner, hadCleanShutdown, r);
        if (logSummary && r[0].neededRecovery()) {
            log.info("Recovered {}: log end offset {}, {} bytes truncated, {} indexes rebuilt, {} segments dropped, {} segments re-validated",
                tp, pl.logEndOffset(), r[0].truncatedBytes(), r[0].rebuiltIndexes(), r[0].droppedSegments(), r[0].validatedSegments());
        }
        logs.put(tp, pl);
        return pl;
    }

    Path partitionDir(TopicPartition tp) { return dataDir.resolve(tp.topic() + "-" + tp.partition()); }

    /** The one log directory (Kafka's {@code log.dirs} with one entry). */
    public Path dataDir() { return dataDir; }

    /** Parses {@code <topic>-<partition>} at the last '-'; null if the name does not fit. */
    static TopicPartition parsePartitionDir(String name) {
        int i = name.lastIndexOf('-');
        if (i <= 0 || i == name.length() - 1) return null;
        try {
            return new TopicPartition(name.substring(0, i), Integer.parseInt(name.substring(i + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A partition directory not in the catalog is what a crash during topic deletion leaves behind. */
    private void removeStrayPartitionDirs() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(dataDir)) {
            dirs = s.filter(Files::isDirectory).toList();
        }
        for (Path d : dirs) {
            TopicPartition tp = parsePartitionDir(d.getFileName().toString());
            if (tp != null && !logs.containsKey(tp)) {
                log.warn("Removing partition directory {} which is not in the topic catalog", d);
                Utils.delete(d.toFile());
            }
        }
    }

    /** An immutable, name-ordered snapshot; cheap (no copy), so request handlers may call it per request. */
    public Map<String, TopicInfo> topics() { return topicsView; }
    /** The topic with this id, or null: newer Produce/Fetch/Metadata versions address topics by id. */
    public TopicInfo topicById(Uuid id) { return id == null ? null : byIdView.get(id); }
    public TopicInfo topic(String name) { return topics.get(name); }
    public LogConfig brokerDefaults() { return brokerDefaults; }

    public Time time() { return time; }
    public PartitionLog partition(TopicPartition tp) { return logs.get(tp); }
    private void publish() {
        Map<String, TopicInfo> sorted = Collections.unmodifiableMap(new TreeMap<>(topics));
        Map<Uuid, TopicInfo> byId = new HashMap<>();
        sorted.values().forEach(t -> byId.put(t.topicId(), t));
        topicsView = sorted;
        byIdView = Map.copyOf(byId);
    }

    public Collection<PartitionLog> allPartitions() { return List.copyOf(logs.values()); }

    public synchronized TopicInfo createTopic(String name, int partitions, Map<String, String> configOverrides, boolean validateOnly) {
        return createTopic(name, Uuid.randomUuid(), partitions, configOverrides, validateOnly);
    }

    /**
     * A topic with the id the cluster chose (from its znode), so every replica has the same one. Creating it
     * again with the same id and partition count returns the existing topic (a broker re-learning its
     * assignment); with another id it fails with TOPIC_ALREADY_EXISTS (the old one must be deleted first).
     */
    public TopicInfo createTopic(String name, Uuid topicId, int partitions, Map<String, String> configOverrides) {
        return createTopic(name, topicId, partitions, configOverrides, false);
    }

    /** As above, or only validated; the single-node path passes a random id. */
    public synchronized TopicInfo createTopic(String name, Uuid topicId, int partitions, Map<String, String> configOverrides,
                                              boolean validateOnly) {
        if (topicId == null || Uuid.ZERO_UUID.equals(topicId)) throw new InvalidTopicException("Topic id of '" + name + "' is not set");
        Topic.validate(name);
        TopicInfo current = topics.get(name);
        if (current != null && current.topicId().equals(topicId) && current.partitions() == partitions) return current;
        if (current != null) throw new TopicExistsException("Topic '" + name + "' already exists.");
        TopicInfo sameId = byIdView.get(topicId);
        if (sameId != null) throw new TopicExistsException("Topic id " + topicId + " is already used by topic '" + sameId.name() + "'");
        for (String existing : topics.keySet()) {
            if (Topic.hasCollision(name, existing)) {
                throw new InvalidTopicException("Topic '" + name + "' collides with existing topic '" + existing + "'");
            }
        }
        checkPartitionCount(partitions);
        LogConfig cfg = parseConfig(configOverrides);
        TopicInfo info = new TopicInfo(name, topicId, partitions, configOverrides, cfg);
        if (validateOnly) return info;
        try {
            for (int p = 0; p < partitions; p++) {
                Path d = partitionDir(new TopicPartition(name, p));
                if (Files.exists(d)) Utils.delete(d.toFile()); // leftover of an earlier topic with this name
            }
            catalog.write(new TopicCatalog.Entry(name, info.topicId(), partitions, info.configOverrides()));
            topics.put(name, info);
            publish();
            for (int p = 0; p < partitions; p++) openPartition(new TopicPartition(name, p), cfg, false);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot create topic " + name, e);
        }
        return info;
    }

    private static void checkPartitionCount(int partitions) {
        if (partitions < 1) throw new InvalidPartitionsException("Number of partitions must be at least 1, got " + partitions);
        if (partitions > MAX_PARTITIONS_PER_TOPIC) {
            throw new InvalidPartitionsException("Number of partitions " + partitions + " exceeds the limit " + MAX_PARTITIONS_PER_TOPIC);
        }
    }

    private LogConfig parseConfig(Map<String, String> overrides) {
        try {
            return LogConfig.fromOverrides(brokerDefaults, overrides);
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    /** Removes the topic from the catalog; the caller closes-and-deletes each returned log on its owner thread. */
    public synchronized List<PartitionLog> deleteTopic(String name) {
        TopicInfo info = topics.get(name);
        if (info == null) throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        try {
            catalog.delete(name);
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot delete topic " + name, e);
        }
        topics.remove(name);
        publish();
        List<PartitionLog> removed = new ArrayList<>();
        for (int p = 0; p < info.partitions(); p++) {
            PartitionLog pl = logs.remove(new TopicPartition(name, p));
            if (pl != null) removed.add(pl);
        }
        return removed;
    }

    public synchronized List<PartitionLog> createPartitions(String name, int newTotalCount, boolean validateOnly) {
        TopicInfo info = topics.get(name);
        if (info == null) throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        if (newTotalCount <= info.partitions()) {
            throw new InvalidPartitionsException("Topic currently has " + info.partitions() + " partitions, which is higher than or equal to the requested " + newTotalCount + ".");
        }
        checkPartitionCount(newTotalCount);
        if (validateOnly) return List.of();
        TopicInfo updated = new TopicInfo(name, info.topicId(), newTotalCount, info.configOverrides(), info.config());
        List<PartitionLog> created = new ArrayList<>();
        try {
            catalog.write(new TopicCatalog.Entry(name, info.topicId(), newTotalCount, info.configOverrides()));
            topics.put(name, updated);
            publish();
            for (int p = info.partitions(); p < newTotalCount; p++) {
                TopicPartition tp = new TopicPartition(name, p);
                Path d = partitionDir(tp);
                if (Files.exists(d)) Utils.delete(d.toFile());
                created.add(openPartition(tp, info.config(), false));
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot create partitions for " + name, e);
        }
        return created;
    }

    /** Replaces all topic-level overrides; persists; every partition sees the new config (volatile swap). */
    /**
     * Applies new broker-level topic defaults (dynamic broker configuration): every topic's effective
     * config is recomputed from its own overrides over the new defaults, and new topics use them.
     * Throws InvalidConfigurationException, changing nothing, if a topic's overrides would not be valid
     * over the new defaults. Nothing on disk changes here: the caller persists the broker layers.
     */
    public synchronized void updateBrokerDefaults(LogConfig defaults, boolean validateOnly) {
        Map<String, LogConfig> recomputed = new HashMap<>();
        for (TopicInfo t : topics.values()) {
            try {
                recomputed.put(t.name(), LogConfig.fromOverrides(defaults, t.configOverrides()));
            } catch (ConfigException e) {
                throw new InvalidConfigurationException("Topic " + t.name() + " would be invalid: " + e.getMessage());
            }
        }
        if (validateOnly) return;
        brokerDefaults = defaults;
        for (TopicInfo t : List.copyOf(topics.values())) {
            LogConfig cfg = recomputed.get(t.name());
            topics.put(t.name(), new TopicInfo(t.name(), t.topicId(), t.partitions(), t.configOverrides(), cfg));
            for (int p = 0; p < t.partitions(); p++) {
                PartitionLog pl = logs.get(new TopicPartition(t.name(), p));
                if (pl != null) pl.updateConfig(cfg);
            }
        }
        publish();
    }

    public synchronized TopicInfo alterTopicConfig(String name, Map<String, String> newOverrides, boolean validateOnly) {
        TopicInfo info = topics.get(name);
        if (info == null) throw new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist.");
        LogConfig cfg = parseConfig(newOverrides);
        TopicInfo updated = new TopicInfo(name, info.topicId(), info.partitions(), newOverrides, cfg);
        if (validateOnly) return updated;
        try {
            catalog.write(new TopicCatalog.Entry(name, info.topicId(), info.partitions(), updated.configOverrides()));
        } catch (IOException e) {
            throw new KafkaStorageException("Cannot alter config of " + name, e);
        }
        topics.put(name, updated);
        publish();
        for (int p = 0; p < info.partitions(); p++) {
            PartitionLog pl = logs.get(new TopicPartition(name, p));
            if (pl != null) pl.updateConfig(cfg);
        }
        return updated;
    }

    /**
     * Writes {@code replication-offset-checkpoint} with the high watermark of every partition that does not
     * follow its log end (and restored values not yet applied), when that set changed since the last write.
     * Blocking (fsync): call it from a worker. {@link LogService} does every
     * {@code replica.high.watermark.checkpoint.interval.ms}; {@link #shutdown()} does last.
     */
    public void checkpointHighWatermarks() throws IOException {
        synchronized (hwCheckpointLock) {
            if (hwCheckpointClosed) return;
            Map<TopicPartition, Long> entries = new HashMap<>();
            for (PartitionLog pl : logs.values()) {
                long hw = pl.highWatermarkToCheckpoint();
                if (hw >= 0) entries.put(pl.topicPartition(), hw);
            }
            if (entries.equals(lastHwCheckpoint)) return;
            ReplicationOffsetCheckpoint.write(dataDir, entries);
            lastHwCheckpoint = entries;
        }
    }

    /** Closes every log (flush, checkpoints), then writes the clean-shutdown marker if all succeeded. */
    public synchronized void shutdown() {
        try {
            checkpointHighWatermarks();
        } catch (IOException e) {
            log.error("Cannot write {}; the next start uses the previous high watermarks", ReplicationOffsetCheckpoint.FILE, e);
        }
        synchronized (hwCheckpointLock) {
            hwCheckpointClosed = true;
        }
        if (cleaner != null) {
            cleaner.close(); // rounds in flight stop at their next chunk; their .cleaned files are discarded
            cleaner = null;
        }
        boolean clean = true;
        for (PartitionLog pl : logs.values()) {
            try {
                pl.close();
            } catch (IOException | RuntimeException e) {
                clean = false;
                log.error("Closing {} failed; next startup will run recovery", pl.topicPartition(), e);
            }
        }
        logs.clear();
        topics.clear();
        if (clean) {
            try {
                Path marker = dataDir.resolve("meta").resolve(CLEAN_SHUTDOWN_FILE);
                Files.createDirectories(marker.getParent());
                PartitionCheckpoint.writeAtomically(marker, new byte[0]);
                Utils.flushDir(marker.getParent());
            } catch (IOException e) {
                log.error("Cannot write clean-shutdown marker", e);
            }
        }
    }

    @Override public void close() { shutdown(); }

    /** Whether the last startup found the clean-shutdown marker. */
    public synchronized boolean hadCleanShutdown() { return hadCleanShutdown; }
}
