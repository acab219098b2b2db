package io.tributary.kafka;

import io.vertx.core.Context;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * What a handler knows about the request beyond its body: header, peer, and the address the client
 * reached us on (advertised back to it in Metadata when no advertised host is configured).
 */
public record RequestContext(RequestHeader header, String clientAddress, String localHost, int localPort,
                             Context context, KafkaConnection connection) {
    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId();
    }
}
