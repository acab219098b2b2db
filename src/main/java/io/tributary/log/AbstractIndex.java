package io.tributary.log;

import org.apache.kafka.common.utils.ByteBufferUnmapper;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;

/**
 * A memory-mapped, sparse, append-only index of fixed-size entries belonging to one segment.
 *
 * <p>On disk: a flat array of {@link #entrySize()}-byte big-endian entries, nothing else (no header,
 * so the file is the same as Kafka's). While the segment is active the file is preallocated to
 * {@code segment.index.bytes} (rounded down to a whole entry) and the tail is zeros; on roll and
 * close it is trimmed to the entries actually written, so the file length tells the entry count.
 *
 * <p>Indexes are derived data: {@link #sanityCheck(long)} rejects a damaged file and the owner
 * rebuilds it from the log. Entries are ordered by their search key; lookups are binary searches.
 *
 * <p>Threading: owned by the partition's owner thread, like its segment. Buffer access uses absolute
 * positions only, so a stray read from another thread cannot corrupt the write position.
 */
abstract class AbstractIndex implements Closeable {
    protected final long baseOffset;
    private final int maxIndexSize;
    private File file;
    private MappedByteBuffer mmap;
    private int entries;
    private int maxEntries;
    /** File length found at open, before any resize: what sanityCheck judges. */
    private final long lengthAtOpen;

    AbstractIndex(File file, long baseOffset, int maxIndexSize) throws IOException {
        this.file = file;
        this.baseOffset = baseOffset;
        this.maxIndexSize = maxIndexSize;
        boolean created = !file.exists() || file.length() == 0;
        this.lengthAtOpen = created ? 0 : file.length();
        long length = created ? roundDown(maxIndexSize) : file.length();
        if (length < entrySize()) length = entrySize(); // room for at least one entry
        map(length);
        // A file whose length is not a whole number of entries is reported by sanityCheck.
        this.entries = created ? 0 : (int) (lengthAtOpen / entrySize());
    }

    abstract int entrySize();

    /** The search key of slot n (relative offset for the offset index, timestamp for the time index). */
    abstract long searchKey(int slot);

    final MappedByteBuffer buffer() { return mmap; }
    final File file() { return file; }
    final int entries() { return entries; }
    final int maxEntries() { return maxEntries; }
    final boolean isFull() { return entries >= maxEntries; }
    final long sizeInBytes() { return (long) entries * entrySize(); }

    private long roundDown(long size) { return size - size % entrySize(); }

    private void map(long length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
            raf.setLength(length);
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, length);
        }
        maxEntries = (int) (length / entrySize());
    }

    /** Called by subclasses after writing slot {@code entries}. */
    final void entryWritten() {
        if (entries >= maxEntries) throw new IllegalStateException("index " + file + " is full");
        entries++;
    }

    /** Grows (active segment) the mapping to {@code segment.index.bytes}; a no-op if already that large. */
    final void resizeToMax() throws IOException {
        long target = roundDown(maxIndexSize);
        if (target <= (long) maxEntries * entrySize()) return;
        unmap();
        map(target);
    }

    /** Shrinks the file to the entries actually written (roll and close). */
    final void trimToValidSize() throws IOException {
        unmap();
        map(Math.max(sizeInBytes(), 0));
        maxEntries = entries; // a trimmed index of a closed segment takes no more entries
    }

    /**
     * Largest slot whose key is &lt;= target, or -1 if every key is greater (or the index is empty).
     * Keys are non-decreasing, which {@link #sanityCheck(long)} and the append paths guarantee.
     */
    final int largestLowerBoundSlot(long target) {
        if (entries == 0 || searchKey(0) > target) return -1;
        int lo = 0, hi = entries - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (searchKey(mid) <= target) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    /** Drops every entry from slot {@code slot} on. */
    final void truncateToSlot(int slot) {
        if (slot < 0 || slot > entries) throw new IllegalArgumentException("slot " + slot);
        for (int i = slot * entrySize(); i < entries * entrySize(); i++) mmap.put(i, (byte) 0);
        entries = slot;
    }

    final void reset() throws IOException {
        truncateToSlot(0);
        resizeToMax();
    }

    /**
     * Structural check used at open: whole entries only and entries ordered. Subclasses add checks
     * against the log (last entry within the segment).
     * @return null when sane, else the reason
     */
    String sanityCheck(long logEndOffsetOfSegment) {
        if (lengthAtOpen % entrySize() != 0) return "size " + lengthAtOpen + " not a multiple of " + entrySize();
        for (int i = 1; i < entries; i++) {
            if (searchKey(i) <= searchKey(i - 1)) return "entries out of order at slot " + i;
        }
        return null;
    }

    /**
     * Replaces an existing target, as {@code FileRecords.renameTo} does: a segment cleaned twice at the
     * same base offset goes to {@code B.index.deleted} while its predecessor may still wait there (its
     * mapping stays valid; only the name moves on).
     */
    void renameTo(File f) throws IOException {
        if (file.exists()) Files.move(file.toPath(), f.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        file = f;
    }

    void flush() { mmap.force(); }

    private void unmap() throws IOException {
        if (mmap != null) {
            ByteBufferUnmapper.unmap(file.getAbsolutePath(), mmap);
            mmap = null;
        }
    }

    @Override public void close() throws IOException {
        trimToValidSize();
        unmap();
    }

    /** Releases the mapping without trimming (used before deletion or when discarding a damaged index). */
    void closeHandler() throws IOException { unmap(); }

    boolean deleteIfExists() throws IOException {
        unmap();
        return Files.deleteIfExists(file.toPath());
    }
}
