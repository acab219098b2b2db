package io.tributary.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class FollowerAppendTest {
    static final long PID = 4242L;
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    private PartitionLog openAt(String name, LogConfig cfg, boolean clean) throws Exception {
        return PartitionLog.open(dir.resolve(name), TP, cfg, time, DIRECT, clean);
    }

    /** The leader's batches from {@code offset}, as a replica fetch reads them (up to the log end), on the heap. */
    static MemoryRecords fetch(PartitionLog leader, long offset, int maxBytes) throws Exception {
        FetchDataInfo info = leader.read(offset, maxBytes, true, FetchIsolation.LOG_END);
        return MemoryRecords.readableRecords(bytesOf(info.records()));
    }

    /** Replicates everything the leader has, one fetch of at most {@code maxBytes} at a time. */
    static void replicate(PartitionLog leader, PartitionLog follower, int maxBytes) throws Exception {
        while (follower.logEndOffset() < leader.logEndOffset()) {
            follower.appendAsFollower(fetch(leader, follower.logEndOffset(), maxBytes));
        }
    }

    /** The logical log: every segment's bytes, in order (segment boundaries may differ between replicas). */
    static byte[] logBytes(PartitionLog log) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (LogSegment s : log.segmentsSnapshot()) out.write(Files.readAllBytes(s.log().file().toPath()));
        return out.toByteArray();
    }

    /** Batches as a leader would have written them: offsets from {@code base}, stamped with {@code epoch}. */
    static MemoryRecords at(MemoryRecords r, long base, int epoch) {
        long next = base;
        for (MutableRecordBatch b : r.batches()) {
            long last = next + (b.lastOffset() - b.baseOffset());
            b.setLastOffset(last);
            b.setPartitionLeaderEpoch(epoch);
            next = last + 1;
        }
        return r;
    }

    @Test
    void followerLogIsByteIdenticalToTheLeadersWithItsOffsetsAndEpochs() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024");
        try (PartitionLog leader = openAt("leader", cfg, true); PartitionLog follower = openAt("follower", cfg, true)) {
            leader.appendAsLeader(batch(T0, 3), 0);
            leader.appendAsLeader(idempotent(PID, (short) 0, 0, T0 + 1, 4), 0);
            leader.appendAsLeader(batch(Compression.gzip().build(), T0 + 2, 5), 3);
            for (int i = 0; i < 12; i++) leader.appendAsLeader(idempotent(PID, (short) 0, 4 + 2 * i, T0 + 3 + i, 2), i < 6 ? 3 : 7);
            assertTrue(leader.numberOfSegments() > 1, "the test wants several leader segments");

            replicate(leader, follower, 300);

            assertEquals(leader.logEndOffset(), follower.logEndOffset());
            assertArrayEquals(logBytes(leader), logBytes(follower), "the follower's log must be the leader's bytes");
            assertEquals(leader.epochCache().entries(), follower.epochCache().entries());
            assertEquals(java.util.List.of(new LeaderEpochFileCache.EpochEntry(0, 0), new LeaderEpochFileCache.EpochEntry(3, 7),
                new LeaderEpochFileCache.EpochEntry(7, 24)), follower.epochCache().entries());
            assertEquals(leader.producerStateEntry(PID).lastSeq(), follower.producerStateEntry(PID).lastSeq());
            assertEquals(leader.offsetForTimestamp(T0 + 5).orElseThrow().offset, follower.offsetForTimestamp(T0 + 5).orElseThrow().offset);
        }
    }

    @Test
    void followerAppendReturnsTheLeadersOffsetsAndTimestamps() throws Exception {
        try (PartitionLog follower = openAt("follower", config(), true)) {
            LogAppendInfo info = follower.appendAsFollower(at(batch(T0 + 7, 4), 0, 2));
            assertEquals(0, info.firstOffset());
            assertEquals(3, info.lastOffset());
            assertEquals(T0 + 7, info.maxTimestamp());
            assertEquals(4, info.numMessages());
            assertFalse(info.duplicate());
            assertEquals(4, follower.logEndOffset());
            assertEquals(2, follower.latestEpoch());
        }
    }

    @Test
    void appendNotStartingAtTheLogEndIsRefusedAndWritesNothing() throws Exception {
        try (PartitionLog follower = openAt("follower", config(), true)) {
            follower.appendAsFollower(at(batch(T0, 3), 0, 0));
            long size = follower.sizeInBytes();
            UnexpectedAppendOffsetException below = assertThrows(UnexpectedAppendOffsetException.class,
                () -> follower.appendAsFollower(at(batch(T0, 2), 2, 0)));
            assertEquals(2, below.firstOffset());
            assertEquals(3, below.logEndOffset());
            assertTrue(below.getMessage().contains("log end offset is 3"), below.getMessage());
            assertThrows(UnexpectedAppendOffsetException.class, () -> follower.appendAsFollower(at(batch(T0, 2), 5, 0)));
            assertEquals(size, follower.sizeInBytes());
            assertEquals(3, follower.logEndOffset());
        }
    }

    @Test
    void compactedTopicAcceptsTheGapACleanerLeftOnTheLeader() throws Exception {
        try (PartitionLog follower = openAt("follower", config(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"), true)) {
            follower.appendAsFollower(at(batch(T0, 3), 0, 0));
            follower.appendAsFollower(at(batch(T0, 2), 10, 0));
            assertEquals(12, follower.logEndOffset());
            java.util.List<long[]> batches = offsets(follower.read(0, 1 << 20, true, FetchIsolation.LOG_END).records());
            assertEquals(2, batches.size());
            assertArrayEquals(new long[] {10, 11}, batches.get(1));
        }
    }

    @Test
    void corruptOrOverlappingBatchesAreRefused() throws Exception {
        try (PartitionLog follower = openAt("follower", config(), true)) {
            MemoryRecords corrupt = at(batch(T0, 3), 0, 0);
            ByteBuffer buf = corrupt.buffer();
            buf.put(buf.limit() - 1, (byte) (buf.get(buf.limit() - 1) ^ 0x5a));
            assertThrows(CorruptRecordException.class, () -> follower.appendAsFollower(corrupt));

            ByteBuffer two = ByteBuffer.allocate(1000);
            two.put(at(batch(T0, 3), 0, 0).buffer()).put(at(batch(T0, 3), 1, 0).buffer()).flip();
            assertThrows(InvalidRecordException.class, () -> follower.appendAsFollower(MemoryRecords.readableRecords(two)));
            assertEquals(0, follower.logEndOffset());
            assertEquals(0, follower.sizeInBytes());
        }
    }

    @Test
    void followerTakesProducerStateFromTheBatchesWithoutSequenceChecks() throws Exception {
        try (PartitionLog follower = openAt("follower", config(), true)) {
            follower.appendAsFollower(at(idempotent(PID, (short) 0, 0, T0, 3), 0, 0));
            // a sequence gap and a repeat of an earlier sequence: the leader decided, the follower copies
            follower.appendAsFollower(at(idempotent(PID, (short) 0, 10, T0, 2), 3, 0));
            follower.appendAsFollower(at(idempotent(PID, (short) 0, 0, T0, 3), 5, 0));
            // an older producer epoch is only logged
            follower.appendAsFollower(at(idempotent(PID, (short) 2, 0, T0, 1), 8, 0));
            follower.appendAsFollower(at(idempotent(PID, (short) 1, 7, T0, 1), 9, 0));
            assertEquals(10, follower.logEndOffset());
            ProducerStateEntry e = follower.producerStateEntry(PID);
            assertEquals(1, e.epoch());
            assertEquals(7, e.lastSeq());
            assertEquals(9, e.batches().peekLast().lastOffset());
        }
    }

    @Test
    void followerAppendRollsAndFlushesAsTheLeaderPathDoes() throws Exception {
        LogConfig cfg = config(TopicConfig.SEGMENT_BYTES_CONFIG, "1024", TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, "1");
        try (PartitionLog follower = openAt("follower", cfg, true)) {
            long next = 0;
            for (int i = 0; i < 20; i++) {
                follower.appendAsFollower(at(batch(T0, 3), next, 1));
                assertNotNull(follower.takeAppendFlush(), "flush.messages=1 flushes every append");
                next += 3;
            }
            assertTrue(follower.numberOfSegments() > 1, "segment.bytes rolls follower segments");
            assertEquals(next, follower.recoveryPoint());
        }
        try (PartitionLog reopened = openAt("follower", cfg, false)) {
            assertEquals(60, reopened.logEndOffset());
            assertEquals(1, reopened.latestEpoch());
        }
    }

    @Test
    void batchesWithoutALeaderEpochAreAppendedButNotRecorded() throws Exception {
        try (PartitionLog follower = openAt("follower", config(), true)) {
            follower.appendAsFollower(at(batch(T0, 2), 0, RecordBatch.NO_PARTITION_LEADER_EPOCH));
            assertEquals(2, follower.logEndOffset());
            assertEquals(-1, follower.latestEpoch());
        }
    }
}
