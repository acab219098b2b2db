package io.tributary.log;

import org.apache.kafka.common.record.internal.Records;

import java.nio.channels.FileChannel;
import java.util.List;

/**
 * Result of {@link PartitionLog#read}. {@code channel}/{@code filePosition}/{@code sizeInBytes} name
 * the exact bytes to send with {@code FileChannel.transferTo} (zero copy); {@code channel} is null and
 * {@code sizeInBytes} 0 when there is nothing to return. {@code records} is the same bytes as a
 * {@code FileRecords} slice, or {@code MemoryRecords.EMPTY}. Always whole batches.
 *
 * <p>{@code abortedTransactions}: for a read_committed read ({@link FetchIsolation#TXN_COMMITTED}), the aborted
 * transactions overlapping the returned batches (empty when nothing is returned), which a read_committed client
 * uses to drop their records; null for other reads.
 *
 * <p>The channel stays open until the segment is physically deleted (file.delete.delay.ms after a
 * retention delete), so a send already in progress completes.
 */
public record FetchDataInfo(long fetchOffset, Records records, FileChannel channel, long filePosition, int sizeInBytes,
                            long highWatermark, long logStartOffset, long logEndOffset, long lastStableOffset,
                            List<AbortedTxn> abortedTransactions) {
    /** What the Fetch response lists: producer id and first offset of each aborted transaction; null for none asked. */
    public List<org.apache.kafka.common.message.FetchResponseData.AbortedTransaction> abortedForResponse() {
        return abortedTransactions == null ? null : abortedTransactions.stream().map(AbortedTxn::toFetchResponse).toList();
    }
}
