package io.tributary.http;

import io.tributary.group.OffsetAndMetadata;
import io.tributary.log.PartitionLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One REST Proxy v2 consumer instance ({@code POST /consumers/{group}}): what a KafkaConsumer inside
 * REST Proxy holds — a subscription (topics or a pattern) through which it is a real member of the
 * consumer group ({@link GroupMember}: JoinGroup/SyncGroup/Heartbeat with the range assignor, so Kafka
 * consumers and other instances share the partitions), or a manual assignment; a position per assigned
 * partition; commits that land in {@code __consumer_offsets} with the member's generation. Reads are
 * served by {@link ConsumerRead}.
 *
 * <p>Thread-safety: the state belongs to the event loop that created the instance ({@code owner}); a
 * request arriving on another listener instance hops there through {@link #call} and is answered back on
 * its own context. Only {@code lastUsed}, {@code inFlight} and {@code closed} are read from elsewhere (the
 * idle sweep).
 */
final class ConsumerInstance {
    static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);
    /** REST Proxy's auto.commit.interval.ms for manually assigned instances (group members commit on each heartbeat). */
    private static final long AUTO_COMMIT_MS = 5_000;

    final HttpFrontDoor door;
    final String group;
    final String id;
    final V2Format format;
    /** auto.offset.reset: earliest, latest or none. */
    final String reset;
    final boolean autoCommit;
    /** consumer.request.timeout.ms: how long a records request waits when it gives no timeout. */
    final long requestTimeoutMs;
    /** The creating client's address, shown as the member's host (as Kafka shows a consumer's). */
    private final String clientHost;
    private final Context owner;
    private volatile long lastUsed = System.currentTimeMillis();
    private volatile int inFlight;
    private volatile boolean closed;

    // ---- owner context only ----
    private List<String> topics;
    private Pattern pattern;
    private boolean manual;
    /** Assigned partitions → next offset to return (null: not resolved yet). */
    final Map<TopicPartition, Long> positions = new TreeMap<>(ORDER);
    private GroupMember member;
    /** Why the group membership ended, answered to later reads. */
    Rest.Refused failure;
    final List<Runnable> wakers = new ArrayList<>();
    private long lastAutoCommit = System.currentTimeMillis();
    final ConsumerRead reader;

    ConsumerInstance(HttpFrontDoor door, Context owner, String group, String id, V2Format format, String reset,
                     boolean autoCommit, long requestTimeoutMs, String clientHost) {
        this.clientHost = clientHost;
        this.door = door;
        this.owner = owner;
        this.group = group;
        this.id = id;
        this.format = format;
        this.reset = reset;
        this.autoCommit = autoCommit;
        this.requestTimeoutMs = requestTimeoutMs;
        this.reader = new ConsumerRead(this);
    }

    static Rest.Refused illegal(String message) {
        return new Rest.Refused(40903, "Illegal state: " + message);
    }

    static Rest.Refused notFound() {
        return new Rest.Refused(HttpErrors.CONSUMER_INSTANCE_NOT_FOUND, "Consumer instance not found.");
    }

    /** Runs {@code op} on the owner context; its result comes back on the caller's context. */
    <T> Future<T> call(Supplier<Future<T>> op) {
        lastUsed = System.currentTimeMillis();
        Promise<T> answer = ((ContextInternal) door.vertx.getOrCreateContext()).promise();
        owner.runOnContext(v -> {
            if (closed) {
                answer.fail(notFound());
                return;
            }
            inFlight++;
            Future<T> f;
            try {
                f = op.get();
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            f.onComplete(ar -> {
                inFlight--;
                lastUsed = System.currentTimeMillis();
                if (ar.succeeded()) {
                    answer.complete(ar.result());
                } else {
                    answer.fail(ar.cause());
                }
            });
        });
        return answer.future();
    }

    /** Idle for longer than {@code timeoutMs}, with no request running. */
    boolean idle(long now, long timeoutMs) {
        return inFlight == 0 && now - lastUsed > timeoutMs;
    }

    // ---- subscription ----

    Future<Void> subscribe(List<String> newTopics, Pattern newPattern) {
        if (manual || (member != null && (newPattern == null) != (pattern == null))) {
            throw illegal("Subscription to topics, partitions and pattern are mutually exclusive.");
        }
        topics = newTopics;
        pattern = newPattern;
        if (member == null) { // a changed subscription is noticed by the member's next heartbeat, which rejoins
            member = new GroupMember(door, group, this::subscribedTopics, "rest-" + id, clientHost, autoCommit, membership());
            member.start();
        }
        return Future.succeededFuture();
    }

    /** The topics subscribed to: the list, or every non-internal topic matching the pattern now. */
    List<String> subscribedTopics() {
        if (pattern == null) {
            return topics == null ? List.of() : topics;
        }
        return door.logs.manager().topics().keySet().stream().filter(t -> !Topic.isInternal(t))
                .filter(t -> pattern.matcher(t).matches()).sorted().toList();
    }

    boolean subscribed() {
        return member != null;
    }

    Future<Void> unsubscribe() {
        if (member != null) {
            member.close(); // commits (auto-commit) and leaves the group
            member = null;
        } else if (manual) {
            autoCommitManual(true);
        }
        topics = null;
        pattern = null;
        manual = false;
        positions.clear();
        failure = null;
        return Future.succeededFuture();
    }

    private GroupMember.Listener membership() {
        return new GroupMember.Listener() {
            @Override
            public void assigned(int generation, List<TopicPartition> partitions, Map<TopicPartition, Long> committed) {
                positions.clear();
                for (TopicPartition tp : partitions) {
                    positions.put(tp, committed.containsKey(tp) ? committed.get(tp) : resetPosition(tp));
                }
                wake();
            }

            @Override
            public Map<TopicPartition, Long> revoked() {
                Map<TopicPartition, Long> at = resolvedPositions();
                positions.clear();
                return at;
            }

            @Override
            public Map<TopicPartition, Long> committable() {
                return resolvedPositions();
            }

            @Override
            public void failed(int code, String message) {
                failure = new Rest.Refused(code, message);
                wake();
            }
        };
    }

    // ---- manual assignment and positions ----

    Future<Void> assign(List<TopicPartition> partitions) {
        if (member != null) {
            throw illegal("Subscription to topics, partitions and pattern are mutually exclusive.");
        }
        if (partitions.isEmpty()) {
            return unsubscribe(); // KafkaConsumer.assign(empty) is unsubscribe()
        }
        Map<TopicPartition, Long> kept = new HashMap<>(positions);
        positions.clear();
        partitions.forEach(tp -> positions.put(tp, kept.get(tp)));
        manual = true;
        wake();
        return Future.succeededFuture();
    }

    List<TopicPartition> assignment() {
        return new ArrayList<>(positions.keySet());
    }

    Future<Void> seek(Map<TopicPartition, Long> offsets) {
        requireAssigned(offsets.keySet());
        positions.putAll(offsets);
        wake();
        return Future.succeededFuture();
    }

    /** Seeks to the log start ({@code beginning}) or the high watermark; no partitions means every assigned one. */
    Future<Void> seekToEdge(List<TopicPartition> partitions, boolean beginning) {
        List<TopicPartition> which = partitions.isEmpty() ? assignment() : partitions;
        requireAssigned(which);
        for (TopicPartition tp : which) {
            PartitionLog log = door.logs.partition(tp);
            positions.put(tp, log == null ? 0 : beginning ? log.logStartOffset() : log.highWatermark());
        }
        wake();
        return Future.succeededFuture();
    }

    private void requireAssigned(Iterable<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            if (!positions.containsKey(tp)) {
                throw illegal("No current assignment for partition " + tp);
            }
        }
    }

    /** Where auto.offset.reset puts a partition with no committed offset; null for {@code none}. */
    Long resetPosition(TopicPartition tp) {
        PartitionLog log = door.logs.partition(tp);
        if (log == null || "none".equals(reset)) {
            return null;
        }
        return "earliest".equals(reset) ? log.logStartOffset() : log.highWatermark();
    }

    /** Gives every unresolved position the committed offset, else the reset policy (still null under {@code none}). */
    Future<Void> resolve() {
        List<TopicPartition> open = new ArrayList<>();
        positions.forEach((tp, o) -> {
            if (o == null) {
                open.add(tp);
            }
        });
        if (open.isEmpty()) {
            return Future.succeededFuture();
        }
        return door.groups.call(c -> c.fetchOffsets(group, open)).map(found -> {
            for (TopicPartition tp : open) {
                if (positions.containsKey(tp) && positions.get(tp) == null) {
                    OffsetAndMetadata om = found == null ? null : found.get(tp);
                    positions.put(tp, om != null && om.offset() >= 0 ? om.offset() : resetPosition(tp));
                }
            }
            return null;
        });
    }

    Map<TopicPartition, Long> resolvedPositions() {
        Map<TopicPartition, Long> at = new TreeMap<>(ORDER);
        positions.forEach((tp, o) -> {
            if (o != null) {
                at.put(tp, o);
            }
        });
        return at;
    }

    void wake() {
        List<Runnable> run = new ArrayList<>(wakers);
        wakers.clear();
        run.forEach(Runnable::run);
    }

    // ---- offsets ----

    /**
     * Commits {@code explicit} (already next-offsets), or every position when null — as the group member of
     * the current generation when subscribed, else as a simple (generation -1) commit, as KafkaConsumer does.
     */
    Future<JsonArray> commit(Map<TopicPartition, OffsetAndMetadata> explicit) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new TreeMap<>(ORDER);
        if (explicit != null) {
            offsets.putAll(explicit);
        } else {
            resolvedPositions().forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o, -1, "", -1)));
        }
        if (offsets.isEmpty()) {
            return Future.succeededFuture(new JsonArray());
        }
        Future<Map<TopicPartition, Errors>> done = member != null ? member.commit(offsets)
                : door.groups.callAsync((c, cb) -> c.commitOffsets(group, "", null, -1, offsets, cb));
        return done.map(errors -> {
            JsonArray out = new JsonArray();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                Errors err = errors.getOrDefault(e.getKey(), Errors.NONE);
                if (err != Errors.NONE) {
                    throw Rest.of(err, "Commit of " + e.getKey() + " failed: " + err.message());
                }
                out.add(new JsonObject().put("topic", e.getKey().topic()).put("partition", e.getKey().partition())
                        .put("consumed", positions.get(e.getKey())).put("committed", e.getValue().offset()));
            }
            return out;
        });
    }

    /** Auto-commit of a manually assigned instance: every 5 s when reading, and when it ends. */
    void autoCommitManual(boolean now) {
        long t = System.currentTimeMillis();
        if (autoCommit && manual && member == null && (now || t - lastAutoCommit >= AUTO_COMMIT_MS)) {
            lastAutoCommit = t;
            commit(null);
        }
    }

    Future<JsonObject> committed(List<TopicPartition> partitions) {
        return door.groups.call(c -> c.fetchOffsets(group, partitions)).map(found -> {
            if (found == null) {
                throw new Rest.Refused(HttpErrors.UNAVAILABLE, "the group coordinator is loading __consumer_offsets");
            }
            JsonArray out = new JsonArray();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata om = found.get(tp);
                if (om != null && om.offset() >= 0) {
                    out.add(new JsonObject().put("topic", tp.topic()).put("partition", tp.partition())
                            .put("offset", om.offset()).put("metadata", om.metadata() == null ? "" : om.metadata()));
                }
            }
            return new JsonObject().put("offsets", out);
        });
    }

    // ---- end ----

    /** Deleted or expired: commits (auto-commit), leaves the group, wakes a waiting read. Any context. */
    void close() {
        owner.runOnContext(v -> {
            if (closed) {
                return;
            }
            unsubscribe();
            closed = true;
            wake();
        });
    }

    boolean closed() {
        return closed;
    }
}
