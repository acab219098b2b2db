package io.tributary.log;

import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * The per-partition offsets that must survive a restart.
 *
 * <p>On disk: {@code <partition dir>/partition.checkpoint}, a Java properties text file with keys
 * {@code version=1}, {@code logStartOffset}, {@code recoveryPoint} (every offset below it is fsynced)
 * and {@code highWatermark}. Written to {@code partition.checkpoint.tmp}, fsynced and atomically
 * renamed, so a crash leaves either the old or the new file.
 *
 * <p>Immutable value; {@link #write} may run on any thread (the I/O executor in normal operation).
 */
record PartitionCheckpoint(long logStartOffset, long recoveryPoint, long highWatermark) {
    static final String FILE = "partition.checkpoint";

    static PartitionCheckpoint read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) return null;
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(f, StandardCharsets.UTF_8)));
        try {
            return new PartitionCheckpoint(Long.parseLong(p.getProperty("logStartOffset", "0")),
                Long.parseLong(p.getProperty("recoveryPoint", "0")), Long.parseLong(p.getProperty("highWatermark", "0")));
        } catch (NumberFormatException e) {
            return null; // treated as absent: full recovery from the log
        }
    }

    void write(Path dir) throws IOException {
        String text = "version=1\nlogStartOffset=" + logStartOffset + "\nrecoveryPoint=" + recoveryPoint
            + "\nhighWatermark=" + highWatermark + "\n";
        writeAtomically(dir.resolve(FILE), text.getBytes(StandardCharsets.UTF_8));
    }

    /** tmp file, fsync, rename: the pattern every metadata file of the log engine uses. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Utils.atomicMoveWithFallback(tmp, target, false);
    }
}
