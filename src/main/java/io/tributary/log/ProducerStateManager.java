package io.tributary.log;

import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Per-partition idempotent-producer state: producer id to {@link ProducerStateEntry}, with the
 * sequence rules of Kafka's {@code ProducerAppendInfo}, plus snapshot files.
 *
 * <p>Snapshot format ({@code <20-digit offset>.snapshot} in the partition directory, offset = the log
 * end offset the state covers): {@code int version(1), int crc32c(of the rest), int count}, then per
 * producer {@code long pid, short epoch, long lastAppendMs, int n}, then n times
 * {@code int firstSeq, int lastSeq, long firstOffset, long lastOffset, long maxTimestamp}. Written to a
 * tmp file, fsynced, renamed; the latest two are kept.
 *
 * <p>Threading: the map is owned by the partition's owner thread. {@link #writeSnapshot} is called
 * with bytes serialized on the owner thread and may run on the I/O executor; it synchronizes on the
 * directory so concurrent snapshot writes do not race on cleanup.
 */
final class ProducerStateManager {
    private static final Logger log = LoggerFactory.getLogger(ProducerStateManager.class);
    static final String SNAPSHOT_SUFFIX = ".snapshot";
    private static final int VERSION = 1;
    /** Bound on tracked producers; the least recently appending ones are evicted beyond it. */
    static final int MAX_PRODUCERS = 100_000;

    private final Path dir;
    private final Map<Long, ProducerStateEntry> producers = new HashMap<>();
    /**
     * Bumped by a truncation (under the directory's lock, with the snapshots above the new end deleted): a
     * snapshot serialized before it describes batches that are gone and must not be written after it.
     */
    private volatile long generation;

    ProducerStateManager(Path dir) { this.dir = dir; }

    /** Result of checking one batch: null duplicate means "append"; non-null means "already appended". */
    record Check(ProducerStateEntry.BatchMetadata duplicate) {}

    ProducerStateEntry entry(long pid) { return producers.get(pid); }

    /**
     * Producer id to the last offset of its last batch: the cleaner keeps those batches (even emptied)
     * so that the sequence state survives compaction, as Kafka's {@code lastRecordsOfActiveProducers}.
     */
    Map<Long, Long> lastOffsets() {
        Map<Long, Long> m = new HashMap<>();
        for (ProducerStateEntry e : producers.values()) {
            if (!e.batches().isEmpty()) m.put(e.producerId(), e.batches().peekLast().lastOffset());
        }
        return Map.copyOf(m);
    }
    int size() { return producers.size(); }

    /**
     * Validates one batch against the current state (without changing it), given entries staged by
     * earlier batches of the same request in {@code staged}.
     */
    Check check(RecordBatch batch, Map<Long, ProducerStateEntry> staged) {
        long pid = batch.producerId();
        ProducerStateEntry e = staged.containsKey(pid) ? staged.get(pid) : producers.get(pid);
        if (e == null) return new Check(null); // unknown producer: accept any sequence
        short epoch = batch.producerEpoch();
        int firstSeq = batch.baseSequence(), lastSeq = batch.lastSequence();
        if (epoch < e.epoch()) {
            throw new InvalidProducerEpochException("Producer " + pid + " epoch " + epoch + " is older than current epoch " + e.epoch());
        }
        if (epoch > e.epoch()) {
            if (firstSeq != 0) {
                throw new OutOfOrderSequenceException("Producer " + pid + " new epoch " + epoch + " must start at sequence 0, got " + firstSeq);
            }
            return new Check(null);
        }
        ProducerStateEntry.BatchMetadata dup = e.findDuplicate(firstSeq, lastSeq);
        if (dup != null) return new Check(dup);
        int last = e.lastSeq();
        boolean inSequence = e.batches().isEmpty() || firstSeq == last + 1 || (firstSeq == 0 && last == Integer.MAX_VALUE);
        if (!inSequence) {
            throw new OutOfOrderSequenceException("Producer " + pid + " out of order sequence: expected " + (last + 1) + ", got " + firstSeq);
        }
        return new Check(null);
    }

    /** Stages the effect of an appended batch on a copy held in {@code staged}. */
    void stage(RecordBatch batch, long appendMs, Map<Long, ProducerStateEntry> staged) {
        long pid = batch.producerId();
        ProducerStateEntry e = staged.get(pid);
        if (e == null) {
            ProducerStateEntry cur = producers.get(pid);
            e = cur == null ? new ProducerStateEntry(pid, batch.producerEpoch(), appendMs) : cur.copy();
            staged.put(pid, e);
        }
        e.addBatch(batch.producerEpoch(), new ProducerStateEntry.BatchMetadata(batch.baseSequence(), batch.lastSequence(),
            batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp()), appendMs);
    }

    void commit(Map<Long, ProducerStateEntry> staged) {
        producers.putAll(staged);
        if (producers.size() > MAX_PRODUCERS) evictOldest(producers.size() - MAX_PRODUCERS);
    }

    /** Replay during loading: trust the log, no sequence checks. */
    void replay(RecordBatch batch) {
        if (!batch.hasProducerId()) return;
        Map<Long, ProducerStateEntry> staged = new HashMap<>();
        stage(batch, batch.maxTimestamp(), staged);
        commit(staged);
    }

    /** Drops producers that have not appended for {@code expirationMs} (Kafka: producer.id.expiration.ms). */
    int removeExpired(long nowMs, long expirationMs) {
        int before = producers.size();
        producers.values().removeIf(e -> nowMs - e.lastAppendMs() > expirationMs);
        return before - producers.size();
    }

