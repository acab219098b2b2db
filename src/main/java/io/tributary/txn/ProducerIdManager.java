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
 * <p>On a single node the blocks come from {@code <dataDir>/meta/producer-id-block}, one decimal number, the
 * first id not yet reserved. In a cluster they come from a {@link BlockSource} the cluster provides (Kafka's
 * {@code /latest_producer_id_block} znode), so ids are unique across brokers. Blocking (a file write and fsync,
 * or a round through the coordination service, once per block): call from a worker. Thread-safe.
 */
public final class ProducerIdManager {
    static final long BLOCK_SIZE = 1000;

    /** Reserves the next block of ids; blocking. */
    @FunctionalInterface
    public interface BlockSource {
        /** @return the first id of a block of {@code size} ids no one else holds */
        long reserve(long size) throws IOException;
    }

    private final Path file;
    private final BlockSource source;
    private long next;
    private long blockEnd;

    /** Cluster mode: blocks from the cluster. */
    public ProducerIdManager(BlockSource source) {
        this.file = null;
        this.source = source;
    }

    public ProducerIdManager(Path dataDir) throws IOException {
        this.source = null;
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
            if (source != null) {
                next = source.reserve(BLOCK_SIZE);
                blockEnd = next + BLOCK_SIZE;
            } else {
                long end = next + BLOCK_SIZE;
                persist(end);
                blockEnd = end;
            }
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
