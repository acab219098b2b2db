package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Completable;
import io.tributary.client.internal.Loop;
import io.tributary.client.internal.Rx;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * The entry point of the reactive Kafka client: one cluster's connections and metadata, bound to one Vert.x event
 * loop, from which producers, consumers and an admin are made. It speaks the Kafka protocol itself (kafka-clients'
 * message classes on a Vert.x {@code NetClient}); there is no {@code KafkaProducer} or {@code KafkaConsumer} under it
 * and no thread of its own.
 *
 * <pre>{@code
 * KafkaClient kafka = KafkaClient.create(vertx, new KafkaClientOptions().bootstrap("127.0.0.1:9092"));
 * RxProducer producer = kafka.producer(new ProducerOptions());
 * producer.send(ProduceRecord.of("events", "k", "hello")).subscribe(md -> ...);
 * }</pre>
 */
public final class KafkaClient {
    private final Loop loop;
    private final NetClient net;
    private final KafkaCluster cluster;

    private KafkaClient(Loop loop, NetClient net, KafkaClientOptions options) {
        this.loop = loop;
        this.net = net;
        this.cluster = new KafkaCluster(loop, net, options);
    }

    /**
     * A client on a new event-loop context of {@code vertx} (or the caller's, when called on an event loop). The
     * client never closes {@code vertx}.
     */
    public static KafkaClient create(Vertx vertx, KafkaClientOptions options) {
        Context ctx = Vertx.currentContext() != null && Vertx.currentContext().owner() == vertx
                && Vertx.currentContext().isEventLoopContext() ? Vertx.currentContext() : vertx.getOrCreateContext();
        if (!ctx.isEventLoopContext()) {
            throw new IllegalStateException("create the client from an event loop or from a non-Vert.x thread, not from "
                    + Thread.currentThread().getName());
        }
        NetClient net = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.connectTimeoutMs()))
                .setTcpNoDelay(true));
        return new KafkaClient(new Loop(ctx), net, options);
    }

    /** Admin operations: topics, offsets, groups. */
    public RxAdmin admin() {
        return new RxAdmin(cluster);
    }

    /** A producer sharing this client's connections and loop. */
    public RxProducer producer(ProducerOptions options) {
        return new RxProducer(cluster, options);
    }


    /** A consumer sharing this client's connections and loop. */
    public RxConsumer consumer(ConsumerOptions options) {
        return new RxConsumer(cluster, options);
    }

    KafkaCluster cluster() {
        return cluster;
    }

    /** The Vert.x context every callback of this client runs on. */
    public Context context() {
        return loop.context();
    }

    /** Closes every connection; producers and consumers made from this client should be closed first. */
    public Completable close() {
        return Rx.completable(() -> loop.call(() -> {
            cluster.close();
            return net.close();
        })).onErrorComplete();
    }
}
