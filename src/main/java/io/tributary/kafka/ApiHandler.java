package io.tributary.kafka;

import io.vertx.core.Future;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * One Kafka API. Called on the connection's event loop; must not block. The returned future completes
 * with the response body (serialized at the request's version), or with {@link #NO_RESPONSE} when the
 * protocol sends none (Produce with acks=0). A failed future is answered with the API's generic error
 * response built by kafka-clients ({@code AbstractRequest.getErrorResponse}).
 */
@FunctionalInterface
public interface ApiHandler {
    /** Marker body: the request gets no response on the wire. */
    ApiMessage NO_RESPONSE = new org.apache.kafka.common.message.ApiVersionsResponseData();

    Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request);
}
