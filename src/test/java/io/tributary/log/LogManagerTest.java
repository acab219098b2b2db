package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class LogManagerTest {
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    private LogManager start() throws Exception {
        LogManager m = new LogManager(dir, LogConfig.brokerDefaults(Map.of(LogConfig.UNSAFE_SMALL_SEGMENTS, "true")), time, DIRECT);
        m.startup();
        return m;
    }

    @Test
    void createListAndDeleteTopics() throws Exception {
        LogManager m = start();
        TopicInfo t = m.createTopic("orders", 3, Map.of("retention.ms", "1000"), false);
        assertEquals(3, t.partitions());
        assertEquals(1000L, t.config().retentionMs());
        assertEquals(3, m.allPartitions().size());
        assertTrue(Files.isDirectory(dir.resolve("orders-2")));
        assertTrue(Files.exists(dir.resolve("meta/topics/orders.properties")));
        assertEquals(Map.of("orders", t), m.topics());
        assertThrows(TopicExistsException.class, () -> m.createTopic("orders", 1, Map.of(), false));

        List<PartitionLog> removed = m.deleteTopic("orders");
        assertEquals(3, removed.size());
        for (PartitionLog pl : removed) pl.closeAndDelete();
        assertNull(m.topic("orders"));
        assertNull(m.partition(new TopicPartition("orders", 0)));
        assertFalse(Files.exists(dir.resolve("orders-0")));
        assertThrows(UnknownTopicOrPartitionException.class, () -> m.deleteTopic("orders"));
        m.shutdown();
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        LogManager m = start();
        assertEquals(2, m.createTopic("dry", 2, Map.of(), true).partitions());
        assertNull(m.topic("dry"));
        assertFalse(Files.exists(dir.resolve("dry-0")));
        m.shutdown();
    }

    @Test
    void invalidNamesPartitionsAndConfigsAreRejected() throws Exception {
        LogManager m = start();
        assertThrows(InvalidTopicException.class, () -> m.createTopic("bad/name", 1, Map.of(), false));
        assertThrows(InvalidTopicException.class, () -> m.createTopic("..", 1, Map.of(), false));
        assertThrows(InvalidTopicException.class, () -> m.createTopic("x".repeat(250), 1, Map.of(), false));
        m.createTopic("a.b", 1, Map.of(), false);
        assertThrows(InvalidTopicException.class, () -> m.createTopic("a_b", 1, Map.of(), false), "'.' and '_' collide");
        assertThrows(InvalidPartitionsException.class, () -> m.createTopic("zero", 0, Map.of(), false));
        assertThrows(InvalidConfigurationException.class, () -> m.createTopic("cfg", 1, Map.of("retention.ms", "soon"), false));
        assertThrows(InvalidConfigurationException.class, () -> m.createTopic("cfg", 1, Map.of("bogus", "1"), false));
        assertNull(m.topic("cfg"));
        m.shutdown();
    }

    @Test
    void topicsAndDataSurviveRestart() throws Exception {
        LogManager m = start();
        TopicInfo t = m.createTopic("events", 2, Map.of("segment.bytes", "2048"), false);
        PartitionLog p1 = m.partition(new TopicPartition("events", 1));
        for (int i = 0; i < 5; i++) p1.appendAsLeader(batch(T0, 2), 0);
        m.shutdown();
        assertTrue(Files.exists(dir.resolve("meta").resolve(LogManager.CLEAN_SHUTDOWN_FILE)));

        LogManager again = start();
        assertTrue(again.hadCleanShutdown());
        assertFalse(Files.exists(dir.resolve("meta").resolve(LogManager.CLEAN_SHUTDOWN_FILE)), "marker consumed at startup");
        TopicInfo back = again.topic("events");
        assertEquals(t.topicId(), back.topicId());
        assertEquals(2, back.partitions());
        assertEquals(Map.of("segment.bytes", "2048"), back.configOverrides());
        assertEquals(2048L, back.config().segmentBytes());
        assertEquals(10, again.partition(new TopicPartition("events", 1)).logEndOffset());
        assertEquals(0, again.partition(new TopicPartition("events", 0)).logEndOffset());
        again.shutdown();
    }

    @Test
    void startupWithoutMarkerRunsRecovery() throws Exception {
        LogManager m = start();
        m.createTopic("e", 1, Map.of(), false);
        m.partition(new TopicPartition("e", 0)).appendAsLeader(batch(T0, 2), 0);
        m.shutdown();
        Files.delete(dir.resolve("meta").resolve(LogManager.CLEAN_SHUTDOWN_FILE));
        LogManager again = start();
        assertFalse(again.hadCleanShutdown());
        assertEquals(2, again.partition(new TopicPartition("e", 0)).logEndOffset());
        again.shutdown();
    }

    @Test
    void createPartitionsOnlyIncreases() throws Exception {
        LogManager m = start();
        m.createTopic("grow", 1, Map.of(), false);
        assertThrows(InvalidPartitionsException.class, () -> m.createPartitions("grow", 1, false));
        assertEquals(0, m.createPartitions("grow", 3, true).size());
        List<PartitionLog> added = m.createPartitions("grow", 3, false);
        assertEquals(List.of(new TopicPartition("grow", 1), new TopicPartition("grow", 2)),
            added.stream().map(PartitionLog::topicPartition).toList());
        assertEquals(3, m.topic("grow").partitions());
        m.shutdown();
        LogManager again = start();
        assertEquals(3, again.topic("grow").partitions());
        assertNotNull(again.partition(new TopicPartition("grow", 2)));
        again.shutdown();
    }

    @Test
    void alterTopicConfigReplacesOverridesAndUpdatesLogs() throws Exception {
        LogManager m = start();
        m.createTopic("c", 2, Map.of("retention.ms", "1000"), false);
        TopicInfo altered = m.alterTopicConfig("c", Map.of("cleanup.policy", "compact"), false);
        assertTrue(altered.config().isDefault("retention.ms"), "full replacement drops the old override");
        assertTrue(altered.config().compact());
        assertTrue(m.partition(new TopicPartition("c", 1)).config().compact());
        assertThrows(InvalidConfigurationException.class, () -> m.alterTopicConfig("c", Map.of("segment.ms", "0"), false));
        m.shutdown();
        LogManager again = start();
        assertEquals(Map.of("cleanup.policy", "compact"), again.topic("c").configOverrides());
        again.shutdown();
    }

    @Test
    void partitionDirectoryNamesSplitAtLastDash() {
        assertEquals(new TopicPartition("my-topic", 12), LogManager.parsePartitionDir("my-topic-12"));
        assertNull(LogManager.parsePartitionDir("meta"));
        assertNull(LogManager.parsePartitionDir("x-y"));
    }
}
