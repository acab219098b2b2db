package io.tributary.log;

/**
 * How far a read may go, as Kafka's {@code FetchIsolation}: a follower's fetch reads to the log end offset
 * (it replicates what is not yet committed); a read_uncommitted consumer's, and ListOffsets' latest, stop at the
 * high watermark; a read_committed consumer's at the last stable offset.
 */
public enum FetchIsolation {
    /** Up to the log end offset: replica fetches. */
    LOG_END,
    /** Up to the high watermark: read_uncommitted consumers. */
    HIGH_WATERMARK,
    /** Up to the last stable offset, with the aborted transactions of the range: read_committed consumers. */
    TXN_COMMITTED;

    /** A consumer's Fetch/ListOffsets {@code isolation_level}: 1 is READ_COMMITTED, anything else READ_UNCOMMITTED. */
    public static FetchIsolation ofConsumer(byte isolationLevel) {
        return isolationLevel == 1 ? TXN_COMMITTED : HIGH_WATERMARK;
    }
}
