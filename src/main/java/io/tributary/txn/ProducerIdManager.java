package io.tributary.txn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;

/**
 * Hands out producer ids for InitProducerId. Ids are reserved in blocks: the end of the current block
 * is made durable before any id from it is handed out, so ids are never reused across restarts or
 * crashes (a crash just skips the rest of a block).
 *
 * <p>On disk: {@code <dataDir>/meta/producer-id-block}, one decimal number, the first id not yet
 * reserved. Blocking (writes and fsyncs the file once per block): call from a worker. Thread-safe.
 */
public final class ProducerIdManager {
    static final long BLOCK_SIZE = 1000;

    private final Path file;
    private long next;
    private long blockEnd;

    public ProducerIdManager(Path dataDir) throws IOException {
        Path meta = dataDir.resolve("meta");
        Files.createDirectories(meta);
        this.file = meta.resolve("producer-id-block");
        long reserved = 0;
        if (Files.exists(file)) {
            String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
            reserved = s.isEmpty() ? 0 : Long.parseLong(s);
        }
        this.next = reserved;
        this.blockEnd = reserved;
    }

    public synchronized long nextProducerId() throws IOException {
        if (next >= blockEnd) {
            long end = next + BLOCK_SIZE;
            persist(end);
            blockEnd = end;
        }
        return next++;
    }

    private void persist(long reservedUpTo) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(Long.toString(reservedUpTo).getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
