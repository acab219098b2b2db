package io.tributary.log;

import io.tributary.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.tributary.log.LogTestSupport.*;
import static io.tributary.log.TxnTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Apache Kafka's kafka-dump-log.sh (org.apache.kafka.tools.DumpLogSegments, same version as our clients) reads our segments, markers included. */
class TxnDumpLogSegmentsTest {
    @TempDir Path dir;

    @Test
    void dumpLogSegmentsShowsOurMarkersAndAbortedTransactionIndex() throws Exception {
        try (PartitionLog log = open(dir, config(), new ManualTime(T0), true)) {
            log.appendAsLeader(txn(1000, (short) 0, 0, T0, "a", 2), 0);   // 0-1
            log.appendAsLeader(txn(2000, (short) 0, 0, T0, "b", 2), 0);   // 2-3
            log.appendMarker(new TxnMarker(1000, (short) 0, 7, true, (short) 0), 0);   // 4 COMMIT, coordinator epoch 7
            log.appendMarker(new TxnMarker(2000, (short) 0, 7, false, (short) 0), 0);  // 5 ABORT
        }
        Path seg = dir.resolve("t-0").resolve(LogSegment.filenamePrefix(0));
        Processes.Result r = Processes.java("org.apache.kafka.tools.DumpLogSegments",
            List.of("--files", seg + ".log," + seg + ".txnindex", "--print-data-log"), null, 90);
        assertEquals(0, r.exitCode(), r.all());
        String out = r.stdout();
        assertTrue(out.contains("isTransactional: true"), out);
        assertTrue(out.contains("isControl: true"), out);
        assertTrue(out.contains("endTxnMarker: COMMIT coordinatorEpoch: 7"), out);
        assertTrue(out.contains("endTxnMarker: ABORT coordinatorEpoch: 7"), out);
        assertTrue(out.contains("producerId: 1000") && out.contains("payload: a1"), out);
        assertTrue(out.contains("version: 0 producerId: 2000 firstOffset: 2 lastOffset: 5 lastStableOffset: 6"),
            "the aborted-transaction index as Kafka reads it: " + out);
        assertFalse(r.stderr().contains("Exception"), r.stderr());
    }
}
