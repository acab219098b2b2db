package io.tributary.client.kafka.internal;

import io.tributary.client.kafka.ProduceRecord;
import io.tributary.client.kafka.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One record batch on its way to a partition: filled through kafka-clients' {@link MemoryRecordsBuilder} (record
 * batch v2, compressed as configured), closed for appends when full or lingered long enough, and stamped with the
 * producer id, epoch and base sequence only when first sent (so the sequence order is the send order). After that
 * its bytes never change: a retry resends exactly them. Used on the producer's loop only.
 */
public final class ProduceBatch {
    /** Where each record's outcome goes. */
    public interface Sink {
        void done(RecordMetadata md);

        void failed(Throwable t);
    }

    /** A partition's batches: the one being filled, the closed ones in order, the one on the wire. */
    public static final class Partition {
        public final TopicPartition tp;
        public ProduceBatch open;
        public final ArrayDeque<ProduceBatch> queue = new ArrayDeque<>();
        public ProduceBatch inFlight;
        public int leader = -1;
        public Uuid topicId = Uuid.ZERO_UUID;
        public int nextSequence;

        public Partition(TopicPartition tp) {
            this.tp = tp;
        }
    }

    public final TopicPartition tp;
    private final MemoryRecordsBuilder builder;
    private final List<Sink> sinks = new ArrayList<>();
    private final List<Long> timestamps = new ArrayList<>();
    private final long createdNanos;
    private long bytes;
    private MemoryRecords records;
    public long lingerTimer = -1;

    public ProduceBatch(TopicPartition tp, Compression compression, int batchSize, long createdNanos) {
        this.tp = tp;
        this.createdNanos = createdNanos;
        // Room for a batch of batchSize; a first record larger than that still fits (the buffer grows).
        this.builder = new MemoryRecordsBuilder(ByteBuffer.allocate(Math.max(256, Math.min(batchSize, 1 << 20))),
                RecordBatch.MAGIC_VALUE_V2, compression, TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP,
                RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false, false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, batchSize);
    }

    public boolean hasRoomFor(long timestamp, ProduceRecord r) {
        return builder.hasRoomFor(timestamp, r.key(), r.value(), r.headers().toArray(new Header[0]));
    }

    public void append(long timestamp, ProduceRecord r, Sink sink, int size) {
        builder.append(timestamp, r.key(), r.value(), r.headers().toArray(new Header[0]));
        sinks.add(sink);
        timestamps.add(timestamp);
        bytes += size;
    }

    public int estimatedBytes() {
        return builder.estimatedSizeInBytes();
    }

    public void closeForAppends() {
        builder.closeForRecordAppends();
    }

    public boolean isBuilt() {
        return records != null;
    }

    /** Stamps the producer state and builds the bytes that every attempt sends. */
    public void build(long producerId, short epoch, int baseSequence) {
        if (producerId >= 0) {
            builder.setProducerState(producerId, epoch, baseSequence, false);
        }
        builder.close();
        records = builder.build();
    }

    public MemoryRecords records() {
        return records;
    }

    public int recordCount() {
        return sinks.size();
    }

    /** Buffer bytes the batch's records were counted with. */
    public long bytes() {
        return bytes;
    }

    public long createdNanos() {
        return createdNanos;
    }

    public void succeed(long baseOffset, long logAppendTime) {
        for (int i = 0; i < sinks.size(); i++) {
            long offset = baseOffset < 0 ? -1 : baseOffset + i;
            long ts = logAppendTime >= 0 ? logAppendTime : timestamps.get(i);
            sinks.get(i).done(new RecordMetadata(tp.topic(), tp.partition(), offset, ts));
        }
    }

    public void fail(Throwable t) {
        for (Sink s : sinks) {
            s.failed(t);
        }
    }

    /** The sequence after a batch of {@code count} starting at {@code seq} (wraps at Integer.MAX_VALUE as Kafka's). */
    public static int incrementSequence(int seq, int count) {
        if (seq > Integer.MAX_VALUE - count) {
            return count - (Integer.MAX_VALUE - seq) - 1;
        }
        return seq + count;
    }
}
