package io.tributary.log;

import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class IndexTest {
    @TempDir Path dir;

    private OffsetIndex offsetIndex(long base, int maxBytes) throws Exception {
        return new OffsetIndex(new File(dir.toFile(), LogSegment.filenamePrefix(base) + ".index"), base, maxBytes);
    }

    @Test
    void offsetIndexLookupFindsLargestEntryAtOrBelowTarget() throws Exception {
        OffsetIndex idx = offsetIndex(100, 1024);
        assertEquals(new OffsetIndex.Entry(100, 0), idx.lookup(150), "empty index points at the segment start");
        for (int i = 1; i <= 10; i++) idx.append(100 + i * 10, i * 1000);
        assertEquals(new OffsetIndex.Entry(100, 0), idx.lookup(105));
        assertEquals(new OffsetIndex.Entry(110, 1000), idx.lookup(110));
        assertEquals(new OffsetIndex.Entry(150, 5000), idx.lookup(159));
        assertEquals(new OffsetIndex.Entry(200, 10000), idx.lookup(10_000));
        idx.truncateTo(150);
        assertEquals(4, idx.entries());
        assertEquals(new OffsetIndex.Entry(140, 4000), idx.lookup(10_000));
        idx.close();
    }

    @Test
    void offsetIndexRejectsOutOfOrderEntries() throws Exception {
        OffsetIndex idx = offsetIndex(0, 1024);
        idx.append(10, 100);
        assertThrows(IllegalStateException.class, () -> idx.append(10, 200));
        assertThrows(IllegalStateException.class, () -> idx.append(20, 50));
        idx.close();
    }

    @Test
    void preallocatedThenTrimmedOnClose() throws Exception {
        OffsetIndex idx = offsetIndex(0, 1024);
        File f = idx.file();
        assertEquals(1024, f.length(), "preallocated to segment.index.bytes");
        assertEquals(128, idx.maxEntries());
        idx.append(1, 10);
        idx.append(2, 20);
        idx.close();
        assertEquals(16, f.length(), "trimmed to the entries written");
        OffsetIndex reopened = offsetIndex(0, 1024);
        assertEquals(2, reopened.entries());
        assertNull(reopened.sanityCheck(3, 100));
        assertNotNull(reopened.sanityCheck(2, 100), "last entry must lie inside the segment");
        reopened.close();
    }

    @Test
    void sanityCheckRejectsPartialEntriesAndDisorder() throws Exception {
        Path f = dir.resolve(LogSegment.filenamePrefix(0) + ".index");
        Files.write(f, new byte[] {0, 0, 0, 5, 0, 0, 0, 50, 0, 0, 0, 3, 0, 0, 0, 30});
        OffsetIndex idx = new OffsetIndex(f.toFile(), 0, 1024);
        assertNotNull(idx.sanityCheck(100, 1000));
        idx.closeHandler();
        Files.write(f, new byte[] {0, 0, 0, 5, 0, 0, 0, 50, 1});
        idx = new OffsetIndex(f.toFile(), 0, 1024);
        assertTrue(idx.sanityCheck(100, 1000).contains("multiple"));
        idx.closeHandler();
    }

    @Test
    void timeIndexKeepsOnlyIncreasingTimestamps() throws Exception {
        TimeIndex idx = new TimeIndex(new File(dir.toFile(), "0.timeindex"), 50, 1200);
        assertEquals(RecordBatch.NO_TIMESTAMP, idx.lookup(1000).timestamp());
        assertEquals(50, idx.lookup(1000).offset());
        idx.maybeAppend(1000, 60);
        idx.maybeAppend(1000, 70); // same timestamp: skipped
        idx.maybeAppend(2000, 80);
        idx.maybeAppend(1500, 90); // smaller timestamp: skipped
        assertEquals(2, idx.entries());
        assertEquals(new TimeIndex.Entry(1000, 60), idx.lookup(1999));
        assertEquals(new TimeIndex.Entry(2000, 80), idx.lookup(5000));
        assertEquals(50, idx.lookup(999).offset());
        assertThrows(IllegalStateException.class, () -> idx.maybeAppend(3000, 70));
        idx.close();
    }
}
