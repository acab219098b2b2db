package io.tributary.log;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The cleaner's progress for one partition: the first dirty offset, below which the log has been
 * compacted (Kafka keeps the same number per partition in {@code cleaner-offset-checkpoint}).
 *
 * <p>On disk: {@code <partition dir>/cleaner-offset-checkpoint}, a properties text file
 * {@code version=1}, {@code firstDirtyOffset=N}; written tmp + fsync + rename after each swap. Losing
 * it only means the next round treats the whole log as dirty.
 *
 * <p>Stateless helpers; {@link #write} runs on the I/O executor.
 */
final class CleanerCheckpoint {
    static final String FILE = "cleaner-offset-checkpoint";

    private CleanerCheckpoint() {}

    /** The stored first dirty offset, or -1 when absent or unreadable. */
    static long read(Path dir) {
        Path f = dir.resolve(FILE);
        try {
            if (!Files.exists(f)) return -1;
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(f, StandardCharsets.UTF_8)));
            return Long.parseLong(p.getProperty("firstDirtyOffset", "-1").trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static void write(Path dir, long firstDirtyOffset) throws IOException {
        String text = "version=1\nfirstDirtyOffset=" + firstDirtyOffset + "\n";
        PartitionCheckpoint.writeAtomically(dir.resolve(FILE), text.getBytes(StandardCharsets.UTF_8));
    }
}
