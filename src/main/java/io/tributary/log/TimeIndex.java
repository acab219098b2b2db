package io.tributary.log;

import org.apache.kafka.common.record.internal.RecordBatch;

import java.io.File;
import java.io.IOException;

/**
 * Sparse map from timestamp to the first offset at or after which that timestamp was reached.
 *
 * <p>On disk ({@code NNNNNNNNNNNNNNNNNNNN.timeindex}): 12-byte entries {@code long timestamp, int relativeOffset},
 * big-endian; timestamps strictly increasing, offsets non-decreasing. An entry is added (alongside an
 * offset-index entry) only when the segment's max timestamp so far grew, exactly as Kafka does, so a
 * lookup gives a lower bound from which {@code FileRecords.searchForTimestamp} scans.
 *
 * <p>Threading: owner thread of the partition only.
 */
final class TimeIndex extends AbstractIndex {
    static final int ENTRY_SIZE = 12;

    record Entry(long timestamp, long offset) {}

    TimeIndex(File file, long baseOffset, int maxIndexSize) throws IOException {
        super(file, baseOffset, maxIndexSize);
    }

    @Override int entrySize() { return ENTRY_SIZE; }
    @Override long searchKey(int slot) { return timestamp(slot); }

    private long timestamp(int slot) { return buffer().getLong(slot * ENTRY_SIZE); }
    private int relativeOffset(int slot) { return buffer().getInt(slot * ENTRY_SIZE + 8); }

    Entry entry(int slot) { return new Entry(timestamp(slot), baseOffset + relativeOffset(slot)); }

    /** Last entry, or (NO_TIMESTAMP, baseOffset) when empty. */
    Entry lastEntry() { return entries() == 0 ? new Entry(RecordBatch.NO_TIMESTAMP, baseOffset) : entry(entries() - 1); }

    /** Entry with the largest timestamp &lt;= target; (NO_TIMESTAMP, baseOffset) when none. */
    Entry lookup(long targetTimestamp) {
        int slot = largestLowerBoundSlot(targetTimestamp);
        return slot < 0 ? new Entry(RecordBatch.NO_TIMESTAMP, baseOffset) : entry(slot);
    }

    /** Appends when the timestamp is larger than the last one; the offset must not go backwards. */
    void maybeAppend(long timestamp, long offset) {
        Entry last = lastEntry();
        if (entries() > 0 && timestamp <= last.timestamp()) return;
        if (entries() > 0 && offset < last.offset()) {
            throw new IllegalStateException("time index offset " + offset + " before " + last.offset() + " in " + file());
        }
        if (isFull()) return; // roll is decided by the offset index (same interval, smaller entries)
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) throw new IllegalStateException("offset " + offset + " outside segment " + baseOffset);
        int at = entries() * ENTRY_SIZE;
        buffer().putLong(at, timestamp);
        buffer().putInt(at + 8, (int) rel);
        entryWritten();
    }

    /** Removes entries with offset &gt;= offset. */
    void truncateTo(long offset) {
        int keep = entries();
        while (keep > 0 && entry(keep - 1).offset() >= offset) keep--;
        truncateToSlot(keep);
    }

    String sanityCheck(long segmentNextOffset, int unusedSize) {
        String r = super.sanityCheck(segmentNextOffset);
        if (r != null) return r;
        for (int i = 1; i < entries(); i++) {
            if (relativeOffset(i) < relativeOffset(i - 1)) return "offsets out of order at slot " + i;
        }
        if (entries() > 0) {
            Entry last = lastEntry();
            if (last.offset() < baseOffset || last.offset() >= segmentNextOffset) return "last offset " + last.offset() + " outside the segment";
        }
        return null;
    }
}
