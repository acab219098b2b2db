package io.tributary.client.kafka.internal.group;

import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;

import java.util.Set;

/** What a group member's partitions go through, as {@link Membership} reports it (on the client's loop). */
interface MemberListener {
    /** Hand {@code partitions} back (drain or abandon their records, commit); the member waits for the future. */
    Future<Void> revoke(Set<TopicPartition> partitions, String because);

    /** {@code partitions} are this member's from {@code generation} on (possibly none, eager). */
    void assigned(Set<TopicPartition> partitions, int generation);

    /** {@code partitions} are no longer this member's and nothing could be committed for them. */
    void lost(Set<TopicPartition> partitions, String because);

    /** The member has a generation it can commit with. */
    void stable();

    /** The member ended on a fatal error. */
    void failed(Throwable error);
}
