package io.tributary.coord;

/**
 * Where the engine delivers a client's watch events and session fate: implemented by a ZooKeeper
 * connection (and later a WebSocket), so the engine never knows the protocol. Called on the
 * coordinator thread, only once the change that caused the call is durable; implementations hand off to
 * their own thread and must not block.
 */
public interface WatchSink {
    /** A watch fired: ZooKeeper event type ({@link Codes}), path, and the zxid that caused it. */
    void event(int type, String path, long zxid);

    /** The session expired or was closed elsewhere: drop the connection. */
    void sessionClosed(String reason);

    /**
     * The ids a persistent recursive watch's events about descendants are checked against: an event about a
     * node these ids may not READ is not delivered (ZooKeeper does the same since CVE-2024-23944). Any thread;
     * null (the default): not checked here (the sink filters them itself).
     */
    default java.util.List<org.apache.zookeeper.data.Id> readerIds() {
        return null;
    }
}
