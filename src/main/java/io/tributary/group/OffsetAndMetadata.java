package io.tributary.group;

/**
 * A committed offset as the coordinator keeps it. {@code metadata} is never null (Kafka stores "" for
 * a null commit metadata); {@code leaderEpoch} is -1 when unknown; {@code commitTimestamp} is the
 * coordinator's clock at commit (the base of {@code offsets.retention.minutes} for simple commits).
 */
public record OffsetAndMetadata(long offset, int leaderEpoch, String metadata, long commitTimestamp) {
    public OffsetAndMetadata {
        metadata = metadata == null ? "" : metadata;
    }
}
