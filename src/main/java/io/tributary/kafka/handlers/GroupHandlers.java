package io.tributary.kafka.handlers;

import io.tributary.kafka.RequestContext;

/** Small helpers shared by the group handlers. */
final class GroupHandlers {
    private GroupHandlers() {
    }

    /** The member's host as Kafka reports it (InetAddress.toString of the peer: "/127.0.0.1"). */
    static String clientHost(RequestContext ctx) {
        String addr = ctx.clientAddress();
        int colon = addr.lastIndexOf(':');
        String host = colon > 0 ? addr.substring(0, colon) : addr;
        return host.startsWith("/") ? host : "/" + host;
    }
}
