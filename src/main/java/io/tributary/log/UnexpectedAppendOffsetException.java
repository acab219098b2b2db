package io.tributary.log;

import org.apache.kafka.common.KafkaException;

/**
 * A follower append whose first batch does not start at the log end offset (Kafka's exception of the same
 * name, which kafka-clients does not carry). The replica fetcher truncates, or fetches from the right offset,
 * and tries again; nothing was written.
 */
public final class UnexpectedAppendOffsetException extends KafkaException {
    private static final long serialVersionUID = 1L;
    private final long firstOffset;
    private final long logEndOffset;

    public UnexpectedAppendOffsetException(String message, long firstOffset, long logEndOffset) {
        super(message);
        this.firstOffset = firstOffset;
        this.logEndOffset = logEndOffset;
    }

    /** Base offset of the first batch offered. */
    public long firstOffset() { return firstOffset; }

    /** The log end offset it should have started at. */
    public long logEndOffset() { return logEndOffset; }
}
