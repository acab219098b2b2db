package io.tributary.log;

import io.tributary.log.LeaderEpochFileCache.EpochAndOffset;
import io.tributary.log.LeaderEpochFileCache.EpochEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static io.tributary.log.LogTestSupport.*;
import static org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH;
import static org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

/** Kafka's LeaderEpochFileCacheTest cases (semantics), plus the checkpoint file's exact text. */
class LeaderEpochFileCacheTest {
    @TempDir Path dir;

    private LeaderEpochFileCache cache() {
        return new LeaderEpochFileCache(TP, dir, DIRECT, List.of());
    }

    private static EpochAndOffset eo(int epoch, long offset) { return new EpochAndOffset(epoch, offset); }
    private static EpochEntry e(int epoch, long offset) { return new EpochEntry(epoch, offset); }
    private static final EpochAndOffset UNDEFINED = eo(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);

    private static LeaderEpochFileCache with(LeaderEpochFileCache c, long... epochStartPairs) {
        for (int i = 0; i < epochStartPairs.length; i += 2) c.assign((int) epochStartPairs[i], epochStartPairs[i + 1]);
        return c;
    }

    @Test
    void latestEpochAnswersWithTheLogEndOffset() {
        LeaderEpochFileCache c = with(cache(), 2, 10);
        assertEquals(OptionalInt.of(2), c.latestEpoch());
        assertEquals(List.of(e(2, 10)), c.entries());
        assertEquals(eo(2, 11), c.endOffsetFor(2, 11));
        c.assign(2, 12); // same epoch, later offset: nothing changes
        assertEquals(eo(2, 14), c.endOffsetFor(2, 14));
    }

    @Test
    void undefinedEpochRequestedGivesUndefinedWhetherEmptyOrNot() {
        assertEquals(UNDEFINED, cache().endOffsetFor(UNDEFINED_EPOCH, 73));
        assertEquals(UNDEFINED, with(cache(), 2, 11, 3, 12).endOffsetFor(UNDEFINED_EPOCH, 0));
    }

    @Test
    void emptyCacheKnowsNoEpoch() {
        LeaderEpochFileCache c = cache();
        assertEquals(OptionalInt.empty(), c.latestEpoch());
        assertEquals(UNDEFINED_EPOCH, c.latestEpochOrUndefined());
        assertEquals(UNDEFINED, c.endOffsetFor(0, 0));
        assertEquals(UNDEFINED, c.endOffsetFor(7, 0));
        c.truncateFromStart(7); // no effect, no failure
        c.truncateFromEnd(7);
        assertEquals(List.of(), c.entries());
    }

    @Test
    void anEpochOnceAssignedKeepsItsStartOffset() {
        LeaderEpochFileCache c = with(cache(), 2, 9, 2, 10);
        assertEquals(List.of(e(2, 9)), c.entries());
        assertEquals(List.of(e(2, 6)), with(cache(), 2, 6, 2, 7).entries());
    }

    @Test
    void aNewEpochAtTheSameOrAnEarlierOffsetReplacesTheConflictingEntries() {
        assertEquals(List.of(e(3, 9)), with(cache(), 2, 9, 3, 9).entries());
        assertEquals(List.of(e(3, 5)), with(cache(), 2, 6, 3, 5).entries());
    }

    @Test
    void requestedEpochBelowTheEarliestAnswersTheEarliestStart() {
        assertEquals(eo(4, 11), with(cache(), 5, 11, 6, 12, 7, 13).endOffsetFor(4, 0));
    }

    @Test
    void theLatestEpochAtAnEarlierStartTruncatesWhatFollowsIt() {
        LeaderEpochFileCache c = with(cache(), 5, 11, 6, 12, 7, 13);
        c.assign(7, 12);
        assertEquals(List.of(e(5, 11), e(7, 12)), c.entries());
        assertEquals(eo(5, 12), c.endOffsetFor(5, 0));
        assertEquals(eo(5, 12), c.endOffsetFor(6, 0));
    }

