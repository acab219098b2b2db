package io.tributary.metrics;

import io.tributary.log.FetchDataInfo;
import io.tributary.log.LogService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The timestamp of the record at an offset, per partition, for {@code kafka_consumergroup_lag_seconds}: the
 * age of a group's first unconsumed record. A scrape asks only for (partition, offset) pairs it has not seen;
 * those are found once — the partition's owner locates the batch through the offset index
 * ({@link LogService#read}, no bytes copied on the owner), and a worker reads that batch's 61-byte header
 * (its first timestamp, or the log-append time) or, when the offset is inside the batch, the batch itself —
 * and kept. A group that does not move costs nothing on later scrapes; one that moves costs one lookup per
 * partition per scrape, however many scrapes pass in between.
 *
 * <p>Per partition at most {@link #PER_PARTITION} offsets are kept (the lowest go first: consumers move
 * forward), and offsets below the log start are dropped. Thread-safe: lookups complete on workers, scrapes
 * read on their worker.
 */
final class LagTimes {
    static final int PER_PARTITION = 64;
    /** Lookups started at once, so a scrape after a burst of commits cannot flood the partition owners. */
    static final int CONCURRENCY = 256;

    private final Vertx vertx;
    private final LogService logs;
    private final Map<TopicPartition, TreeMap<Long, Long>> cache = new ConcurrentHashMap<>();

    LagTimes(Vertx vertx, LogService logs) {
        this.vertx = vertx;
        this.logs = logs;
    }

    /** A (partition, offset) whose record's timestamp a scrape needs. */
    record Wanted(TopicPartition tp, long offset) {
    }

    /** The cached timestamp of the record at {@code offset}, or -1 when not known (yet). */
    long timestamp(TopicPartition tp, long offset) {
        TreeMap<Long, Long> m = cache.get(tp);
        if (m == null) {
            return -1;
        }
        synchronized (m) {
            Long ts = m.get(offset);
            return ts == null ? -1 : ts;
        }
    }

    /** Looks up every wanted pair not cached yet; completes when all are (failures leave them unknown). */
    Future<Void> resolve(List<Wanted> wanted) {
        List<Wanted> missing = new ArrayList<>();
        for (Wanted w : wanted) {
            if (timestamp(w.tp(), w.offset()) < 0) {
                missing.add(w);
            }
        }
        if (missing.isEmpty()) {
            return Future.succeededFuture();
        }
        return resolveFrom(missing, 0);
    }

    private Future<Void> resolveFrom(List<Wanted> missing, int from) {
        int to = Math.min(missing.size(), from + CONCURRENCY);
        List<Future<?>> chunk = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            Wanted w = missing.get(i);
            chunk.add(logs.read(w.tp(), w.offset(), 1, true)
                    .compose(info -> vertx.executeBlocking(() -> timestampAt(info, w.offset()), false))
                    .map(ts -> {
                        put(w.tp(), w.offset(), ts);
                        return ts;
                    }));
        }
        return Future.join(chunk).transform(ar -> to < missing.size() ? resolveFrom(missing, to) : Future.succeededFuture());
    }

    private void put(TopicPartition tp, long offset, long ts) {
        if (ts < 0) {
            return;
        }
        TreeMap<Long, Long> m = cache.computeIfAbsent(tp, k -> new TreeMap<>());
        synchronized (m) {
            m.put(offset, ts);
            while (m.size() > PER_PARTITION) {
                m.pollFirstEntry();
            }
        }
    }

    /** Forgets offsets below each partition's log start, and partitions that are gone. */
    void retain(Map<TopicPartition, Long> logStartOffsets) {
        cache.keySet().removeIf(tp -> !logStartOffsets.containsKey(tp));
        cache.forEach((tp, m) -> {
            long start = logStartOffsets.get(tp);
            synchronized (m) {
                m.headMap(start).clear();
            }
        });
    }

    int cachedPartitions() {
        return cache.size();
    }

    /**
     * Worker: the timestamp of the record at {@code offset} in the first batch of {@code info} (the batch
     * holding it), -1 if there is none. Reads only immutable, written bytes of the segment file.
     */
    static long timestampAt(FetchDataInfo info, long offset) throws IOException {
        if (info.channel() == null || info.sizeInBytes() < RECORD_BATCH_OVERHEAD) {
            return -1;
        }
        ByteBuffer header = ByteBuffer.allocate(RECORD_BATCH_OVERHEAD);
        readFully(info, info.filePosition(), header);
        long baseOffset = header.getLong(0);
        int batchSize = header.getInt(8) + 12;
        short attributes = header.getShort(21);
        long baseTimestamp = header.getLong(27);
        long maxTimestamp = header.getLong(35);
        if ((attributes & TIMESTAMP_TYPE_MASK) != 0) {
            return maxTimestamp; // LogAppendTime: every record of the batch has the batch's time
        }
        if (offset <= baseOffset) {
            return baseTimestamp; // the first record's delta is 0 as producers write batches
        }
        ByteBuffer whole = ByteBuffer.allocate(Math.min(batchSize, info.sizeInBytes()));
        readFully(info, info.filePosition(), whole);
        for (RecordBatch batch : MemoryRecords.readableRecords(whole).batches()) {
            if (batch.timestampType() == TimestampType.LOG_APPEND_TIME) {
                return batch.maxTimestamp();
            }
            for (Record r : batch) {
                if (r.offset() >= offset) {
                    return r.timestamp();
                }
            }
        }
        return -1;
    }

    private static void readFully(FetchDataInfo info, long position, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (info.channel().read(buf, position + buf.position()) < 0) {
                break;
            }
        }
        buf.flip();
    }

    /** Kafka's v2 batch header: base offset 8, length 4, epoch 4, magic 1, crc 4, attributes 2, last delta 4,
     *  base timestamp 8, max timestamp 8, producer id 8, epoch 2, base sequence 4, count 4. */
    private static final int RECORD_BATCH_OVERHEAD = 61;
    private static final int TIMESTAMP_TYPE_MASK = 0x08;
}
