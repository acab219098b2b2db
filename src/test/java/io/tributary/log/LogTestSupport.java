package io.tributary.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/** Shared builders for log tests. */
final class LogTestSupport {
    static final long T0 = 1_700_000_000_000L;
    static final TopicPartition TP = new TopicPartition("t", 0);
    /** fsync work runs inline, so flush futures are complete on return. */
    static final Executor DIRECT = Runnable::run;

    private LogTestSupport() {}

    /** Broker defaults with the small-segment escape hatch, overlaid with topic overrides (key, value pairs). */
    static LogConfig config(String... kv) {
        LogConfig broker = LogConfig.brokerDefaults(Map.of(LogConfig.UNSAFE_SMALL_SEGMENTS, "true"));
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) o.put(kv[i], kv[i + 1]);
        return LogConfig.fromOverrides(broker, o);
    }

    static PartitionLog open(Path dir, LogConfig cfg, ManualTime time, boolean clean) throws IOException {
        return PartitionLog.open(dir.resolve("t-0"), TP, cfg, time, DIRECT, clean);
    }

    static SimpleRecord rec(long ts, String key, String value) {
        return new SimpleRecord(ts, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    /** One uncompressed batch of n records with timestamp ts and keys k0..k(n-1). */
    static MemoryRecords batch(long ts, int n) {
        return batch(Compression.NONE, ts, n);
    }

    static MemoryRecords batch(Compression c, long ts, int n) {
        SimpleRecord[] r = new SimpleRecord[n];
        for (int i = 0; i < n; i++) r[i] = rec(ts, "k" + i, "value-" + i);
        return MemoryRecords.withRecords(c, r);
    }

    static MemoryRecords idempotent(long pid, short epoch, int seq, long ts, int n) {
        SimpleRecord[] r = new SimpleRecord[n];
        for (int i = 0; i < n; i++) r[i] = rec(ts, "k" + i, "v" + i);
        return MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, seq, r);
    }

    /** Every (baseOffset, lastOffset) of the batches in a records view. */
    static List<long[]> offsets(org.apache.kafka.common.record.internal.Records records) {
        List<long[]> out = new ArrayList<>();
        for (RecordBatch b : records.batches()) out.add(new long[] {b.baseOffset(), b.lastOffset()});
        return out;
    }

    static ByteBuffer bytesOf(org.apache.kafka.common.record.internal.Records records) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(records.sizeInBytes());
        if (records instanceof org.apache.kafka.common.record.internal.FileRecords f) f.readInto(buf, 0);
        else buf.put(((MemoryRecords) records).buffer().duplicate());
        buf.flip();
        return buf;
    }
}
