package io.tributary.log;

/**
 * One transaction marker for one partition, as the transaction coordinator asks for it (a WriteTxnMarkers
 * entry): end the ongoing transaction of {@code producerId} by COMMIT ({@code commit}) or ABORT.
 *
 * @param producerEpoch      the epoch the marker carries; it must be at least the producer's current one in
 *                           the partition ({@code transactionVersion} 2, KIP-890 part 2: strictly greater,
 *                           since the coordinator bumps the epoch at every transaction end)
 * @param coordinatorEpoch   the coordinator's epoch (its {@code __transaction_state} partition's leader epoch);
 *                           a marker from an older coordinator is refused (TRANSACTION_COORDINATOR_FENCED)
 * @param transactionVersion 0 or 1 (Kafka's TV_0/TV_1) or 2 (TV_2)
 */
public record TxnMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, short transactionVersion) {
}
