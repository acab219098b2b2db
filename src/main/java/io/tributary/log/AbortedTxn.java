package io.tributary.log;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.message.FetchResponseData;

import java.nio.ByteBuffer;

/**
 * One entry of a segment's aborted-transaction index ({@link TransactionIndex}): a transaction of
 * {@code producerId} whose data starts at {@code firstOffset} and whose ABORT marker sits at
 * {@code lastOffset}; {@code lastStableOffset} is the partition's first unstable offset once it ended (the
 * first offset of the earliest other transaction still open then, else {@code lastOffset + 1}), which lets a
 * search stop early (see {@link TransactionIndex#collect}).
 *
 * <p>On disk, Kafka's {@code AbortedTxn} layout, {@value #SIZE} bytes big-endian: {@code short version (0),
 * long producerId, long firstOffset, long lastOffset, long lastStableOffset}.
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
    static final short VERSION = 0;
    static final int SIZE = 2 + 8 + 8 + 8 + 8;

    public AbortedTxn {
        if (firstOffset > lastOffset) throw new IllegalArgumentException("aborted transaction " + firstOffset + " > " + lastOffset);
    }

    void writeTo(ByteBuffer buf) {
        buf.putShort(VERSION).putLong(producerId).putLong(firstOffset).putLong(lastOffset).putLong(lastStableOffset);
    }

    ByteBuffer toBuffer() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        writeTo(b);
        return b.flip();
    }

    /** Reads one entry at the buffer's position; a version other than 0 is a corrupt (or newer) index. */
    static AbortedTxn readFrom(ByteBuffer buf) {
        short version = buf.getShort();
        if (version != VERSION) throw new CorruptRecordException("aborted transaction entry version " + version);
        return new AbortedTxn(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
    }

    /** What a read_committed Fetch response lists for it. */
    public FetchResponseData.AbortedTransaction toFetchResponse() {
        return new FetchResponseData.AbortedTransaction().setProducerId(producerId).setFirstOffset(firstOffset);
    }
}
