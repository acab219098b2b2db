package io.tributary.log;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.utils.Utils;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Producer-state snapshot files of one partition directory: {@code <20-digit offset>.snapshot}, offset = the
 * log end offset the state covers. Written to a tmp file, fsynced, renamed; the latest two are kept.
 *
 * <p>Format: {@code int version, int crc32c (of the rest), int count}, then per producer
 * <ul>
 *   <li>version 2 (written since transactions): {@code long pid, short epoch, long lastAppendMs,
 *       int coordinatorEpoch, long currentTxnFirstOffset (-1: no open transaction), int n};</li>
 *   <li>version 1 (still read): {@code long pid, short epoch, long lastAppendMs, int n};</li>
 * </ul>
 * then n times {@code int firstSeq, int lastSeq, long firstOffset, long lastOffset, long maxTimestamp}.
 *
 * <p>Threading: {@link #serialize} on the owner thread; {@link #write} may run on the I/O executor and
 * synchronizes on the directory's lock, as do the deletions of {@link ProducerStateManager}.
 */
final class ProducerSnapshots {
    static final String SUFFIX = ".snapshot";
    static final int VERSION = 2;
    private static final int VERSION_1 = 1;

    private ProducerSnapshots() {}

    static Object lockFor(Path dir) { return dir.toString().intern(); }

    static Path file(Path dir, long offset) { return dir.resolve(LogSegment.filenamePrefix(offset) + SUFFIX); }

    static byte[] serialize(Collection<ProducerStateEntry> producers) {
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(body);
            out.writeInt(producers.size());
            for (ProducerStateEntry e : producers) {
                out.writeLong(e.producerId());
                out.writeShort(e.epoch());
                out.writeLong(e.lastAppendMs());
                out.writeInt(e.coordinatorEpoch());
                out.writeLong(e.currentTxnFirstOffset());
                out.writeInt(e.batches().size());
                for (ProducerStateEntry.BatchMetadata b : e.batches()) {
                    out.writeInt(b.firstSeq());
                    out.writeInt(b.lastSeq());
                    out.writeLong(b.firstOffset());
                    out.writeLong(b.lastOffset());
                    out.writeLong(b.maxTimestamp());
                }
            }
            out.flush();
            byte[] payload = body.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(payload);
            ByteBuffer buf = ByteBuffer.allocate(8 + payload.length);
            buf.putInt(VERSION).putInt((int) crc.getValue()).put(payload);
            return buf.array();
        } catch (IOException e) {
            throw new IllegalStateException(e); // in-memory streams do not fail
        }
    }

    /** Parses a version 1 or 2 snapshot; CorruptRecordException (or an IOException) when it is not one. */
    static List<ProducerStateEntry> parse(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int version = buf.getInt();
        if (version != VERSION && version != VERSION_1) throw new CorruptRecordException("unknown snapshot version " + version);
        int crc = buf.getInt();
        CRC32C c = new CRC32C();
        c.update(bytes, 8, bytes.length - 8);
        if ((int) c.getValue() != crc) throw new CorruptRecordException("snapshot CRC mismatch");
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 8, bytes.length - 8));
        int count = in.readInt();
        if (count < 0 || count > ProducerStateManager.MAX_PRODUCERS) throw new CorruptRecordException("bad producer count " + count);
        List<ProducerStateEntry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long pid = in.readLong();
            short epoch = in.readShort();
            long lastAppend = in.readLong();
            int coordinatorEpoch = version == VERSION_1 ? -1 : in.readInt();
            long txnFirst = version == VERSION_1 ? ProducerStateEntry.NO_TXN : in.readLong();
            int n = in.readInt();
            if (n < 0 || n > ProducerStateEntry.NUM_BATCHES_TO_RETAIN) throw new CorruptRecordException("bad batch count " + n);
            ProducerStateEntry e = new ProducerStateEntry(pid, epoch, lastAppend);
            for (int j = 0; j < n; j++) {
                e.addBatch(epoch, new ProducerStateEntry.BatchMetadata(in.readInt(), in.readInt(), in.readLong(), in.readLong(), in.readLong()),
                    lastAppend);
            }
            if (txnFirst < ProducerStateEntry.NO_TXN) throw new CorruptRecordException("bad transaction first offset " + txnFirst);
            e.restoreTransaction(coordinatorEpoch, txnFirst);
            out.add(e);
        }
        return out;
    }

    /** Writes a snapshot atomically and keeps only the latest two. May run on the I/O executor. */
    static void write(Path dir, long offset, byte[] bytes) throws IOException {
        synchronized (lockFor(dir)) {
            if (!Files.isDirectory(dir)) return; // partition deleted meanwhile
            Path target = file(dir, offset);
            Path tmp = dir.resolve(target.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            Utils.atomicMoveWithFallback(tmp, target, false);
            List<Long> offsets = list(dir);
            for (int i = 0; i < offsets.size() - 2; i++) Files.deleteIfExists(file(dir, offsets.get(i)));
        }
    }

    /** Snapshot offsets present in the directory, ascending. */
    static List<Long> list(Path dir) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(SUFFIX) && n.length() == 20 + SUFFIX.length())
                .forEach(n -> {
                    try { out.add(Long.parseLong(n.substring(0, 20))); } catch (NumberFormatException ignored) { }
                });
        }
        out.sort(Long::compare);
        return out;
    }
}
