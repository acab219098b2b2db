package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** replication-offset-checkpoint (Kafka's format) and topics created with the cluster's topic id. */
class HighWatermarkCheckpointTest {
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);
    static final TopicPartition P0 = new TopicPartition("orders", 0);
    static final TopicPartition P1 = new TopicPartition("orders", 1);

    private LogManager start() throws Exception {
        LogManager m = new LogManager(dir, LogConfig.brokerDefaults(Map.of(LogConfig.UNSAFE_SMALL_SEGMENTS, "true")), time, DIRECT);
        m.startup();
        return m;
    }

    private Path file() { return dir.resolve("replication-offset-checkpoint"); }

    private static void append(PartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) log.appendAsLeader(batch(T0, 1), 0);
    }

    @Test
    void highWatermarksRoundTripInKafkasFormatAndComeBackAtRestart() throws Exception {
        LogManager m = start();
        Uuid id = Uuid.randomUuid();
        m.createTopic("orders", id, 2, Map.of());
        m.createTopic("single", 1, Map.of(), false);
        PartitionLog p0 = m.partition(P0), p1 = m.partition(P1);
        p0.setHighWatermarkFollowsLogEnd(false);
        p1.setHighWatermarkFollowsLogEnd(false);
        append(p0, 5);
        append(p1, 2);
        append(m.partition(new TopicPartition("single", 0)), 4);
        p0.updateHighWatermark(3);
        m.checkpointHighWatermarks();
        assertEquals("0\n2\norders 0 3\norders 1 0\n", Files.readString(file()),
            "one line per replicated partition; a single-node partition (HW follows LEO) has none");
        p1.updateHighWatermark(2);
        m.shutdown();
        assertEquals("0\n2\norders 0 3\norders 1 2\n", Files.readString(file()), "written last at shutdown");

        LogManager again = start();
        assertEquals(id, again.topic("orders").topicId());
        PartitionLog r0 = again.partition(P0), r1 = again.partition(P1), single = again.partition(new TopicPartition("single", 0));
        assertEquals(5, r0.highWatermark(), "until the cluster takes the partition over, the HW follows the log end");
        r0.setHighWatermarkFollowsLogEnd(false);
        r1.setHighWatermarkFollowsLogEnd(false);
        single.setHighWatermarkFollowsLogEnd(false);
        assertEquals(3, r0.highWatermark());
        assertEquals(2, r1.highWatermark());
        assertEquals(0, single.highWatermark(), "no entry: the HW starts at the log start, as Kafka's checkpoint-or-0");
        again.shutdown();
    }

    @Test
    void aCheckpointAboveTheRecoveredLogEndIsClampedToIt() throws Exception {
        LogManager m = start();
        m.createTopic("orders", Uuid.randomUuid(), 1, Map.of());
        append(m.partition(P0), 5);
        m.shutdown();
        Files.writeString(file(), "0\n1\norders 0 100\n");
        LogManager again = start();
        PartitionLog p0 = again.partition(P0);
        p0.setHighWatermarkFollowsLogEnd(false);
        assertEquals(5, p0.highWatermark());
        again.shutdown();
    }

    @Test
    void restoredValuesNotYetAppliedAreKeptByTheNextCheckpoint() throws Exception {
        LogManager m = start();
        m.createTopic("orders", Uuid.randomUuid(), 2, Map.of());
        m.partition(P0).setHighWatermarkFollowsLogEnd(false);
        append(m.partition(P0), 4);
        m.partition(P0).updateHighWatermark(4);
        m.shutdown();
        LogManager again = start();
        append(again.partition(P0), 3); // still following its log end: HW 7 in memory
        again.checkpointHighWatermarks();
        assertEquals("0\n1\norders 0 4\n", Files.readString(file()), "the restored 4, not the log end 7");
        again.shutdown();
    }

    @Test
    void aSingleNodeNeverWritesTheFile() throws Exception {
        LogManager m = start();
        m.createTopic("orders", 2, Map.of(), false);
        append(m.partition(P0), 3);
        m.checkpointHighWatermarks();
        m.shutdown();
        assertFalse(Files.exists(file()));
    }

    @Test
    void aDeletedTopicLeavesTheFile() throws Exception {
        LogManager m = start();
        m.createTopic("orders", Uuid.randomUuid(), 1, Map.of());
        m.partition(P0).setHighWatermarkFollowsLogEnd(false);
        m.checkpointHighWatermarks();
        assertEquals("0\n1\norders 0 0\n", Files.readString(file()));
        for (PartitionLog pl : m.deleteTopic("orders")) pl.closeAndDelete();
        m.checkpointHighWatermarks();
        assertEquals("0\n0\n", Files.readString(file()));
        m.shutdown();
    }

    @Test
    void formatSortsByTopicThenPartitionAndReadParsesKafkasFile() throws Exception {
        Map<TopicPartition, Long> entries = Map.of(new TopicPartition("b", 10), 7L, new TopicPartition("b", 2), 9L,
            new TopicPartition("a", 0), 0L);
        assertEquals("0\n3\na 0 0\nb 2 9\nb 10 7\n", ReplicationOffsetCheckpoint.format(entries));
        ReplicationOffsetCheckpoint.write(dir, entries);
        assertEquals(entries, ReplicationOffsetCheckpoint.read(dir));
        Files.writeString(file(), "0\n2\n__consumer_offsets 3 120\norders 0 5\n");
        assertEquals(Map.of(new TopicPartition("__consumer_offsets", 3), 120L, P0, 5L), ReplicationOffsetCheckpoint.read(dir));
        Files.writeString(file(), "0\n2\norders 0 5\n");
        assertEquals(Map.of(), ReplicationOffsetCheckpoint.read(dir), "a damaged file is ignored: HWs start at the log start");
    }

    @Test
    void aTopicCreatedWithTheClustersIdKeepsItAndCreatingItAgainIsIdempotent() throws Exception {
        LogManager m = start();
        Uuid id = Uuid.randomUuid();
        TopicInfo t = m.createTopic("orders", id, 2, Map.of("retention.ms", "1000"));
        assertEquals(id, t.topicId());
        assertEquals(1000L, t.config().retentionMs());
        assertSame(t, m.createTopic("orders", id, 2, Map.of()), "the same id and count: the existing topic");
        assertEquals(t, m.topicById(id));
        assertThrows(TopicExistsException.class, () -> m.createTopic("orders", Uuid.randomUuid(), 2, Map.of()));
        assertThrows(TopicExistsException.class, () -> m.createTopic("orders", id, 3, Map.of()));
        assertThrows(TopicExistsException.class, () -> m.createTopic("other", id, 1, Map.of()), "an id names one topic");
        assertThrows(InvalidTopicException.class, () -> m.createTopic("zero", Uuid.ZERO_UUID, 1, Map.of()));
        assertNotEquals(id, m.createTopic("random", 1, Map.of(), false).topicId());
        m.shutdown();
        LogManager again = start();
        assertEquals(id, again.topic("orders").topicId());
        again.shutdown();
    }
}
