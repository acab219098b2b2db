package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.BackpressureOverflowStrategy;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.internal.subscriptions.EmptySubscription;
import io.reactivex.rxjava3.processors.BehaviorProcessor;
import io.reactivex.rxjava3.processors.PublishProcessor;
import io.tributary.client.internal.Loop;
import io.tributary.client.internal.Rx;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.tributary.client.kafka.internal.group.GroupSession;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Set;

/**
 * One member of a Kafka consumer group (classic protocol, client-side assignors from kafka-clients) subscribed to a
 * set of topics. Subscribing to {@link #records()} joins the group; the records of the partitions the member is
 * assigned arrive there, demand driven as in assign mode. {@link ConsumerRecord#ack()} marks a record processed;
 * commits cover, per partition, everything below the first unacked record, on the commit interval, on
 * {@link #commit()} or {@link ConsumerRecord#commit()}, at every revoke and at close.
 *
 * <p>Commits never cross a rebalance: before the member rejoins (eager) or gives a partition up (cooperative), the
 * partition stops being fetched, its buffered records are dropped, the records already handed out get
 * {@link GroupOptions#drainTimeoutMs()} to be acked, the acked position is committed, and from then on acks and
 * commits of its records are refused ({@link RevokedPartitionException}). {@link #rebalances()} reports each change.
 *
 * <p>Cancelling the records subscription or {@link #close()} closes gracefully: the partitions are revoked as in a
 * rebalance (drain, final commit), then the member leaves the group.
 */
public final class GroupConsumer {
    private static final int MAX_BUFFERED_EVENTS = 4096;

    private final Loop loop;
    private final GroupSession session;
    private final PublishProcessor<Rebalance> events = PublishProcessor.create();
    private final BehaviorProcessor<Set<TopicPartition>> assignment = BehaviorProcessor.createDefault(Set.of());
    private boolean subscribed;

    GroupConsumer(KafkaCluster cluster, ConsumerOptions consumerOptions, GroupOptions options, List<String> topics) {
        options.validate();
        this.loop = cluster.loop();
        this.session = new GroupSession(cluster, consumerOptions, options, topics, e -> {
            events.onNext(e);
            loop.run(() -> assignment.onNext(session().assignment()));
        }, error -> {
            if (error == null) {
                events.onComplete();
                assignment.onComplete();
            } else {
                events.onError(error);
                assignment.onError(error);
            }
        });
    }

    private GroupSession session() {
        return session;
    }

    /**
     * The records of the member's partitions. One subscriber per consumer: subscribing joins the group, cancelling
     * closes the member gracefully. Records arrive on the client's event loop.
     */
    public Flowable<ConsumerRecord> records() {
        return Flowable.fromPublisher(down -> loop.run(() -> {
            if (subscribed) {
                EmptySubscription.error(new IllegalStateException("a group consumer has one records subscriber; "
                        + "make another consumer for another member"), down);
                return;
            }
            subscribed = true;
            session.start(down);
        }));
    }

    /**
     * The member's rebalance events from the moment of subscription (subscribe before {@link #records()} to see the
     * first assignment), on the client's event loop. Completes at close; a subscriber that lets more than 4,096
     * events pile up fails with a MissingBackpressureException rather than missing one.
     */
    public Flowable<Rebalance> rebalances() {
        return events.onBackpressureBuffer(MAX_BUFFERED_EVENTS, () -> {
        }, BackpressureOverflowStrategy.ERROR);
    }

    /** The partitions the member owns, now and after every change (the current set first). */
    public Flowable<Set<TopicPartition>> assignment() {
        return assignment.onBackpressureLatest();
    }

    /** Commits every owned partition up to its highest contiguous acked offset. */
    public Completable commit() {
        return Rx.completable(() -> loop.call(session::commit));
    }

    /** The member id the coordinator gave this member ("" before the first join and after leaving). */
    public Single<String> memberId() {
        return Rx.single(() -> loop.call(() -> Future.succeededFuture(session.memberId())));
    }

    /** Revokes every partition (drain, final commit), leaves the group and completes the records stream. */
    public Completable close() {
        return Rx.completable(() -> loop.call(session::close));
    }
}
