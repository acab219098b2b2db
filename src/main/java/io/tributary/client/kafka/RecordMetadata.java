package io.tributary.client.kafka;

/**
 * Where a produced record landed.
 *
 * @param offset    its offset, or {@code -1} when the broker did not say (acks=0, or a duplicate the broker no longer
 *                  had the offset of)
 * @param timestamp the broker's log-append time if the topic uses it, else the record's create time
 */
public record RecordMetadata(String topic, int partition, long offset, long timestamp) {
}
