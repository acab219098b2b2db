package io.tributary.log;

import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * KIP-890 part 1's check, the seam the transaction coordinator plugs into ({@link LogTransactions#setVerifier}):
 * before a partition leader appends the first transactional batch of a producer that has no open transaction in
 * the partition, it asks the producer's coordinator whether the partition was added to that producer's ongoing
 * transaction (Kafka sends AddPartitionsToTxn v4+ with {@code verifyOnly}). Without it a late batch from an
 * ended transaction would open a "hanging" transaction that holds the last stable offset back forever (Jepsen's
 * Bufstream analysis, 2024).
 *
 * <p>The default, {@link #ACCEPT_ALL}, accepts everything (as before transactions existed); {@link LogTransactions}
 * then skips the check entirely.
 */
@FunctionalInterface
public interface TransactionVerifier {
    TransactionVerifier ACCEPT_ALL = (transactionalId, producerId, producerEpoch, tp) -> Future.succeededFuture(Errors.NONE);

    /**
     * @param transactionalId the produce request's transactional id (null if it carried none)
     * @return {@link Errors#NONE} to let the append go ahead, else the error the partition answers (Kafka's
     *         INVALID_TXN_STATE when the partition is not in the transaction, PRODUCER_FENCED or
     *         INVALID_PRODUCER_EPOCH for a stale epoch, NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE to retry)
     */
    Future<Errors> verify(String transactionalId, long producerId, short producerEpoch, TopicPartition tp);
}
