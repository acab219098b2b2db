package io.tributary.client.kafka;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Settings of a consumer-group subscription (classic group protocol), named after kafka-clients' consumer configs
 * where one exists. Mutable builder-style; the subscription copies what it needs when created.
 */
public final class GroupOptions {
    /** kafka-clients' range assignor (eager rebalances). */
    public static final Supplier<ConsumerPartitionAssignor> RANGE = RangeAssignor::new;
    /** kafka-clients' cooperative-sticky assignor (incremental rebalances, KIP-429). */
    public static final Supplier<ConsumerPartitionAssignor> COOPERATIVE_STICKY = CooperativeStickyAssignor::new;

    private final String groupId;
    private String groupInstanceId;
    private int sessionTimeoutMs = 45_000;
    private int heartbeatIntervalMs = 3_000;
    private int rebalanceTimeoutMs = 300_000;
    private long drainTimeoutMs = 10_000;
    private long commitIntervalMs = 1_000;
    private StartFrom from = StartFrom.earliest();
    private List<Supplier<ConsumerPartitionAssignor>> assignors = List.of(RANGE, COOPERATIVE_STICKY);

    public GroupOptions(String groupId) {
        if (groupId == null || groupId.isEmpty()) {
            throw new IllegalArgumentException("a consumer group needs a non-empty group id");
        }
        this.groupId = groupId;
    }

    public String groupId() {
        return groupId;
    }

    /** A static member's id (group.instance.id, KIP-345); null (the default) for a dynamic member. */
    public GroupOptions groupInstanceId(String id) {
        this.groupInstanceId = id;
        return this;
    }

    public String groupInstanceId() {
        return groupInstanceId;
    }

    /** How long the coordinator waits for a heartbeat before it drops the member (session.timeout.ms). */
    public GroupOptions sessionTimeoutMs(int ms) {
        this.sessionTimeoutMs = ms;
        return this;
    }

    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    /** The pause between heartbeats (heartbeat.interval.ms); well under the session timeout. */
    public GroupOptions heartbeatIntervalMs(int ms) {
        this.heartbeatIntervalMs = ms;
        return this;
    }

    public int heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    /**
     * How long the coordinator waits for every member to rejoin once a rebalance starts (the JoinGroup's rebalance
     * timeout; kafka-clients takes max.poll.interval.ms). A member that drains its revoked partitions for longer is
     * dropped, so {@link #drainTimeoutMs} must stay below it.
     */
    public GroupOptions rebalanceTimeoutMs(int ms) {
        this.rebalanceTimeoutMs = ms;
        return this;
    }

    public int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    /**
     * How long a revoked partition's records already handed to the subscriber may take to be acked before the
     * member gives the partition up without them (they are then abandoned: their acks are refused and the next owner
     * reads them again from the last commit).
     */
    public GroupOptions drainTimeoutMs(long ms) {
        this.drainTimeoutMs = ms;
        return this;
    }

    public long drainTimeoutMs() {
        return drainTimeoutMs;
    }

    /** How often acked positions are committed without being asked (auto.commit.interval.ms). */
    public GroupOptions commitIntervalMs(long ms) {
        this.commitIntervalMs = ms;
        return this;
    }

    public long commitIntervalMs() {
        return commitIntervalMs;
    }

    /** Where a partition the group has committed nothing for starts: earliest or latest (auto.offset.reset). */
    public GroupOptions from(StartFrom from) {
        if (!(from instanceof StartFrom.Earliest) && !(from instanceof StartFrom.Latest)) {
            throw new IllegalArgumentException("a group starts uncommitted partitions from earliest or latest, not "
                    + from);
        }
        this.from = from;
        return this;
    }

    public StartFrom from() {
        return from;
    }

    /**
     * The assignors offered to the group, in order of preference (partition.assignment.strategy); each member makes
     * its own instances. The rebalance protocol is cooperative only if every one of them supports it (as
     * kafka-clients decides), so the default, range then cooperative-sticky, rebalances eagerly.
     */
    @SafeVarargs
    public final GroupOptions assignors(Supplier<ConsumerPartitionAssignor>... assignors) {
        if (assignors.length == 0) {
            throw new IllegalArgumentException("at least one assignor");
        }
        this.assignors = List.of(assignors);
        return this;
    }

    public List<Supplier<ConsumerPartitionAssignor>> assignors() {
        return assignors;
    }

    void validate() {
        if (heartbeatIntervalMs >= sessionTimeoutMs) {
            throw new IllegalArgumentException("heartbeat interval " + heartbeatIntervalMs
                    + " ms must be below the session timeout " + sessionTimeoutMs + " ms");
        }
        if (drainTimeoutMs >= rebalanceTimeoutMs) {
            throw new IllegalArgumentException("drain timeout " + drainTimeoutMs
                    + " ms must be below the rebalance timeout " + rebalanceTimeoutMs + " ms");
        }
        Objects.requireNonNull(from);
    }
}
