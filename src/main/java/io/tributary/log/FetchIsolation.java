package io.tributary.log;

/**
 * How far a read may go, as Kafka's {@code FetchIsolation}: a follower's fetch reads to the log end offset
 * (it replicates what is not yet committed); a consumer's, and ListOffsets' latest, stop at the high
 * watermark. (read_committed's last stable offset comes with transactions.)
 */
public enum FetchIsolation {
    /** Up to the log end offset: replica fetches. */
    LOG_END,
    /** Up to the high watermark: consumers. */
    HIGH_WATERMARK
}
