package io.tributary.log;

import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.tributary.log.CompactionSupport.*;
import static io.tributary.log.LogTestSupport.T0;
import static io.tributary.log.LogTestSupport.bytesOf;
import static io.tributary.log.LogTestSupport.config;
import static org.junit.jupiter.api.Assertions.*;

/** Swapping cleaned segments in: readers, concurrent retention, crashes at each step. */
class CompactionSwapTest {
    @TempDir Path dir;
    final ManualTime time = new ManualTime(T0);
    final LogCleaner cleaner = LogCleaner.manual(CLEANER, time);

    @AfterEach
    void stopCleaner() { cleaner.close(); }

    private Path partDir() { return dir.resolve("t-0"); }

    private static LogConfig compact(String... kv) {
        String[] all = new String[kv.length + 4];
        all[0] = TopicConfig.CLEANUP_POLICY_CONFIG;
        all[1] = TopicConfig.CLEANUP_POLICY_COMPACT;
        all[2] = TopicConfig.SEGMENT_BYTES_CONFIG;
        all[3] = "1024";
        System.arraycopy(kv, 0, all, 4, kv.length);
        return config(all);
    }

    /** 10 keys x 20 updates, rolled: 200 records, 10 distinct keys, latest at offsets 190..199. */
    private static void fill(PartitionLog log) {
        for (int i = 0; i < 200; i++) log.appendAsLeader(one(T0, "k" + (i % 10), "v" + i), 0);
        log.roll();
    }

    /** Runs a round up to (not including) the owner-side swap. */
    private Cleaner.Result cleanedButNotSwapped(PartitionLog log) throws Exception {
        CompletableFuture<Cleaner.Result> f = log.maybeStartCleaning();
        assertNotNull(f);
        cleaner.runPending();
        return f.get();
    }

    /** Releases every handle without close(): what a kill -9 leaves. */
    private static void crash(PartitionLog log, Cleaner.Result r) throws Exception {
        for (LogSegment s : log.segmentsSnapshot()) s.closeHandlers();
        if (r != null) for (Cleaner.Group g : r.groups()) g.cleaned().closeHandlers();
    }

    @Test
    void aReaderHoldingASliceOfAnOldSegmentReadsItAfterTheSwap() throws Exception {
        try (PartitionLog log = open(dir, compact(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "60000"), time, cleaner, true)) {
            fill(log);
            FetchDataInfo inFlight = log.read(0, 1 << 20, true);
            ByteBuffer before = bytesOf(inFlight.records());
            assertTrue(cleanOnce(log, cleaner));
            assertTrue(inFlight.channel().isOpen(), "old segment renamed to .deleted, channel still open");
            assertEquals(before, bytesOf(inFlight.records()), "the same bytes are still readable");
            assertTrue(countFiles(partDir(), ".log.deleted") > 0);
            time.advance(60_000);
            log.tick();
            assertFalse(inFlight.channel().isOpen(), "closed at the delayed physical delete");
            assertEquals(0, countFiles(partDir(), ".deleted"));
        }
    }

    @Test
    void aRoundWhoseSourceSegmentWasDeletedMeanwhileIsDiscarded() throws Exception {
        LogConfig cfg = compact(TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete", TopicConfig.RETENTION_BYTES_CONFIG, "-1",
            TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "60000");
        try (PartitionLog log = open(dir, cfg, time, cleaner, true)) {
            fill(log);
            Cleaner.Result r = cleanedButNotSwapped(log);
            assertTrue(countFiles(partDir(), ".cleaned") > 0, "cleaned files written, not yet visible");
            // retention runs on the owner while the round was in flight
            log.updateConfig(compact(TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete", TopicConfig.RETENTION_BYTES_CONFIG, "2048",
                TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "60000"));
            assertTrue(log.deleteOldSegments() > 0);
            long start = log.logStartOffset();
            assertFalse(log.completeCleaning(), "a source segment is gone: the round is discarded");
            assertFalse(log.cleaningInFlight());
            assertEquals(0, countFiles(partDir(), ".cleaned"), "its files are removed");
            assertEquals(200 - start, readAll(log).size(), "the log is as retention left it");
        }
    }

