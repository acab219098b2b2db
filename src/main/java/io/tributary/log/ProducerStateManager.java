package io.tributary.log;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Per-partition producer state: producer id to {@link ProducerStateEntry}, with the sequence, epoch and
 * transaction rules of Kafka's {@code ProducerAppendInfo}, the partition's open transactions ({@link TxnState}),
 * and snapshot files ({@link ProducerSnapshots}).
 *
 * <p>An append is checked and staged on copies ({@link Staged}), written to the segment, then committed, so a
 * refused request leaves no trace. Data batches: a lower producer epoch is fenced (INVALID_PRODUCER_EPOCH, as
 * Kafka answers since 2.7), a non-transactional batch inside an open transaction is refused (INVALID_TXN_STATE),
 * the first transactional batch opens a transaction. Markers ({@link #stageMarker}) skip sequence checks; their
 * epoch must be at least the producer's (KIP-890 part 2, transaction version 2: greater, bar the retry of the
 * marker that ended the last transaction) and their coordinator epoch at least the last one seen
 * (TRANSACTION_COORDINATOR_FENCED otherwise); they end the open transaction, if any.
 *
 * <p>Threading: the maps are owned by the partition's owner thread. {@link #writeSnapshotIfCurrent} runs on the
 * I/O executor with bytes serialized on the owner thread, under the directory's lock.
 */
final class ProducerStateManager {
    private static final Logger log = LoggerFactory.getLogger(ProducerStateManager.class);
    /** Bound on tracked producers; the least recently appending ones are evicted beyond it (never one with an open transaction). */
    static final int MAX_PRODUCERS = 100_000;

    private final Path dir;
    private final Map<Long, ProducerStateEntry> producers = new HashMap<>();
    private final TxnState txns = new TxnState();
    /**
     * Bumped by a truncation (under the directory's lock, with the snapshots above the new end deleted): a
     * snapshot serialized before it describes batches that are gone and must not be written after it.
     */
    private volatile long generation;

    ProducerStateManager(Path dir) { this.dir = dir; }

    /** Result of checking one batch: null duplicate means "append"; non-null means "already appended". */
    record Check(ProducerStateEntry.BatchMetadata duplicate) {}

    /** What the cleaner keeps for an active producer: its last data offset (-1: none in its epoch) and epoch. */
    record LastRecord(long lastDataOffset, short producerEpoch) {}

    /** The effect of one request's batches, staged on copies until the append is written. */
    static final class Staged {
        final Map<Long, ProducerStateEntry> entries = new HashMap<>();
        final List<long[]> begun = new ArrayList<>();
        final List<TxnState.Completed> completed = new ArrayList<>();
    }

    ProducerStateEntry entry(long pid) { return producers.get(pid); }

    TxnState txns() { return txns; }

    /**
     * Kafka's {@code lastRecordsOfActiveProducers}: the cleaner keeps the batch holding a producer's last
     * sequence, or, when a marker that bumped the epoch came after it, that marker (it carries the epoch that
     * fences zombies), even emptied.
     */
    Map<Long, LastRecord> lastRecords() {
        Map<Long, LastRecord> m = new HashMap<>();
        for (ProducerStateEntry e : producers.values()) {
            long last = e.batches().isEmpty() ? -1 : e.batches().peekLast().lastOffset();
            m.put(e.producerId(), new LastRecord(last, e.epoch()));
        }
        return Map.copyOf(m);
    }

    int size() { return producers.size(); }

    private ProducerStateEntry current(long pid, Staged staged) {
        return staged.entries.containsKey(pid) ? staged.entries.get(pid) : producers.get(pid);
    }

    /**
     * Validates one data batch from a client against the current state (without changing it), given entries
     * staged by earlier batches of the same request.
     */
    Check check(RecordBatch batch, Staged staged) {
        long pid = batch.producerId();
        ProducerStateEntry e = current(pid, staged);
        if (e == null) return new Check(null); // unknown producer: accept any sequence
        short epoch = batch.producerEpoch();
        int firstSeq = batch.baseSequence(), lastSeq = batch.lastSequence();
        if (epoch < e.epoch()) {
            throw new InvalidProducerEpochException("Producer " + pid + " epoch " + epoch + " is older than current epoch " + e.epoch());
        }
        if (e.inTransaction() && !batch.isTransactional()) {
            throw new InvalidTxnStateException("Expected a transactional write from producer " + pid + ", whose transaction opened at offset "
                + e.currentTxnFirstOffset() + " is ongoing");
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

    private ProducerStateEntry stagedCopy(long pid, short epoch, long appendMs, Staged staged) {
        ProducerStateEntry e = staged.entries.get(pid);
        if (e == null) {
            ProducerStateEntry cur = producers.get(pid);
            e = cur == null ? new ProducerStateEntry(pid, epoch, appendMs) : cur.copy();
            staged.entries.put(pid, e);
        }
        return e;
    }

    /** Stages the effect of an appended data batch (offsets assigned); its first transactional batch opens a transaction. */
    void stage(RecordBatch batch, long appendMs, Staged staged) {
        ProducerStateEntry e = stagedCopy(batch.producerId(), batch.producerEpoch(), appendMs, staged);
        e.addBatch(batch.producerEpoch(), new ProducerStateEntry.BatchMetadata(batch.baseSequence(), batch.lastSequence(),
            batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp()), appendMs);
        if (batch.isTransactional() && !e.inTransaction()) {
            e.beginTransaction(batch.baseOffset());
            staged.begun.add(new long[] {batch.producerId(), batch.baseOffset()});
        }
    }

    /**
     * Stages a transaction marker of {@code pid} at {@code offset}. {@code strict} (the coordinator's append)
     * checks the producer and coordinator epochs; replication and replay trust the log. Returns the transaction
     * it ends, or null when none was open (a marker with no data here is still written, as Kafka does).
     */
    TxnState.Completed stageMarker(long pid, short epoch, EndTransactionMarker marker, long offset, long appendMs, short transactionVersion,
                                   boolean strict, Staged staged) {
        ProducerStateEntry cur = current(pid, staged);
        if (strict && cur != null) {
            boolean retryOfLastMarker = transactionVersion >= 2 && epoch == cur.epoch() && !cur.inTransaction();
            boolean stale = transactionVersion >= 2 ? epoch <= cur.epoch() : epoch < cur.epoch();
            if (stale && !retryOfLastMarker) {
                throw new InvalidProducerEpochException("Marker epoch " + epoch + " of producer " + pid + " is "
                    + (transactionVersion >= 2 ? "not above" : "below") + " its current epoch " + cur.epoch() + " (transaction version "
                    + transactionVersion + ")");
            }
            if (cur.coordinatorEpoch() > marker.coordinatorEpoch()) {
                throw new TransactionCoordinatorFencedException("Marker of producer " + pid + " from coordinator epoch "
                    + marker.coordinatorEpoch() + " is older than " + cur.coordinatorEpoch());
            }
        }
        ProducerStateEntry e = stagedCopy(pid, epoch, appendMs, staged);
        TxnState.Completed done = e.inTransaction()
            ? new TxnState.Completed(pid, e.currentTxnFirstOffset(), offset, marker.controlType() == ControlRecordType.ABORT) : null;
        e.endTransaction(epoch, marker.coordinatorEpoch(), appendMs);
        if (done != null) staged.completed.add(done);
        return done;
    }

    /**
     * Makes a staged append current, after its batches are in the segment: entries, transactions opened, then
     * those ended, an aborted one indexed in {@code markerSegment} (the segment the batches went to; null when
     * its index already holds them, as in a replay of indexed batches).
     */
    void commit(Staged staged, LogSegment markerSegment) throws IOException {
        producers.putAll(staged.entries);
        for (long[] b : staged.begun) txns.begin(b[0], b[1]);
        for (TxnState.Completed c : staged.completed) txns.complete(c, markerSegment);
        if (producers.size() > MAX_PRODUCERS) evictOldest(producers.size() - MAX_PRODUCERS);
    }

    /**
     * Replay during loading and truncation: trust the log, no checks. A marker ending an aborted transaction is
     * indexed in {@code rebuildingSegment} when that segment's index is being rebuilt (null: it is there already).
     */
    void replay(RecordBatch batch, LogSegment rebuildingSegment) throws IOException {
        if (!batch.hasProducerId()) return;
        Staged staged = new Staged();
        if (batch.isControlBatch()) {
            EndTransactionMarker m = ControlBatches.marker(batch);
            if (m == null) return; // emptied by the cleaner: its transaction is gone from the log
            stageMarker(batch.producerId(), batch.producerEpoch(), m, batch.baseOffset(), batch.maxTimestamp(), (short) 0, false, staged);
        } else {
            stage(batch, batch.maxTimestamp(), staged);
        }
        commit(staged, rebuildingSegment);
    }

    /** Drops producers that have not appended for {@code expirationMs} (Kafka: producer.id.expiration.ms), except those in a transaction. */
    int removeExpired(long nowMs, long expirationMs) {
        int before = producers.size();
        producers.values().removeIf(e -> !e.inTransaction() && nowMs - e.lastAppendMs() > expirationMs);
        return before - producers.size();
    }

    private void evictOldest(int n) {
        List<ProducerStateEntry> all = new ArrayList<>(producers.values());
        all.removeIf(ProducerStateEntry::inTransaction); // its marker must find it, or the LSO would stay behind forever
        all.sort((a, b) -> Long.compare(a.lastAppendMs(), b.lastAppendMs()));
        for (int i = 0; i < Math.min(n, all.size()); i++) producers.remove(all.get(i).producerId());
    }

    void clear() {
        producers.clear();
        txns.clear();
    }

    long generation() { return generation; }

    /**
     * Truncation of the log to {@code newEnd}: snapshots above it are deleted (and any serialized before now
     * will not be written), then the state is rebuilt from the latest snapshot at or below {@code newEnd} plus
     * a replay of the batches after it (Kafka's {@code truncateAndReload} + {@code rebuildProducerState}); the
     * aborted-transaction indexes were cut with the segments. Owner thread.
     */
    void truncateAndReload(java.util.NavigableMap<Long, LogSegment> segments, long logStart, long newEnd) throws IOException {
        deleteSnapshots(newEnd);
        OptionalLong snap = loadLatestSnapshot(newEnd, newEnd);
        LogLoader.replayProducerState(segments, this, Math.max(logStart, snap.isPresent() ? snap.getAsLong() : logStart), java.util.Set.of());
    }

    /** The log was emptied: no producer state, no snapshots. Owner thread. */
    void truncateFully() throws IOException {
        deleteSnapshots(-1);
        clear();
    }

    private void deleteSnapshots(long above) throws IOException {
        synchronized (ProducerSnapshots.lockFor(dir)) {
            generation++;
            if (!Files.isDirectory(dir)) return;
            for (long off : ProducerSnapshots.list(dir)) {
                if (off > above) Files.deleteIfExists(ProducerSnapshots.file(dir, off));
            }
        }
    }

    /** {@link ProducerSnapshots#write} unless a truncation happened since {@code serializedAt} was read. I/O executor. */
    void writeSnapshotIfCurrent(long serializedAt, long offset, byte[] bytes) throws IOException {
        synchronized (ProducerSnapshots.lockFor(dir)) {
            if (serializedAt == generation) ProducerSnapshots.write(dir, offset, bytes);
        }
    }

    /** Serializes the current state (owner thread). */
    byte[] serialize() { return ProducerSnapshots.serialize(producers.values()); }

    /**
     * Loads the latest valid snapshot at or below {@code maxUsable}; deletes snapshots above {@code logEnd} (they
     * describe a truncated log) and corrupt ones. The open transactions are those of the loaded entries.
     * @return the snapshot's offset, or empty when none was loaded (state is then empty)
     */
    OptionalLong loadLatestSnapshot(long maxUsable, long logEnd) throws IOException {
        clear();
        List<Long> offsets = ProducerSnapshots.list(dir);
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long off = offsets.get(i);
            Path f = ProducerSnapshots.file(dir, off);
            if (off > logEnd) {
                Files.deleteIfExists(f);
                continue;
            }
            if (off > maxUsable) continue;
            try {
                for (ProducerStateEntry e : ProducerSnapshots.parse(Files.readAllBytes(f))) {
                    producers.put(e.producerId(), e);
                    if (e.inTransaction()) txns.begin(e.producerId(), e.currentTxnFirstOffset());
                }
                return OptionalLong.of(off);
            } catch (IOException | RuntimeException e) {
                log.warn("Discarding unreadable producer snapshot {}: {}", f, e.toString());
                clear();
                Files.deleteIfExists(f);
            }
        }
        return OptionalLong.empty();
    }
}
