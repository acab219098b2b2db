package io.tributary.coord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The coordination transaction log, with group commit.
 *
 * <p>On disk: {@code coord/log.<first zxid, 16 hex digits>} files, each a sequence of records
 * {@code length:i32 crc32c:i32 txn} (big-endian; the CRC covers the txn bytes; a txn is encoded as in
 * {@link Txn}). A new file starts after each snapshot. Like ZooKeeper's FilePadding, a file is extended in
 * {@link #PREALLOCATE}-byte steps ahead of the writes, so an fsync need not also persist a new file
 * size (measurably faster per group commit); the zero-filled space past the last record reads as a
 * record length of 0, which marks the end, and a clean close trims it. A torn or corrupt tail (a crash
 * mid-write) is cut off at recovery, with a WARN line; everything before it was fsynced before any
 * client saw it.
 *
 * <p>Threading: {@link #append} and {@link #roll} are called on the coordinator thread and only buffer;
 * {@link #take} hands what is buffered to the one thread that writes and fsyncs it ({@link #write}, on
 * {@link GroupCommit}'s sync thread, never an event loop), so file operations never overlap, and every
 * transaction appended while an fsync runs goes into the next one (group commit).
 */
public final class TxnLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TxnLog.class);
    static final String PREFIX = "log.";
    /** Extension step of a log file (ZooKeeper's default {@code zookeeper.preAllocSize} is 64 MiB). */
    static final long PREALLOCATE = 64L * 1024 * 1024;

    /** Bytes destined for the file that starts at {@code fileZxid}. */
    private record Chunk(long fileZxid, ByteArrayOutputStream bytes) {
    }

    /** Everything buffered when {@link #take} was called, up to and including {@code lastZxid}. */
    public record Batch(List<Chunk> chunks, long lastZxid) {
    }

    private final Path dir;
    private final List<Chunk> pending = new ArrayList<>();
    private long fileZxid;
    private long pendingLastZxid = -1;
    private FileChannel channel;
    private long channelZxid = -1;
    /** Where the next record goes in {@link #channel}, and how far the file is already extended. */
    private long position;
    private long allocated;

    public TxnLog(Path dir) {
        this.dir = dir;
    }

    /** Starts writing a new file for transactions from {@code nextZxid} on (after recovery or a snapshot). */
    public synchronized void roll(long nextZxid) {
        fileZxid = nextZxid;
    }

    /** Coordinator thread: buffers one transaction. */
    public synchronized void append(Txn txn) {
        Chunk last = pending.isEmpty() ? null : pending.get(pending.size() - 1);
        if (last == null || last.fileZxid != fileZxid) {
            last = new Chunk(fileZxid, new ByteArrayOutputStream(64 * 1024));
            pending.add(last);
        }
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream(256);
            txn.write(new DataOutputStream(body));
            byte[] bytes = body.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            DataOutputStream out = new DataOutputStream(last.bytes);
            out.writeInt(bytes.length);
            out.writeInt((int) crc.getValue());
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
        pendingLastZxid = txn.zxid();
    }

    public synchronized boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Any thread: takes everything buffered so far, or null when nothing is. */
    public synchronized Batch take() {
        if (pending.isEmpty()) {
            return null;
        }
        Batch b = new Batch(new ArrayList<>(pending), pendingLastZxid);
        pending.clear();
        return b;
    }

    /**
     * The writing thread (one at a time, never an event loop): writes a batch and fsyncs it. Returns the
     * last zxid now durable.
     */
    public long write(Batch batch) throws IOException {
        for (Chunk c : batch.chunks) {
            if (c.fileZxid != channelZxid) {
                openFile(c.fileZxid);
            }
            ByteBuffer buf = ByteBuffer.wrap(c.bytes.toByteArray());
            if (position + buf.remaining() > allocated) {
                // Extend by one byte at the new end: a sparse extension, as ZooKeeper pads.
                allocated = Math.max(allocated + PREALLOCATE, position + buf.remaining() + PREALLOCATE);
                channel.write(ByteBuffer.wrap(new byte[1]), allocated - 1);
            }
            while (buf.hasRemaining()) {
                position += channel.write(buf, position);
            }
        }
        channel.force(false);
        return batch.lastZxid;
    }

    /** Writes and fsyncs whatever is buffered, on the calling thread (tests, and a stop's last flush). */
    public void flushNow() throws IOException {
        Batch b = take();
        if (b != null) {
            write(b);
        }
    }

    private void openFile(long zxid) throws IOException {
        closeChannel();
        Path file = dir.resolve(name(zxid));
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        channelZxid = zxid;
        position = 0;
        allocated = 0;
        fsyncDir(dir);
    }

    /** Trims the preallocated tail so a closed file ends at its last record. */
    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.truncate(position);
            channel.force(true);
            channel.close();
            channel = null;
        }
    }

    static String name(long zxid) {
        return PREFIX + String.format("%016x", zxid);
    }

    static void fsyncDir(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the file's own fsync still holds its data.
        }
    }

    /** Called on the writing thread's behalf once the last write has completed. */
    @Override
    public void close() throws IOException {
        closeChannel();
    }

    // ---- recovery ----

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && !p.toString().endsWith(".tmp"))
                    .sorted().toList();
        }
    }

    static long startZxid(Path file) {
        return Long.parseUnsignedLong(file.getFileName().toString().substring(PREFIX.length()), 16);
    }

    private static void truncate(Path file, long position, long size, String problem) throws IOException {
        LOG.warn("transaction log {}: {} at position {}; truncating {} bytes (never acknowledged)",
                file, problem, position, size - position);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(position);
            ch.force(true);
        }
    }

    /**
     * Reads every transaction after {@code afterZxid}, in order, into {@code sink}; cuts a torn or
     * corrupt tail. Runs on a worker at start-up. Returns how many transactions were replayed.
     */
    public static int recover(Path dir, long afterZxid, Consumer<Txn> sink) throws IOException {
        List<Path> files = files(dir);
        int replayed = 0;
        for (int i = 0; i < files.size(); i++) {
            if (i + 1 < files.size() && startZxid(files.get(i + 1)) <= afterZxid + 1) {
                continue; // every transaction in this file is already in the snapshot
            }
            Path file = files.get(i);
            long size = Files.size(file);
            // Streamed, not read whole: a file is mostly preallocated zeros until it fills up.
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
                long position = 0;
                while (position < size) {
                    String problem = null;
                    Txn txn = null;
                    int len = size - position >= 4 ? in.readInt() : -1;
                    if (len == 0) {
                        break; // preallocated space: the end of this file's records
                    }
                    if (size - position < 8) {
                        problem = "a partial record header";
                    } else {
                        int crc = in.readInt();
                        if (len < 0 || len > size - position - 8) {
                            problem = "a record of " + len + " bytes with " + (size - position - 8) + " left";
                        } else {
                            byte[] body = new byte[len];
                            in.readFully(body);
                            CRC32C c = new CRC32C();
                            c.update(body);
                            if ((int) c.getValue() != crc) {
                                problem = "a CRC mismatch";
                            } else {
                                txn = Txn.read(body);
                            }
                        }
                    }
                    if (problem != null) {
                        truncate(file, position, size, problem);
                        for (int j = i + 1; j < files.size(); j++) {
                            LOG.warn("removing transaction log {} after the truncated one", files.get(j));
                            Files.delete(files.get(j));
                        }
                        return replayed;
                    }
                    position += 8 + len;
                    if (txn.zxid() > afterZxid) {
                        sink.accept(txn);
                        replayed++;
                    }
                }
            }
        }
        return replayed;
    }
}
