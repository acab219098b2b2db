package io.tributary.kafka;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * The Kafka dispatch table called in-process, for front doors that offer the same operations in another
 * protocol (the HTTP REST API): a request body is serialized at the API's latest version and parsed back by
 * kafka-clients exactly as a request off the wire is, then handed to the same handler, so topic creation,
 * config validation, group offsets and their checks have one implementation. The answer is the
 * handler's response body. Call from a Vert.x event loop; thread-safe otherwise.
 */
public final class LocalKafkaApis {
    private final SupportedApis apis;
    private final KafkaBroker broker;

    public LocalKafkaApis(KafkaBroker broker) {
        this.broker = broker;
        this.apis = KafkaApis.create(broker);
    }

    public KafkaBroker broker() {
        return broker;
    }

    /**
     * Runs {@code body} through the handler of {@code key}.
     *
     * @param clientId who asked (shown where Kafka would show a client id, e.g. duplicate-topic messages)
     */
    @SuppressWarnings("unchecked")
    public <T extends ApiMessage> Future<T> call(ApiKeys key, ApiMessage body, String clientId) {
        ApiHandler handler = apis.handler(key);
        if (handler == null) {
            return Future.failedFuture(new IllegalArgumentException(key + " has no handler"));
        }
        short version = key.latestVersion();
        AbstractRequest request;
        try {
            ByteBufferAccessor written = MessageUtil.toByteBufferAccessor(body, version); // already flipped
            request = AbstractRequest.parseRequest(key, version, written).request;
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        RequestHeader header = new RequestHeader(key, version, clientId, 0);
        RequestContext ctx = new RequestContext(header, clientId, broker.bindHost(), broker.kafkaPort(),
                Vertx.currentContext(), null);
        try {
            return (Future<T>) handler.handle(ctx, request);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
