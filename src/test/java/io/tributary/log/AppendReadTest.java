package io.tributary.log;

import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class AppendReadTest {
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    @Test
    void appendAssignsConsecutiveOffsetsAndLeaderEpoch() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            LogAppendInfo a = log.appendAsLeader(batch(T0, 3), 7);
            LogAppendInfo b = log.appendAsLeader(batch(T0, 2), 7);
            assertEquals(0, a.firstOffset());
            assertEquals(2, a.lastOffset());
            assertEquals(3, a.numMessages());
            assertEquals(-1, a.logAppendTime());
            assertEquals(3, b.firstOffset());
            assertEquals(4, b.lastOffset());
            assertEquals(5, log.logEndOffset());
            assertEquals(5, log.highWatermark(), "single-node HW follows the log end");
            FetchDataInfo f = log.read(0, 1 << 20, false);
            assertEquals(7, f.records().batches().iterator().next().partitionLeaderEpoch());
            assertEquals(2, offsets(f.records()).size());
        }
    }

    @Test
    void readFromMiddleOfBatchReturnsWholeBatch() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            for (int i = 0; i < 5; i++) log.appendAsLeader(batch(T0, 4), 0); // batches 0-3,4-7,...,16-19
            FetchDataInfo f = log.read(6, 1 << 20, false);
            List<long[]> o = offsets(f.records());
            assertEquals(4, o.get(0)[0], "fetch of offset 6 must start at the batch holding it");
            assertEquals(4, o.size());
            assertEquals(f.sizeInBytes(), f.records().sizeInBytes());
            assertNotNull(f.channel());
            assertEquals(20, f.logEndOffset());
        }
    }

    @Test
    void maxBytesNeverSplitsBatchesAndMinOneMessageReturnsOversizedFirstBatch() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            int size = log.appendAsLeader(batch(T0, 10), 0).validBytes();
            log.appendAsLeader(batch(T0, 10), 0);
            FetchDataInfo one = log.read(0, size + size / 2, false);
            assertEquals(size, one.sizeInBytes(), "only whole batches fit");
            FetchDataInfo none = log.read(0, size - 1, false);
            assertEquals(0, none.sizeInBytes());
            assertNull(none.channel());
            assertSame(MemoryRecords.EMPTY, none.records());
            FetchDataInfo forced = log.read(0, 1, true);
            assertEquals(size, forced.sizeInBytes(), "minOneMessage returns the first whole batch");
        }
    }

    @Test
    void readOutsideLogThrowsOffsetOutOfRangeAndAtEndIsEmpty() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(batch(T0, 3), 0);
            assertThrows(OffsetOutOfRangeException.class, () -> log.read(4, 1000, true));
            assertThrows(OffsetOutOfRangeException.class, () -> log.read(-1, 1000, true));
            assertEquals(0, log.read(3, 1000, true).sizeInBytes());
        }
    }

    @Test
    void readStopsAtHighWatermarkWhenReplicationDrivesIt() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.setHighWatermarkFollowsLogEnd(false);
            log.appendAsLeader(batch(T0, 3), 0);
            assertEquals(0, log.read(0, 1 << 20, true).sizeInBytes(), "nothing is committed yet");
            log.appendAsLeader(batch(T0, 3), 0);
            log.updateHighWatermark(3);
            assertEquals(1, offsets(log.read(0, 1 << 20, true).records()).size());
        }
    }
}
