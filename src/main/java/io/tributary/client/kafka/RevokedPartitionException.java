package io.tributary.client.kafka;

import org.apache.kafka.common.KafkaException;

/**
 * An ack or commit of a record whose partition this member no longer owns (revoked in a rebalance, or lost): the
 * group may have handed the partition to another member, so committing for it could move that member's position.
 */
public final class RevokedPartitionException extends KafkaException {
    public RevokedPartitionException(String message) {
        super(message);
    }
}
