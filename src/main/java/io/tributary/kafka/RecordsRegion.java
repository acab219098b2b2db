package io.tributary.kafka;

import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

import java.nio.channels.FileChannel;

/**
 * Record bytes that stay in a segment file: a (channel, position, size) triple placed into a Fetch
 * response so that {@link ResponseWriter} sends them as a file region (zero copy) instead of copying
 * them through the heap. Only the size is ever read by kafka-clients' generated serializers.
 */
public record RecordsRegion(FileChannel channel, long position, int size) implements BaseRecords {
    @Override
    public int sizeInBytes() {
        return size;
    }

    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        throw new UnsupportedOperationException("RecordsRegion is written by ResponseWriter, not as a Send");
    }
}
