package io.tributary.log;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static io.tributary.log.LogTestSupport.DIRECT;
import static io.tributary.log.LogTestSupport.TP;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builders and a whole-log reader for compaction tests. The cleaner runs on the test thread (manual mode). */
final class CompactionSupport {
    /** A small dedupe buffer is plenty for tests and keeps each test's allocation small. */
    static final LogCleaner.Config CLEANER = new LogCleaner.Config(true, 1, 15_000, 1 << 20, 64 * 1024);

    private CompactionSupport() {}

    /** A record as read back: offset, key, value (null for a tombstone). */
    record Read(long offset, String key, String value, long batchProducerId, String compression) {}

    static PartitionLog open(Path dir, LogConfig cfg, ManualTime time, LogCleaner cleaner, boolean clean) throws IOException {
        return PartitionLog.open(dir.resolve("t-0"), TP, cfg, time, DIRECT, cleaner, clean);
    }

    static SimpleRecord kv(long ts, String key, String value) {
        return new SimpleRecord(ts, key.getBytes(StandardCharsets.UTF_8), value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    static MemoryRecords one(long ts, String key, String value) {
        return MemoryRecords.withRecords(Compression.NONE, kv(ts, key, value));
    }

    /**
     * One full round on the calling thread: start (null if the log found nothing worth cleaning), run the
     * cleaner, swap in on the "owner" (this thread).
     */
    static boolean cleanOnce(PartitionLog log, LogCleaner cleaner) {
        CompletableFuture<Cleaner.Result> f = log.maybeStartCleaning();
        if (f == null) return false;
        cleaner.runPending();
        assertTrue(f.isDone(), "a manual cleaner completes the round in runPending()");
        return log.completeCleaning();
    }

    /** Every record from the log start to the high watermark, in offset order. */
    static List<Read> readAll(PartitionLog log) {
        List<Read> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.highWatermark()) {
            FetchDataInfo info = log.read(offset, 1 << 20, true);
            long next = offset;
            for (RecordBatch b : info.records().batches()) {
                for (Record r : b) {
                    if (r.offset() < offset) continue;
                    out.add(new Read(r.offset(), Utils.utf8(r.key()), r.hasValue() ? Utils.utf8(r.value()) : null,
                        b.producerId(), b.compressionType().name));
                }
                next = b.nextOffset();
            }
            if (next == offset) break;
            offset = next;
        }
        return out;
    }

    static long countFiles(Path partDir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(partDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        }
    }
}
