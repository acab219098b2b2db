package io.tributary.log;

import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.tributary.log.LogTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class IdempotenceTest {
    static final long PID = 1000L;
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);

    @Test
    void inOrderSequencesAreAccepted() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            assertEquals(0, log.appendAsLeader(idempotent(PID, (short) 0, 0, T0, 3), 0).firstOffset());
            assertEquals(3, log.appendAsLeader(idempotent(PID, (short) 0, 3, T0, 2), 0).firstOffset());
            assertEquals(4, log.producerStateEntry(PID).lastSeq());
        }
    }

    @Test
    void duplicateReturnsOriginalOffsetsAndAppendsNothing() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(idempotent(PID, (short) 0, 0, T0, 3), 0);
            log.appendAsLeader(batch(T0, 2), 0); // a non-idempotent batch in between
            log.appendAsLeader(idempotent(PID, (short) 0, 3, T0, 2), 0);
            long size = log.sizeInBytes();
            LogAppendInfo dup = log.appendAsLeader(idempotent(PID, (short) 0, 0, T0, 3), 0);
            assertTrue(dup.duplicate());
            assertEquals(0, dup.firstOffset());
            assertEquals(2, dup.lastOffset());
            assertEquals(size, log.sizeInBytes());
            assertEquals(7, log.logEndOffset());
        }
    }

    @Test
    void gapInSequenceIsOutOfOrder() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(idempotent(PID, (short) 0, 0, T0, 3), 0);
            assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(idempotent(PID, (short) 0, 5, T0, 1), 0));
            assertEquals(3, log.logEndOffset());
        }
    }

    @Test
    void olderEpochIsFencedAndNewEpochMustStartAtZero() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(idempotent(PID, (short) 1, 0, T0, 1), 0);
            assertThrows(InvalidProducerEpochException.class, () -> log.appendAsLeader(idempotent(PID, (short) 0, 1, T0, 1), 0));
            assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(idempotent(PID, (short) 2, 5, T0, 1), 0));
            assertEquals(1, log.appendAsLeader(idempotent(PID, (short) 2, 0, T0, 1), 0).firstOffset());
            assertEquals(2, log.producerStateEntry(PID).epoch());
        }
    }

    @Test
    void unknownProducerMayStartAtAnySequence() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            assertEquals(0, log.appendAsLeader(idempotent(PID, (short) 3, 42, T0, 2), 0).firstOffset());
            assertEquals(2, log.appendAsLeader(idempotent(PID, (short) 3, 44, T0, 2), 0).firstOffset());
        }
    }

    @Test
    void onlyTheLastFiveBatchesAreRemembered() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            for (int i = 0; i < 7; i++) log.appendAsLeader(idempotent(PID, (short) 0, i, T0, 1), 0);
            assertTrue(log.appendAsLeader(idempotent(PID, (short) 0, 2, T0, 1), 0).duplicate());
            assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(idempotent(PID, (short) 0, 1, T0, 1), 0));
        }
    }

    @Test
    void stateSurvivesCleanCloseAndReopenViaSnapshot() throws Exception {
        try (PartitionLog log = open(dir, config(), time, true)) {
            log.appendAsLeader(idempotent(PID, (short) 0, 0, T0, 3), 0);
        }
        try (Stream<Path> s = Files.list(dir.resolve("t-0"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().equals("00000000000000000003.snapshot")));
        }
        try (PartitionLog log = open(dir, config(), time, true)) {
            LogAppendInfo dup = log.appendAsLeader(idempotent(PID, (short) 0, 0, T0, 3), 0);
            assertTrue(dup.duplicate());
            assertThrows(OutOfOrderSequenceException.class, () -> log.appendAsLeader(idempotent(PID, (short) 0, 7, T0, 1), 0));
            assertEquals(3, log.appendAsLeader(idempotent(PID, (short) 0, 3, T0, 1), 0).firstOffset());
        }
    }

    @Test
    void stateIsRebuiltByReplayAfterUncleanShutdown() throws Exception {
        PartitionLog log = open(dir, config(), time, true);
        log.appendAsLeader(idempotent(PID, (short) 0, 0, T0, 3), 0);
        log.appendAsLeader(idempotent(PID, (short) 0, 3, T0, 3), 0);
        // simulate a crash: no close(), no snapshot; release handles only
        for (LogSegment s : log.segmentsSnapshot()) s.closeHandlers();
        try (PartitionLog reopened = open(dir, config(), time, false)) {
            assertEquals(6, reopened.logEndOffset());
            LogAppendInfo dup = reopened.appendAsLeader(idempotent(PID, (short) 0, 3, T0, 3), 0);
            assertTrue(dup.duplicate());
            assertEquals(3, dup.firstOffset());
            assertEquals(6, reopened.appendAsLeader(idempotent(PID, (short) 0, 6, T0, 1), 0).firstOffset());
        }
    }

    @Test
    void snapshotPlusReplayOfLaterBatchesAfterUncleanShutdown() throws Exception {
        PartitionLog log = open(dir, config(), time, true);
        log.appendAsLeader(idempotent(PID, (short) 0, 0, T0, 2), 0);
        log.roll(); // snapshot at offset 2
        log.appendAsLeader(idempotent(PID, (short) 0, 2, T0, 2), 0);
        for (LogSegment s : log.segmentsSnapshot()) s.closeHandlers();
        try (PartitionLog reopened = open(dir, config(), time, false)) {
            assertEquals(3, reopened.producerStateEntry(PID).lastSeq(), "snapshot at 2 plus replay of the batch after it");
        }
    }
}
