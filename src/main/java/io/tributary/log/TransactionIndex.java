package io.tributary.log;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.utils.Utils;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A segment's aborted-transaction index, Kafka's {@code TransactionIndex}: {@code B.txnindex}, {@link AbortedTxn}
 * entries ({@value AbortedTxn#SIZE} bytes each) back to back, one per aborted transaction whose ABORT marker
 * is in this segment, in marker order (last offsets strictly increasing). The file exists only once a first
 * entry is written. Derived data: rebuilt from the log by recovery ({@link LogLoader}), cut by truncation,
 * renamed and deleted with its segment, rewritten by the cleaner.
 *
 * <p>Threading: appended, truncated and renamed by the partition's owner thread. Reads ({@link #collect},
 * {@link #all}) are positional reads of whole entries below a volatile size, so the cleaner may read a closed
 * segment's index while the owner works.
 */
final class TransactionIndex implements Closeable {
    private final long baseOffset;
    private volatile File file;
    private FileChannel channel;
    /** Bytes of whole entries written; reads stop there. */
    private volatile long size;
    private long lastOffset = -1;

    TransactionIndex(long baseOffset, File file) throws IOException {
        this.baseOffset = baseOffset;
        this.file = file;
        if (file.exists()) {
            open();
            size = channel.size() - channel.size() % AbortedTxn.SIZE;
            try {
                if (size > 0) lastOffset = read(size - AbortedTxn.SIZE, 1).get(0).lastOffset();
            } catch (CorruptRecordException e) {
                lastOffset = Long.MAX_VALUE; // refuses appends; sanityCheck reports it and recovery rebuilds the index
            }
        }
    }

    File file() { return file; }
    long sizeInBytes() { return size; }
    boolean isEmpty() { return size == 0; }

    private FileChannel open() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }

    /** Appends one entry (not fsynced: {@link #flush} is, with the segment). */
    void append(AbortedTxn txn) throws IOException {
        if (txn.lastOffset() <= lastOffset) {
            throw new IllegalStateException("aborted transaction ending at " + txn.lastOffset() + " not after " + lastOffset + " in " + file);
        }
        if (txn.lastOffset() < baseOffset) throw new IllegalStateException(txn + " ends before segment base " + baseOffset + " of " + file);
        FileChannel ch = open();
        ByteBuffer b = txn.toBuffer();
        long pos = size;
        while (b.hasRemaining()) pos += ch.write(b, pos);
        size = pos;
        lastOffset = txn.lastOffset();
    }

    void flush() throws IOException {
        if (channel != null) channel.force(true);
    }

    /** Removes every entry whose marker is at or above {@code offset} (replication truncation, recovery). */
    void truncateTo(long offset) throws IOException {
        if (size == 0) return;
        List<AbortedTxn> all = all();
        int keep = 0;
        while (keep < all.size() && all.get(keep).lastOffset() < offset) keep++;
        size = (long) keep * AbortedTxn.SIZE;
        channel.truncate(size);
        lastOffset = keep == 0 ? -1 : all.get(keep - 1).lastOffset();
    }

    /** Empties the index (its segment is being rebuilt from the start). */
    void reset() throws IOException {
        if (channel != null) channel.truncate(0);
        size = 0;
        lastOffset = -1;
    }

    /** Every entry, in order. */
    List<AbortedTxn> all() throws IOException {
        return size == 0 ? new ArrayList<>() : read(0, (int) (size / AbortedTxn.SIZE));
    }

    /** {@code count} entries from byte {@code position} (a multiple of the entry size). */
    private List<AbortedTxn> read(long position, int count) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(count * AbortedTxn.SIZE);
        Utils.readFully(channel, buf, position);
        buf.flip();
        List<AbortedTxn> out = new ArrayList<>(count);
        while (buf.remaining() >= AbortedTxn.SIZE) out.add(AbortedTxn.readFrom(buf));
        return out;
    }

    /** Entries read at a time by {@link #collect}, which usually stops early. */
    private static final int CHUNK_ENTRIES = 128;

    /** What {@link #collect} found in this segment, and whether later segments may hold more. */
    record SearchResult(List<AbortedTxn> aborted, boolean complete) {}

    /**
     * Kafka's {@code collectAbortedTxns}: the aborted transactions overlapping [{@code fetchOffset},
     * {@code upperBound}): marker at or after the fetch offset, data starting below the bound. Complete once an
     * entry's last stable offset reaches the bound: every transaction that started below it had ended by then,
     * so later segments cannot add one.
     */
    SearchResult collect(long fetchOffset, long upperBound) throws IOException {
        List<AbortedTxn> found = new ArrayList<>();
        long end = size;
        for (long pos = 0; pos < end; pos += (long) CHUNK_ENTRIES * AbortedTxn.SIZE) {
            int n = (int) Math.min(CHUNK_ENTRIES, (end - pos) / AbortedTxn.SIZE);
            for (AbortedTxn t : read(pos, n)) {
                if (t.lastOffset() >= fetchOffset && t.firstOffset() < upperBound) found.add(t);
                if (t.lastStableOffset() >= upperBound) return new SearchResult(found, true);
            }
        }
        return new SearchResult(found, false);
    }

    /** Null when sane, else why not (a torn entry, an unknown version, entries out of order or before the segment). */
    String sanityCheck() {
        try {
            if (channel != null && channel.size() % AbortedTxn.SIZE != 0) return "torn entry in " + file.getName();
            long prev = -1;
            for (AbortedTxn t : all()) {
                if (t.lastOffset() < baseOffset) return "entry " + t + " ends before base offset " + baseOffset;
                if (t.lastOffset() <= prev) return "entry " + t + " not after the one ending at " + prev;
                prev = t.lastOffset();
            }
            return null;
        } catch (IOException | CorruptRecordException e) {
            return e.getMessage();
        }
    }

    void renameTo(File f) throws IOException {
        try {
            if (file.exists()) Utils.atomicMoveWithFallback(file.toPath(), f.toPath(), false);
        } catch (NoSuchFileException gone) {
            // never written
        } finally {
            file = f;
        }
    }

    boolean deleteIfExists() throws IOException {
        close();
        return Files.deleteIfExists(file.toPath());
    }

    @Override public void close() throws IOException {
        if (channel != null) channel.close();
        channel = null;
    }

    @Override public String toString() {
        return "TransactionIndex(" + file.getName() + ", " + size / AbortedTxn.SIZE + " entries)";
    }
}
