package io.tributary.log;

/**
 * Outcome of {@link PartitionLog#appendAsLeader}. For a duplicate idempotent batch the offsets are
 * those of the original append and nothing new was written. {@code logAppendTime} is -1 for
 * CreateTime topics.
 */
public record LogAppendInfo(long firstOffset, long lastOffset, long maxTimestamp, long offsetOfMaxTimestamp,
                            long logAppendTime, long logStartOffset, int numMessages, int validBytes, boolean duplicate) {}
