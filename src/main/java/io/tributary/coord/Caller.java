package io.tributary.coord;

import org.apache.zookeeper.data.Id;

import java.util.List;

/**
 * Who sent a request: the session, the identities its connection has proved (always {@code ip}, plus
 * any {@code digest} from addauth), and the connection's sink for watches registered by this request.
 */
public record Caller(long sessionId, List<Id> ids, WatchSink sink) {
}
