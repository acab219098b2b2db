package io.tributary.log;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tributary.log.LogTestSupport.*;
import static io.tributary.log.TxnTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Transactional batches, markers, the last stable offset and the aborted-transaction index of one partition log. */
class TransactionLogTest {
    static final long A = 1000, B = 2000;
    static final short E0 = 0;

    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    private Path txnIndex(long base) { return dir.resolve("t-0").resolve(LogSegment.filenamePrefix(base) + ".txnindex"); }

    @Test
    void lastStableOffsetStopsAtTheFirstOpenTransactionAndMovesWithItsMarker() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(batch(T0, 2), 0);                                 // 0-1 plain
            log.appendAsLeader(txn(A, E0, 0, T0, "a", 3), 0);                    // 2-4 A open
            log.appendAsLeader(txn(B, E0, 0, T0, "b", 2), 0);                    // 5-6 B open
            log.appendAsLeader(batch(T0, 1), 0);                                 // 7
            assertEquals(8, log.highWatermark());
            assertEquals(2, log.lastStableOffset(), "held at A's first offset");
            assertEquals(List.of("value-0", "value-1"), readCommitted(log), "read_committed stops at the LSO");
            assertEquals(8, readUncommitted(log).size(), "read_uncommitted reads to the HW");

            LogAppendInfo marker = log.appendMarker(commit(A, E0), 0);            // 8 COMMIT A
            assertEquals(8, marker.firstOffset());
            assertEquals(5, log.lastStableOffset(), "now held by B");
            log.appendMarker(abort(B, E0), 0);                                    // 9 ABORT B
            assertEquals(10, log.lastStableOffset(), "nothing open: the LSO is the HW");
            assertEquals(List.of("value-0", "value-1", "a0", "a1", "a2", "value-0"), readCommitted(log), "B's records are filtered out");
            assertEquals(List.of(), log.ongoingTransactions());

