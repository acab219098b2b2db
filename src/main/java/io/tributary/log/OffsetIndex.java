package io.tributary.log;

import java.io.File;
import java.io.IOException;

/**
 * Sparse map from offset to byte position in the segment's {@code .log} file.
 *
 * <p>On disk ({@code NNNNNNNNNNNNNNNNNNNN.index}): 8-byte entries {@code int relativeOffset, int position},
 * big-endian, relative to the segment base offset, strictly increasing in both fields. One entry is
 * written per {@code index.interval.bytes} of appended batches, pointing at a batch start.
 *
 * <p>Threading: owner thread of the partition only.
 */
final class OffsetIndex extends AbstractIndex {
    static final int ENTRY_SIZE = 8;

    /** An (absolute offset, file position) pair. */
    record Entry(long offset, int position) {}

    OffsetIndex(File file, long baseOffset, int maxIndexSize) throws IOException {
        super(file, baseOffset, maxIndexSize);
    }

    @Override int entrySize() { return ENTRY_SIZE; }
    @Override long searchKey(int slot) { return relativeOffset(slot); }

    private int relativeOffset(int slot) { return buffer().getInt(slot * ENTRY_SIZE); }
    private int position(int slot) { return buffer().getInt(slot * ENTRY_SIZE + 4); }

    Entry entry(int slot) { return new Entry(baseOffset + relativeOffset(slot), position(slot)); }

    /** The last entry, or (baseOffset, 0) when empty. */
    Entry lastEntry() { return entries() == 0 ? new Entry(baseOffset, 0) : entry(entries() - 1); }

    /** Entry with the largest offset &lt;= target; (baseOffset, 0) when none. */
    Entry lookup(long targetOffset) {
        int slot = largestLowerBoundSlot(targetOffset - baseOffset);
        return slot < 0 ? new Entry(baseOffset, 0) : entry(slot);
    }

    void append(long offset, int position) {
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) throw new IllegalStateException("offset " + offset + " outside segment " + baseOffset);
        if (entries() > 0) {
            Entry last = lastEntry();
            if (offset <= last.offset() || position <= last.position()) {
                throw new IllegalStateException("index entry (" + offset + "," + position + ") not after " + last + " in " + file());
            }
        }
        int at = entries() * ENTRY_SIZE;
        buffer().putInt(at, (int) rel);
        buffer().putInt(at + 4, position);
        entryWritten();
    }

    /** Removes entries with offset &gt;= offset. */
    void truncateTo(long offset) {
        int slot = largestLowerBoundSlot(offset - baseOffset);
        int keep = slot < 0 ? 0 : (relativeOffset(slot) == offset - baseOffset ? slot : slot + 1);
        truncateToSlot(keep);
    }

    /** Also checks that the last entry lies within the segment. */
    String sanityCheck(long segmentNextOffset, int segmentBytes) {
        String r = super.sanityCheck(segmentNextOffset);
        if (r != null) return r;
        for (int i = 1; i < entries(); i++) {
            if (position(i) <= position(i - 1)) return "positions out of order at slot " + i;
        }
        if (entries() > 0) {
            Entry last = lastEntry();
            if (last.offset() < baseOffset || last.offset() >= segmentNextOffset) return "last offset " + last.offset() + " outside the segment";
            if (last.position() >= segmentBytes) return "last position " + last.position() + " beyond log size " + segmentBytes;
        }
        return null;
    }
}