    @Test
    void leftoverCleanedFilesAreRemovedOnReload() throws Exception {
        PartitionLog log = open(dir, compact(), time, cleaner, true);
        fill(log);
        Cleaner.Result r = cleanedButNotSwapped(log);
        assertTrue(countFiles(partDir(), ".cleaned") > 0);
        crash(log, r);
        try (PartitionLog reopened = open(dir, compact(), time, cleaner, false)) {
            assertEquals(0, countFiles(partDir(), ".cleaned"));
            assertEquals(200, readAll(reopened).size(), "nothing was swapped: the log is uncompacted and whole");
            assertEquals(200, reopened.logEndOffset());
            assertTrue(cleanOnce(reopened, cleaner), "and can be cleaned again");
            assertEquals(10, readAll(reopened).size());
        }
    }

    @Test
    void aLeftoverSwapIsCompletedOnReload() throws Exception {
        PartitionLog log = open(dir, compact(), time, cleaner, true);
        fill(log);
        Cleaner.Result r = cleanedButNotSwapped(log);
        // crash right after the commit point: cleaned files renamed to .swap, sources not yet renamed
        for (Cleaner.Group g : r.groups()) g.cleaned().changeFileSuffixes(LogSegment.CLEANED_SUFFIX, LogSegment.SWAP_SUFFIX);
        crash(log, r);
        try (PartitionLog reopened = open(dir, compact(), time, cleaner, false)) {
            assertEquals(0, countFiles(partDir(), ".swap"));
            List<Read> read = readAll(reopened);
            assertEquals(10, read.size(), "the swap was completed: " + read);
            for (int k = 0; k < 10; k++) assertEquals(190 + k, read.get(k).offset());
            assertEquals(200, reopened.logEndOffset());
            assertEquals(200, reopened.appendAsLeader(one(T0, "k0", "v200"), 0).firstOffset());
        }
    }

    @Test
    void aSwapInterruptedAfterSomeSourcesWereRenamedCompletesToo() throws Exception {
        PartitionLog log = open(dir, compact(), time, cleaner, true);
        fill(log);
        Cleaner.Result r = cleanedButNotSwapped(log);
        Cleaner.Group first = r.groups().get(0);
        for (Cleaner.Group g : r.groups()) g.cleaned().changeFileSuffixes(LogSegment.CLEANED_SUFFIX, LogSegment.SWAP_SUFFIX);
        first.sources().get(0).markDeleted(); // one source already renamed to .deleted
        first.cleaned().changeFileSuffixes(LogSegment.SWAP_SUFFIX, ""); // and its replacement already in place
        crash(log, r);
        try (PartitionLog reopened = open(dir, compact(), time, cleaner, false)) {
            assertEquals(0, countFiles(partDir(), ".swap") + countFiles(partDir(), ".deleted"));
            assertEquals(10, readAll(reopened).size());
            assertEquals(200, reopened.logEndOffset());
        }
    }

    @Test
    void cleanedLogReloadsAfterCleanShutdownWithCheckpoint() throws Exception {
        try (PartitionLog log = open(dir, compact(), time, cleaner, true)) {
            fill(log);
            assertTrue(cleanOnce(log, cleaner));
        }
        try (PartitionLog log = open(dir, compact(), time, cleaner, true)) {
            assertEquals(10, readAll(log).size());
            assertEquals(200, log.firstDirtyOffset(), "the cleaner checkpoint survives a restart");
            assertNull(log.maybeStartCleaning(), "nothing dirty");
        }
    }

    @Test
    void closingTheLogDiscardsAFinishedRoundThatWasNotSwapped() throws Exception {
        PartitionLog log = open(dir, compact(), time, cleaner, true);
        fill(log);
        cleanedButNotSwapped(log);
        log.close();
        assertEquals(0, countFiles(partDir(), ".cleaned"));
        try (PartitionLog reopened = open(dir, compact(), time, cleaner, true)) {
            assertEquals(200, readAll(reopened).size());
        }
    }

    @Test
    void tickStartsARoundAndSwapsItInWhenDone() throws Exception {
        try (PartitionLog log = open(dir, compact(), time, cleaner, true)) {
            fill(log);
            log.tick();
            assertTrue(log.cleaningInFlight(), "tick started a round");
            log.tick();
            assertTrue(log.cleaningInFlight(), "the owner does not wait for the cleaner");
            cleaner.runPending();
            log.tick();
            assertFalse(log.cleaningInFlight());
            assertEquals(10, readAll(log).size());
            log.tick(); // nothing dirty: backs off
            assertFalse(log.cleaningInFlight());
        }
    }
}
