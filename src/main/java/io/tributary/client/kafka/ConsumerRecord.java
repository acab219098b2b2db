package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Completable;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A consumed record. In a consumer group, {@link #ack()} marks it processed: the group's commits cover the highest
 * offset up to which every record of the partition has been acked. In assign mode {@code ack()} does nothing.
 */
public final class ConsumerRecord {
    /** What an ack reaches (the group's per-partition commit tracker, one per ownership of the partition); internal. */
    public interface Acker {
        void ack(ConsumerRecord r);

        Completable commit(ConsumerRecord r);
    }

    private final String topic;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final int leaderEpoch;
    private final byte[] key;
    private final byte[] value;
    private final List<Header> headers;
    private final Acker acker;

    public ConsumerRecord(String topic, int partition, long offset, long timestamp, int leaderEpoch, byte[] key,
                          byte[] value, List<Header> headers, Acker acker) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.leaderEpoch = leaderEpoch;
        this.key = key;
        this.value = value;
        this.headers = headers;
        this.acker = acker;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public long timestamp() {
        return timestamp;
    }

    /** The leader epoch of the batch the record came in, or -1. */
    public int leaderEpoch() {
        return leaderEpoch;
    }

    public byte[] key() {
        return key;
    }

    public byte[] value() {
        return value;
    }

    public String keyString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    public String valueString() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    public List<Header> headers() {
        return headers;
    }

    /**
     * Marks the record processed (consumer groups; a no-op in assign mode). Any thread. The group commits, on its
     * commit interval, at a rebalance and at close, up to the highest offset below which every record of the
     * partition is acked.
     *
     * @throws RevokedPartitionException if the partition was revoked from (or lost by) the member that emitted this
     *                                   record; an ack that races with the revoke (made before, reaching the
     *                                   client's loop after) is dropped and counted as refused.
     */
    public void ack() {
        if (acker != null) {
            acker.ack(this);
        }
    }

    /**
     * Acks the record and commits its partition up to the highest contiguous acked offset; completes once that
     * commit is done. Commits of a partition are ordered. Cold (nothing happens until subscribed). Fails with
     * {@link RevokedPartitionException} if the partition is no longer this member's, and with
     * {@link IllegalStateException} in assign mode (no group to commit to).
     */
    public Completable commit() {
        if (acker == null) {
            return Completable.error(new IllegalStateException(
                    "record " + this + " was read in assign mode: there is no group to commit to"));
        }
        return acker.commit(this);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
