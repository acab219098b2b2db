package io.tributary.cluster.meta;

import io.tributary.coord.Codes;
import io.tributary.coord.Op;
import io.tributary.coord.Result;
import io.tributary.kafka.ClusterMetadata;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What a broker does on each new session, as Kafka's did with ZooKeeper: creates the persistent parents,
 * agrees on the cluster id ({@code /cluster/id}: the first broker writes its own, the others adopt it), and
 * registers itself as the ephemeral {@code /brokers/ids/N}. A registration left by an earlier run of this
 * broker (its session not yet expired after a kill) is waited out: it is another session's ephemeral, and
 * deleting it could hide a second broker configured with the same id.
 *
 * <p>Threading: the owner's context only.
 */
final class BrokerRegistration {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerRegistration.class);
    private static final List<org.apache.zookeeper.data.ACL> OPEN = KafkaZnodes.OPEN;

    private final Vertx vertx;
    private final MetaSession session;
    private final ClusterMetadata.Broker self;
    private final String localClusterId;
    private final LongSupplier clock;
    private final Consumer<String> clusterId;
    private boolean waitingLogged;

    BrokerRegistration(Vertx vertx, MetaSession session, ClusterMetadata.Broker self, String localClusterId,
                       LongSupplier clock, Consumer<String> clusterId) {
        this.vertx = vertx;
        this.session = session;
        this.self = self;
        this.localClusterId = localClusterId;
        this.clock = clock;
        this.clusterId = clusterId;
    }

    /** Completes once this broker is registered in the current session. */
    Future<Void> register() {
        Future<Void> parents = Future.succeededFuture();
        for (String p : KafkaZnodes.PERSISTENT) {
            parents = parents.compose(v -> session.call(new Op.Create(p, new byte[0], OPEN, Op.PERSISTENT, 0)).mapEmpty());
        }
        return parents.compose(v -> agreeOnClusterId()).compose(v -> registerSelf());
    }

    private Future<Void> agreeOnClusterId() {
        return session.call(new Op.Create(KafkaZnodes.CLUSTER_ID, KafkaZnodes.clusterId(localClusterId), OPEN, Op.PERSISTENT, 0))
                .compose(r -> session.call(new Op.GetData(KafkaZnodes.CLUSTER_ID, false)))
                .map(r -> {
                    if (r.err() == Codes.OK) {
                        String id = KafkaZnodes.json(((Result.Data) r.value()).data()).getString("id");
                        if (!id.equals(localClusterId)) {
                            LOG.info("cluster id {} (from {}; this node's meta.properties says {})", id,
                                    KafkaZnodes.CLUSTER_ID, localClusterId);
                        }
                        clusterId.accept(id);
                    }
                    return null;
                });
    }

    private Future<Void> registerSelf() {
        String path = KafkaZnodes.broker(self.id());
        return session.call(new Op.Create(path, KafkaZnodes.broker(self, clock.getAsLong()), OPEN, Op.EPHEMERAL, 0))
                .compose(r -> {
                    if (r.err() == Codes.OK) {
                        LOG.info("registered broker {} at {}:{} ({})", self.id(), self.host(), self.port(), path);
                        waitingLogged = false;
                        return Future.succeededFuture();
                    }
                    if (r.err() != Codes.NODEEXISTS && r.err() != Codes.CONNECTIONLOSS) {
                        return Future.failedFuture("cannot register broker " + self.id() + ": error " + r.err());
                    }
                    return session.call(new Op.Exists(path, false)).compose(e -> {
                        if (e.err() == Codes.OK && e.value() instanceof org.apache.zookeeper.data.Stat st
                                && st.getEphemeralOwner() == session.sessionId()) {
                            return Future.succeededFuture(); // ours already (a resumed session)
                        }
                        if (!waitingLogged) {
                            waitingLogged = true;
                            LOG.warn("{} is held by another session (an earlier run of broker {} not yet expired, or a "
                                    + "second broker with this id); waiting for it to go", path, self.id());
                        }
                        return after(1000).compose(v -> session.connected() ? registerSelf() : Future.succeededFuture());
                    });
                });
    }

    private Future<Void> after(long ms) {
        io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
        vertx.setTimer(ms, t -> p.complete());
        return p.future();
    }
}
