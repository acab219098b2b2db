package io.tributary.client.kafka.internal;

import io.tributary.client.kafka.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * One partition of a {@link FetchStream}: the next offset to fetch, the records fetched and not yet emitted, its
 * leader, and what is under way for it. Records are created with the partition's acker and reported to
 * {@code onEmit} as they are emitted (a group's per-partition commit tracker); both may be null (assign mode).
 * Touched on the client's loop only.
 */
final class FetchPartition {
    final TopicPartition tp;
    final ArrayDeque<ConsumerRecord> buffer = new ArrayDeque<>();
    final ConsumerRecord.Acker acker;
    final Consumer<ConsumerRecord> onEmit;
    long position;
    long bytes;
    int leader = -1;
    Uuid topicId;
    boolean fetching;
    boolean stale;
    boolean resetting;
    boolean removed;

    FetchPartition(TopicPartition tp, long position, ConsumerRecord.Acker acker, Consumer<ConsumerRecord> onEmit) {
        this.tp = tp;
        this.position = position;
        this.acker = acker;
        this.onEmit = onEmit;
    }

    /** The buffer bytes a record is counted with. */
    static int size(ConsumerRecord r) {
        return 24 + (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
    }
}
