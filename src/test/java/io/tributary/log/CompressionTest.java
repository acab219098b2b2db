package io.tributary.log;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class CompressionTest {
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"GZIP", "SNAPPY", "LZ4", "ZSTD"})
    void compressedBatchIsStoredVerbatimApartFromBaseOffset(CompressionType type) throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(batch(T0, 2), 0); // so the compressed batch gets a non-zero base offset
            MemoryRecords sent = batch(Compression.of(type).build(), T0, 50);
            ByteBuffer expected = ByteBuffer.allocate(sent.sizeInBytes()).put(sent.buffer().duplicate());
            expected.flip();
            LogAppendInfo info = log.appendAsLeader(sent, RecordBatch.NO_PARTITION_LEADER_EPOCH);
            assertEquals(2, info.firstOffset());
            assertEquals(51, info.lastOffset());

            // What the producer sent, with only the base offset rewritten, must be what we read back.
            MutableRecordBatch eb = MemoryRecords.readableRecords(expected.duplicate()).batches().iterator().next();
            eb.setLastOffset(51);
            FetchDataInfo f = log.read(2, 1 << 20, true);
            assertEquals(expected, bytesOf(f.records()), type + " batch bytes differ");
            RecordBatch stored = f.records().batches().iterator().next();
            assertEquals(type, stored.compressionType());
            stored.ensureValid();
            long expectOffset = 2;
            for (Record r : stored) assertEquals(expectOffset++, r.offset());
            assertEquals(52, expectOffset);
        }
    }
}
