package io.tributary.log;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which segments retention removes (policy only; {@link PartitionLog#deleteOldSegments} does the
 * removal): the oldest closed segments, in order, while each one is past {@code retention.ms} (by its
 * largest record timestamp), or the log is still over {@code retention.bytes} without it, or it lies
 * wholly below the log start offset. The active segment too when it holds data, all of it is below the
 * high watermark and it is past a limit (Kafka's {@code UnifiedLog.deletableSegments}; the caller rolls
 * first); never a segment reaching past the high watermark. Stateless.
 */
final class Retention {
    private Retention() {}

    /** @param segments ascending by base offset, the last one active */
    static List<LogSegment> expired(Collection<LogSegment> segments, LogConfig cfg, long now, long sizeInBytes,
                                    long highWatermark, long logStartOffset) {
        List<LogSegment> victims = new ArrayList<>();
        if (segments.isEmpty()) return victims;
        long excess = cfg.retentionBytes() < 0 ? Long.MIN_VALUE : sizeInBytes - cfg.retentionBytes();
        LogSegment active = null;
        for (LogSegment seg : segments) active = seg;
        for (LogSegment seg : segments) {
            if (seg.nextOffset() > highWatermark || (seg == active && seg.sizeInBytes() == 0)) break;
            boolean byTime = cfg.retentionMs() >= 0 && now - seg.largestTimestamp() > cfg.retentionMs();
            boolean bySize = excess != Long.MIN_VALUE && excess - seg.sizeInBytes() >= 0;
            boolean belowStart = seg != active && seg.nextOffset() <= logStartOffset;
            if (!(byTime || bySize || belowStart)) break;
            if (excess != Long.MIN_VALUE) excess -= seg.sizeInBytes();
            victims.add(seg);
        }
        return victims;
    }
}