    private void evictOldest(int n) {
        List<ProducerStateEntry> all = new ArrayList<>(producers.values());
        all.sort((a, b) -> Long.compare(a.lastAppendMs(), b.lastAppendMs()));
        for (int i = 0; i < n; i++) producers.remove(all.get(i).producerId());
    }

    void clear() { producers.clear(); }

    long generation() { return generation; }

    /**
     * Truncation of the log to {@code newEnd}: snapshots above it are deleted (and any serialized before now
     * will not be written), then the state is rebuilt from the latest snapshot at or below {@code newEnd} plus
     * a replay of the batches after it (Kafka's {@code truncateAndReload} + {@code rebuildProducerState}).
     * Snapshots are taken at every roll, so the replay reads the batch headers of about one segment. Owner thread.
     */
    void truncateAndReload(java.util.NavigableMap<Long, LogSegment> segments, long logStart, long newEnd) throws IOException {
        deleteSnapshots(newEnd);
        OptionalLong snap = loadLatestSnapshot(newEnd);
        LogLoader.replayProducerState(segments, this, Math.max(logStart, snap.isPresent() ? snap.getAsLong() : logStart));
    }

    /** The log was emptied: no producer state, no snapshots. Owner thread. */
    void truncateFully() throws IOException {
        deleteSnapshots(-1);
        producers.clear();
    }

    private void deleteSnapshots(long above) throws IOException {
        synchronized (lockFor(dir)) {
            generation++;
            if (!Files.isDirectory(dir)) return;
            for (long off : listSnapshots(dir)) {
                if (off > above) Files.deleteIfExists(snapshotFile(dir, off));
            }
        }
    }

    /** {@link #writeSnapshot} unless a truncation happened since {@code serializedAt} was read. I/O executor. */
    void writeSnapshotIfCurrent(long serializedAt, long offset, byte[] bytes) throws IOException {
        synchronized (lockFor(dir)) {
            if (serializedAt == generation) writeSnapshot(dir, offset, bytes);
        }
    }

    private static Object lockFor(Path dir) { return dir.toString().intern(); }

    static Path snapshotFile(Path dir, long offset) { return dir.resolve(LogSegment.filenamePrefix(offset) + SNAPSHOT_SUFFIX); }

    /** Serializes the current state (owner thread). */
    byte[] serialize() {
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(body);
            out.writeInt(producers.size());
            for (ProducerStateEntry e : producers.values()) {
                out.writeLong(e.producerId());
                out.writeShort(e.epoch());
                out.writeLong(e.lastAppendMs());
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

    /** Writes a snapshot atomically and keeps only the latest two. May run on the I/O executor. */
    static void writeSnapshot(Path dir, long offset, byte[] bytes) throws IOException {
        synchronized (lockFor(dir)) {
            if (!Files.isDirectory(dir)) return; // partition deleted meanwhile
            Path target = snapshotFile(dir, offset);
            Path tmp = dir.resolve(target.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            Utils.atomicMoveWithFallback(tmp, target, false);
            List<Long> offsets = listSnapshots(dir);
            for (int i = 0; i < offsets.size() - 2; i++) Files.deleteIfExists(snapshotFile(dir, offsets.get(i)));
        }
    }

    /** Snapshot offsets present in the directory, ascending. */
    static List<Long> listSnapshots(Path dir) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(SNAPSHOT_SUFFIX) && n.length() == 20 + SNAPSHOT_SUFFIX.length())
                .forEach(n -> {
                    try { out.add(Long.parseLong(n.substring(0, 20))); } catch (NumberFormatException ignored) { }
                });
        }
        out.sort(Long::compare);
        return out;
    }

    /**
     * Loads the latest valid snapshot at or below {@code maxOffset}; deletes snapshots above it
     * (they describe a truncated log) and corrupt ones.
     * @return the snapshot's offset, or empty when none was loaded (state is then empty)
     */
    OptionalLong loadLatestSnapshot(long maxOffset) throws IOException {
        producers.clear();
        List<Long> offsets = listSnapshots(dir);
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long off = offsets.get(i);
            Path f = snapshotFile(dir, off);
            if (off > maxOffset) {
                Files.deleteIfExists(f);
                continue;
            }
            try {
                read(Files.readAllBytes(f));
                return OptionalLong.of(off);
            } catch (IOException | RuntimeException e) {
                log.warn("Discarding unreadable producer snapshot {}: {}", f, e.toString());
                producers.clear();
                Files.deleteIfExists(f);
            }
        }
        return OptionalLong.empty();
    }

    private void read(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (buf.getInt() != VERSION) throw new CorruptRecordException("unknown snapshot version");
        int crc = buf.getInt();
        CRC32C c = new CRC32C();
        c.update(bytes, 8, bytes.length - 8);
        if ((int) c.getValue() != crc) throw new CorruptRecordException("snapshot CRC mismatch");
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 8, bytes.length - 8));
        int count = in.readInt();
        if (count < 0 || count > MAX_PRODUCERS) throw new CorruptRecordException("bad producer count " + count);
        for (int i = 0; i < count; i++) {
            long pid = in.readLong();
            short epoch = in.readShort();
            long lastAppend = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > ProducerStateEntry.NUM_BATCHES_TO_RETAIN) throw new CorruptRecordException("bad batch count " + n);
            ProducerStateEntry e = new ProducerStateEntry(pid, epoch, lastAppend);
            for (int j = 0; j < n; j++) {
                e.addBatch(epoch, new ProducerStateEntry.BatchMetadata(in.readInt(), in.readInt(), in.readLong(), in.readLong(), in.readLong()), lastAppend);
            }
            producers.put(pid, e);
        }
    }
}