            RecordBatch m = log.read(8, 1 << 20, true, FetchIsolation.TXN_COMMITTED).records().batches().iterator().next();
            assertTrue(m.isControlBatch() && m.isTransactional(), "the marker is a transactional control batch");
            assertEquals(A, m.producerId());
            assertEquals(ControlRecordType.COMMIT, EndTransactionMarker.deserialize(m.iterator().next()).controlType());
        }
    }

    @Test
    void abortedTransactionIndexHoldsKafkasThirtyFourByteEntries() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(txn(A, E0, 0, T0, "a", 2), 0);                    // 0-1 A
            log.appendAsLeader(txn(B, E0, 0, T0, "b", 2), 0);                    // 2-3 B
            log.appendMarker(abort(A, E0), 0);                                    // 4: LSO after = B's first offset, 2
            log.appendMarker(abort(B, E0), 0);                                    // 5: LSO after = 6
            log.flush().join();
            byte[] bytes = Files.readAllBytes(txnIndex(0));
            assertEquals(2 * 34, bytes.length, "two entries of 34 bytes");
            ByteBuffer want = ByteBuffer.allocate(68);
            want.putShort((short) 0).putLong(A).putLong(0).putLong(4).putLong(2);
            want.putShort((short) 0).putLong(B).putLong(2).putLong(5).putLong(6);
            assertArrayEquals(want.array(), bytes, "version, producer id, first offset, last offset, last stable offset");

            FetchDataInfo all = log.read(0, 1 << 20, true, FetchIsolation.TXN_COMMITTED);
            assertEquals(List.of(new AbortedTxn(A, 0, 4, 2), new AbortedTxn(B, 2, 5, 6)), all.abortedTransactions());
            FetchDataInfo tail = log.read(5, 1 << 20, true, FetchIsolation.TXN_COMMITTED);
            assertEquals(List.of(new AbortedTxn(B, 2, 5, 6)), tail.abortedTransactions(), "only transactions overlapping the read");
            assertNull(log.read(0, 1 << 20, true, FetchIsolation.HIGH_WATERMARK).abortedTransactions(), "read_uncommitted lists none");
            assertEquals(List.of(), readCommitted(log));
        }
    }

    @Test
    void fencedAndInvalidAppendsAreRefusedAndWriteNothing() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(txn(A, (short) 3, 0, T0, "a", 1), 0);
            long end = log.logEndOffset();
            assertThrows(InvalidProducerEpochException.class, () -> log.appendAsLeader(txn(A, (short) 2, 1, T0, "z", 1), 0),
                "a transactional batch from an older epoch is fenced");
            assertThrows(InvalidTxnStateException.class, () -> log.appendAsLeader(idempotent(A, (short) 3, 1, T0, 1), 0),
                "no plain batch inside an open transaction");
            assertThrows(InvalidProducerEpochException.class, () -> log.appendMarker(commit(A, (short) 2), 0), "a marker below the epoch");
            assertThrows(InvalidProducerEpochException.class, () -> log.appendMarker(new TxnMarker(A, (short) 3, 0, true, (short) 2), 0),
                "transaction version 2: a marker must bump the epoch");
            assertEquals(end, log.logEndOffset(), "nothing written");
            assertEquals(0, log.lastStableOffset());

            log.appendMarker(new TxnMarker(A, (short) 4, 5, false, (short) 2), 0);   // TV2 abort, epoch bumped, coordinator epoch 5
            assertEquals(log.logEndOffset(), log.lastStableOffset());
            assertEquals(4, log.producerStateEntry(A).epoch(), "the marker's epoch is the producer's now");
            assertThrows(TransactionCoordinatorFencedException.class, () -> log.appendMarker(new TxnMarker(A, (short) 5, 4, true, (short) 2), 0),
                "a marker from an older coordinator");
            long before = log.logEndOffset();
            log.appendMarker(new TxnMarker(A, (short) 4, 5, false, (short) 2), 0);   // the coordinator's retry of the same marker
            assertEquals(before + 1, log.logEndOffset(), "a retried TV2 marker is written again, as Kafka allows");
            log.appendAsLeader(txn(A, (short) 4, 0, T0, "n", 1), 0);                 // next transaction at the bumped epoch
            assertEquals(before + 1, log.lastStableOffset(), "a new transaction opens at sequence 0");
        }
    }

    @Test
    void listOffsetsReadCommittedLatestIsTheLastStableOffset() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(batch(T0, 2), 0);
            log.appendAsLeader(txn(A, E0, 0, T0 + 10, "a", 2), 0);
            assertEquals(2, log.offsetForTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP, FetchIsolation.TXN_COMMITTED).orElseThrow().offset);
            assertEquals(4, log.offsetForTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP, FetchIsolation.HIGH_WATERMARK).orElseThrow().offset);
            assertTrue(log.offsetForTimestamp(T0 + 10, FetchIsolation.TXN_COMMITTED).isEmpty(), "the open transaction's records are not visible");
            assertEquals(2, log.offsetForTimestamp(T0 + 10, FetchIsolation.HIGH_WATERMARK).orElseThrow().offset);
        }
    }

    @Test
    void anOpenTransactionSurvivesACleanRestartInTheSnapshot() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(batch(T0, 1), 0);
            log.appendAsLeader(txn(A, E0, 0, T0, "a", 2), 0);
        }
        byte[] snap = Files.readAllBytes(ProducerSnapshots.file(dir.resolve("t-0"), 3));
        assertEquals(2, ByteBuffer.wrap(snap).getInt(), "snapshot version 2");
        try (PartitionLog log = open(dir, config(), time, true)) {
            assertEquals(1, log.lastStableOffset(), "still held at the open transaction");
            assertEquals(1, log.producerStateEntry(A).currentTxnFirstOffset());
            log.appendMarker(abort(A, E0), 0);
            assertEquals(List.of(new AbortedTxn(A, 1, 3, 4)), log.collectAbortedTransactions(0, 4));
            assertEquals(List.of("value-0"), readCommitted(log));
        }
    }

    @Test
    void versionOneSnapshotsAreStillRead() throws Exception {
        ProducerStateEntry e = new ProducerStateEntry(A, (short) 7, T0);
        e.addBatch((short) 7, new ProducerStateEntry.BatchMetadata(0, 4, 10, 14, T0), T0);
        ByteBuffer body = ByteBuffer.allocate(4 + 8 + 2 + 8 + 4 + 32);
        body.putInt(1).putLong(A).putShort((short) 7).putLong(T0).putInt(1).putInt(0).putInt(4).putLong(10).putLong(14).putLong(T0);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(body.array());
        ByteBuffer v1 = ByteBuffer.allocate(8 + body.capacity()).putInt(1).putInt((int) crc.getValue()).put(body.array());
        List<ProducerStateEntry> read = ProducerSnapshots.parse(v1.array());
        assertEquals(1, read.size());
        assertEquals(7, read.get(0).epoch());
        assertEquals(4, read.get(0).lastSeq());
        assertFalse(read.get(0).inTransaction(), "version 1 knew no transactions");
        assertEquals(e.toString(), read.get(0).toString());
    }

    @Test
    void followerAppendOfMarkersIndexesAndTracksLikeTheLeader() throws Exception {
        Path fdir = dir.resolve("follower");
        try (PartitionLog leader = open(dir, config(), time, true);
             PartitionLog follower = PartitionLog.open(fdir, TP, config(), time, DIRECT, true)) {
            leader.appendAsLeader(txn(A, E0, 0, T0, "a", 2), 0);
            leader.appendAsLeader(txn(B, E0, 0, T0, "b", 1), 0);
            leader.appendMarker(abort(A, E0), 0);
            follower.appendAsFollower((org.apache.kafka.common.record.internal.MemoryRecords) toMemory(leader.read(0, 1 << 20, true,
                FetchIsolation.LOG_END)));
            assertEquals(leader.collectAbortedTransactions(0, 10), follower.collectAbortedTransactions(0, 10));
            assertEquals(2, follower.lastStableOffset(), "B is open on the follower too");
            assertEquals(leader.ongoingTransactions().size(), follower.ongoingTransactions().size());
        }
    }

    static org.apache.kafka.common.record.internal.Records toMemory(FetchDataInfo info) throws Exception {
        return org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(bytesOf(info.records()));
    }
}