    @Test
    void anOlderEpochEndsWhereTheNextKnownEpochStarts() {
        LeaderEpochFileCache c = with(cache(), 1, 11, 1, 12, 2, 13, 2, 14, 3, 15, 3, 16);
        assertEquals(eo(2, 15), c.endOffsetFor(2, 17));
        LeaderEpochFileCache gaps = with(cache(), 0, 10, 2, 13, 4, 17);
        assertEquals(eo(0, 13), gaps.endOffsetFor(1, 0));
        assertEquals(eo(2, 17), gaps.endOffsetFor(2, 0));
        assertEquals(eo(2, 17), gaps.endOffsetFor(3, 0));
    }

    @Test
    void requestedEpochAboveTheLatestIsUndefined() {
        assertEquals(UNDEFINED, with(cache(), 2, 100).endOffsetFor(3, 100));
        assertEquals(eo(2, 7), with(cache(), 2, 6).endOffsetFor(2, 7));
    }

    @Test
    void epochsTrackedAsLeadersChange() {
        LeaderEpochFileCache c = with(cache(), 0, 0, 1, 0);
        assertEquals(OptionalInt.of(1), c.latestEpoch());
        assertEquals(eo(1, 0), c.endOffsetFor(1, 0));
        assertEquals(eo(0, 0), c.endOffsetFor(0, 0));
        assertEquals(eo(1, 5), c.endOffsetFor(1, 5));
        c.assign(2, 5);
        assertEquals(eo(2, 10), c.endOffsetFor(2, 10));
        assertEquals(eo(1, 5), c.endOffsetFor(1, 10));
        assertEquals(eo(0, 0), c.endOffsetFor(0, 10));
    }

    @Test
    void epochsTrackedAsAFollowerReceivesBatches() {
        LeaderEpochFileCache c = with(cache(), 0, 0, 0, 1, 0, 2, 1, 3, 1, 4, 1, 5, 2, 6, 2, 7, 2, 8);
        assertEquals(OptionalInt.of(2), c.latestEpoch());
        assertEquals(eo(2, 9), c.endOffsetFor(2, 9));
        assertEquals(eo(0, 3), c.endOffsetFor(0, 9));
        assertEquals(eo(1, 6), c.endOffsetFor(1, 9));
    }

    @Test
    void aStaleEpochIsIgnoredUnlikeKafkaWhichWouldDropTheNewerEntries() {
        LeaderEpochFileCache c = with(cache(), 1, 5, 2, 6);
        assertFalse(c.assign(1, 7), "an epoch older than the latest must not change the cache");
        assertEquals(List.of(e(1, 5), e(2, 6)), c.entries());
        assertEquals(OptionalInt.of(2), c.latestEpoch());
    }

