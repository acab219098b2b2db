package io.tributary.http;

import io.tributary.server.NodeConfig;

/**
 * The HTTP front door's settings, read once from the node's configuration.
 *
 * @param instances             listener instances sharing the port ({@code http.network.threads})
 * @param maxBodyBytes          largest request body ({@code http.max.body.bytes}); larger ones get 413
 * @param wsMaxFrameBytes       largest WebSocket message from a client ({@code http.ws.max.frame.bytes}); a
 *                              larger one closes the socket with 1009 before it is buffered whole
 * @param wsMaxQueuedBytes      bytes written to a socket and not yet taken by the network
 *                              ({@code http.ws.max.queued.bytes}): tails pause above it, watches overflow
 * @param wsMaxSubscriptions    subscriptions per socket ({@code http.ws.max.subscriptions})
 * @param wsMaxSocketsPerIp     WebSockets per client address ({@code http.ws.max.connections.per.ip}, 0 = no limit)
 * @param wsHeartbeatMs         a {@code heartbeat} frame this often ({@code http.ws.heartbeat.ms})
 * @param wsIdleTimeoutMs       a socket that sent nothing this long is closed with 4408 ({@code http.ws.idle.timeout.ms})
 * @param wsSessionTimeoutMs    timeout of the coordination session a socket holds for its watches
 *                              ({@code http.ws.session.timeout.ms}; negotiated within min/maxSessionTimeout)
 * @param consumerInstanceTimeoutMs a REST Proxy v2 consumer instance not used for this long is closed
 *                              ({@code consumer.instance.timeout.ms}, REST Proxy's name and default, 300000)
 */
public record HttpSettings(String host, int port, int instances, int maxBodyBytes, int wsMaxFrameBytes,
                           int wsMaxQueuedBytes, int wsMaxSubscriptions, int wsMaxSocketsPerIp, long wsHeartbeatMs,
                           long wsIdleTimeoutMs, int wsSessionTimeoutMs,
                           long consumerInstanceTimeoutMs) {

    public static HttpSettings from(NodeConfig c) {
        return new HttpSettings(c.get(NodeConfig.HOST), c.httpPort(), c.getInt(NodeConfig.HTTP_NETWORK_THREADS),
                positive(c, NodeConfig.HTTP_MAX_BODY_BYTES), positive(c, NodeConfig.HTTP_WS_MAX_FRAME_BYTES),
                positive(c, NodeConfig.HTTP_WS_MAX_QUEUED_BYTES), positive(c, NodeConfig.HTTP_WS_MAX_SUBSCRIPTIONS),
                c.getInt(NodeConfig.HTTP_WS_MAX_CONNECTIONS_PER_IP), positive(c, NodeConfig.HTTP_WS_HEARTBEAT_MS),
                positive(c, NodeConfig.HTTP_WS_IDLE_TIMEOUT_MS), positive(c, NodeConfig.HTTP_WS_SESSION_TIMEOUT_MS),
                positive(c, NodeConfig.CONSUMER_INSTANCE_TIMEOUT_MS));
    }

    private static int positive(NodeConfig c, String key) {
        int v = c.getInt(key);
        if (v < 1) {
            throw new IllegalArgumentException("configuration " + key + " must be at least 1, got " + v);
        }
        return v;
    }
}
