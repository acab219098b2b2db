package io.tributary.client.kafka.internal.group;

import io.tributary.client.kafka.internal.BrokerConnection;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.vertx.core.Future;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.function.Function;

/**
 * A group member's own connection to its group's coordinator, found through FindCoordinator and opened on first use.
 * It is not the pooled connection to that broker: a JoinGroup waits there for the whole rebalance, and a broker
 * answers a connection's requests in order, so fetches behind it would stall. A coordinator error
 * (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR) or a lost connection {@link #reset}s it: the next call finds the
 * coordinator again. On the client's loop only.
 */
final class CoordinatorChannel {
    private final KafkaCluster cluster;
    private final String groupId;
    private Future<BrokerConnection> connection;
    private boolean closed;

    CoordinatorChannel(KafkaCluster cluster, String groupId) {
        this.cluster = cluster;
        this.groupId = groupId;
    }

    /**
     * Sends a request built for the version both sides speak (at most {@code maxVersion}: the versions this client
     * fills in), waiting up to {@code timeoutMs} for the answer.
     */
    <T extends ApiMessage> Future<T> call(ApiKeys key, int maxVersion, Function<Short, ApiMessage> body,
                                          long timeoutMs) {
        if (closed) {
            return Future.failedFuture(new DisconnectException("group " + groupId + ": member closed"));
        }
        return connection().compose(c -> {
            short v = (short) Math.min(c.version(key), maxVersion);
            return c.<T>callAt(key, v, body.apply(v), timeoutMs);
        }).recover(e -> {
            if (e instanceof DisconnectException || e instanceof TimeoutException) {
                reset();
            }
            return Future.failedFuture(e);
        });
    }

    private Future<BrokerConnection> connection() {
        Future<BrokerConnection> f = connection;
        if (f != null && !(f.isComplete() && (f.failed() || f.result().isClosed()))) {
            return f;
        }
        connection = cluster.dedicatedCoordinator(groupId);
        return connection;
    }

    /** Forgets the coordinator (it moved or is gone): the next call finds it again. */
    void reset() {
        Future<BrokerConnection> f = connection;
        connection = null;
        if (f != null) {
            f.onSuccess(BrokerConnection::close);
        }
    }

    void close() {
        closed = true;
        reset();
    }
}