    @Test
    void negativeEpochOrOffsetIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> cache().assign(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> cache().assign(0, -1));
    }

    @Test
    void truncateFromEndRemovesEntriesStartingAtOrAfterTheOffset() {
        LeaderEpochFileCache onBoundary = with(cache(), 2, 6, 3, 8, 4, 11);
        onBoundary.truncateFromEnd(8);
        assertEquals(List.of(e(2, 6)), onBoundary.entries());
        LeaderEpochFileCache between = with(cache(), 2, 6, 3, 8, 4, 11);
        between.truncateFromEnd(9);
        assertEquals(OptionalInt.of(3), between.latestEpoch());
        assertEquals(List.of(e(2, 6), e(3, 8)), between.entries());
        LeaderEpochFileCache undefined = with(cache(), 2, 6, 3, 8, 4, 11);
        undefined.truncateFromEnd(UNDEFINED_EPOCH_OFFSET);
        assertEquals(3, undefined.entries().size());
    }

    @Test
    void truncateFromStartKeepsTheEpochOfTheNewFirstOffset() {
        assertEquals(List.of(e(3, 8), e(4, 11)), truncatedFromStart(8));
        assertEquals(List.of(e(3, 9), e(4, 11)), truncatedFromStart(9));
        assertEquals(List.of(e(2, 6), e(3, 8), e(4, 11)), truncatedFromStart(1));
        assertEquals(List.of(e(2, 6), e(3, 8), e(4, 11)), truncatedFromStart(6));
        assertEquals(List.of(e(4, 11)), truncatedFromStart(11));
        assertEquals(List.of(e(4, 15)), truncatedFromStart(15));
        assertEquals(List.of(e(2, 6), e(3, 8), e(4, 11)), truncatedFromStart(UNDEFINED_EPOCH_OFFSET));
        LeaderEpochFileCache c = with(cache(), 0, 0, 1, 7, 2, 10);
        c.truncateFromStart(5);
        assertEquals(List.of(e(0, 5), e(1, 7), e(2, 10)), c.entries());
    }

    private List<EpochEntry> truncatedFromStart(long offset) {
        LeaderEpochFileCache c = with(cache(), 2, 6, 3, 8, 4, 11);
        c.truncateFromStart(offset);
        return c.entries();
    }

    @Test
    void clearRemovesEverything() {
        LeaderEpochFileCache c = with(cache(), 2, 6, 3, 8, 4, 11);
        c.clear();
        assertEquals(List.of(), c.entries());
        assertEquals(OptionalInt.empty(), c.latestEpoch());
    }

    @Test
    void epochForOffsetFindsTheEpochAnOffsetWasWrittenIn() {
        LeaderEpochFileCache c = with(cache(), 0, 10, 1, 20, 5, 30);
        assertEquals(OptionalInt.of(1), c.epochForOffset(25));
        assertEquals(OptionalInt.of(1), c.epochForOffset(20));
        assertEquals(OptionalInt.of(5), c.epochForOffset(30));
        assertEquals(OptionalInt.of(5), c.epochForOffset(50));
        assertEquals(OptionalInt.empty(), c.epochForOffset(5));
    }

    @Test
    void checkpointFileHasKafkasTextAndRoundTrips() throws Exception {
        LeaderEpochFileCache c = with(cache(), 0, 0, 3, 120, 7, 4096);
        Path f = dir.resolve("leader-epoch-checkpoint");
        assertEquals("0\n3\n0 0\n3 120\n7 4096\n", Files.readString(f, StandardCharsets.UTF_8));
        assertEquals(c.entries(), LeaderEpochFileCache.readFile(dir));
        c.truncateFromEnd(120);
        assertEquals("0\n1\n0 0\n", Files.readString(f, StandardCharsets.UTF_8));
        c.clear();
        assertEquals("0\n0\n", Files.readString(f, StandardCharsets.UTF_8));
        assertEquals(List.of(), LeaderEpochFileCache.readFile(dir));
        assertFalse(Files.exists(dir.resolve("leader-epoch-checkpoint.tmp")), "the tmp file is renamed into place");
    }

    @Test
    void checkpointWrittenByKafkaIsRead() throws Exception {
        // Kafka's own writer: version, count, then "epoch offset" lines (BufferedWriter.newLine on Linux).
        Files.writeString(dir.resolve("leader-epoch-checkpoint"), "0\n2\n0 1\n1 2\n");
        assertEquals(List.of(e(0, 1), e(1, 2)), LeaderEpochFileCache.readFile(dir));
    }

    @Test
    void missingOrDamagedCheckpointReadsAsAbsent() throws Exception {
        assertNull(LeaderEpochFileCache.readFile(dir), "no file");
        Files.writeString(dir.resolve("leader-epoch-checkpoint"), "0\n3\n0 1\n1 2\n");
        assertNull(LeaderEpochFileCache.readFile(dir), "count disagrees with the lines");
        Files.writeString(dir.resolve("leader-epoch-checkpoint"), "1\n1\n0 1\n");
        assertNull(LeaderEpochFileCache.readFile(dir), "unknown version");
        Files.writeString(dir.resolve("leader-epoch-checkpoint"), "0\n1\n0 x\n");
        assertNull(LeaderEpochFileCache.readFile(dir), "malformed entry");
    }

    @Test
    void anOverTakenWriteDoesNotReplaceANewerFile() throws Exception {
        List<Runnable> queued = new java.util.ArrayList<>();
        LeaderEpochFileCache c = new LeaderEpochFileCache(TP, dir, queued::add, List.of());
        c.assign(0, 0);
        c.assign(1, 10);
        // the I/O executor runs the second write first, then the first one
        queued.get(1).run();
        queued.get(0).run();
        assertEquals("0\n2\n0 0\n1 10\n", Files.readString(dir.resolve("leader-epoch-checkpoint")));
    }
}
