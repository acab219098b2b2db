package io.tributary.client.zk;

/**
 * The states a {@link ZkClient}'s session goes through, as ZooKeeper's {@code KeeperState} names them. A session
 * starts {@link #CONNECTING}, is {@link #CONNECTED} while a server holds its connection, {@link #DISCONNECTED} between
 * losing a connection and reconnecting (to the same or the next server, keeping its id and ephemerals), and ends
 * {@link #EXPIRED}, {@link #AUTH_FAILED} or {@link #CLOSED}: those three are final.
 */
public enum SessionState {
    /** The first connection is being made; no session exists yet. */
    CONNECTING,
    /** A server holds the session; watches are re-registered and credentials re-sent before this is emitted. */
    CONNECTED,
    /** The connection was lost; the client is reconnecting with the same session id and password. */
    DISCONNECTED,
    /** A server said the session expired (its ephemerals are gone); final. */
    EXPIRED,
    /** A server refused the credentials given with {@code addAuth}; final. */
    AUTH_FAILED,
    /** The client was closed (CloseSession sent); final. */
    CLOSED;

    /** True for the states after which nothing happens any more. */
    public boolean isTerminal() {
        return this == EXPIRED || this == AUTH_FAILED || this == CLOSED;
    }
}
