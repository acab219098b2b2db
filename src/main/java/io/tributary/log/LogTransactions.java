package io.tributary.log;

import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * What the transaction coordinator needs from the log, on top of {@link LogService}'s appends and reads:
 * writing COMMIT/ABORT markers into data partitions ({@link #appendMarker}: what WriteTxnMarkers does on a
 * partition leader, and what the coordinator calls directly on a single node), and KIP-890 part 1's check
 * before a transactional produce ({@link #verify}, answered by the {@link TransactionVerifier} the coordinator
 * installs). read_committed reads and ListOffsets go through {@link LogService#read} and
 * {@link LogService#offsetForTimestamp} with {@link FetchIsolation#TXN_COMMITTED}; the last stable offset is
 * {@link PartitionLog#lastStableOffset()}.
 *
 * <p>Thread-safe: every partition operation runs on the partition's owner, results come back on the caller's
 * context.
 */
public final class LogTransactions {
    private final LogService service;
    private volatile TransactionVerifier verifier = TransactionVerifier.ACCEPT_ALL;

    LogTransactions(LogService service) {
        this.service = service;
    }

    /**
     * Appends a transaction marker on the partition's owner ({@link PartitionLog#appendMarker}); completes once it
     * is in the segment (or fsynced, under {@code flush.messages}) with its offset in {@link LogAppendInfo#firstOffset()}.
     * Fails with INVALID_PRODUCER_EPOCH or TRANSACTION_COORDINATOR_FENCED for a stale marker (nothing written), or
     * UNKNOWN_TOPIC_OR_PARTITION. Waiting fetches are woken: the last stable offset may have moved. On a cluster the
     * caller waits for replication as for an acks=all produce (the last stable offset follows the high watermark).
     */
    public Future<LogAppendInfo> appendMarker(TopicPartition tp, TxnMarker marker, int leaderEpoch) {
        return service.durable(tp, service.onOwner(tp, log -> {
            LogAppendInfo info = log.appendMarker(marker, leaderEpoch);
            service.fireAppend(tp);
            return new LogService.Appended(info, log.takeAppendFlush());
        }));
    }

    /** Installs the coordinator's KIP-890 part 1 check; null restores {@link TransactionVerifier#ACCEPT_ALL}. */
    public void setVerifier(TransactionVerifier verifier) {
        this.verifier = verifier == null ? TransactionVerifier.ACCEPT_ALL : verifier;
    }

    /**
     * Before a produce of a transactional batch: succeeds at once when no verifier is installed or the producer
     * already has a transaction open in the partition at this epoch (checked on the owner), else asks the verifier
     * and fails with the error it answers.
     */
    public Future<Void> verify(TopicPartition tp, String transactionalId, long producerId, short producerEpoch) {
        TransactionVerifier v = verifier;
        if (v == TransactionVerifier.ACCEPT_ALL) return Future.succeededFuture();
        return service.onOwner(tp, log -> log.inTransaction(producerId, producerEpoch)).compose(open -> open ? Future.<Void>succeededFuture()
            : v.verify(transactionalId, producerId, producerEpoch, tp)
                .compose(e -> e == Errors.NONE ? Future.<Void>succeededFuture() : Future.failedFuture(e.exception())));
    }
}
