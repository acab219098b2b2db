package io.tributary.client.zk;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings of a {@link ZkClient}. Mutable builder-style; the client copies them when created.
 */
public final class ZkClientOptions {
    private List<String> servers = new ArrayList<>();
    private int sessionTimeoutMs = 30_000;
    private long connectTimeoutMs = 10_000;
    private long requestTimeoutMs = -1;
    private int maxFrameBytes = 0xfffff + 1024;
    private int watchBufferSize = 10_000;
    private int maxQueuedRequests = 10_000;
    private long reconnectBackoffMs = 100;

    /**
     * {@code host:port} entries, comma-separated, as the ZooKeeper client's connect string (no chroot). The client
     * connects to them in order and moves to the next one when a connection fails or is lost.
     */
    public ZkClientOptions connect(String connectString) {
        if (connectString.contains("/")) {
            throw new IllegalArgumentException("a chroot suffix is not supported: " + connectString);
        }
        List<String> list = new ArrayList<>();
        for (String s : connectString.split(",")) {
            if (!s.isBlank()) {
                String hp = s.trim();
                if (!hp.contains(":")) {
                    hp = hp + ":2181";
                }
                list.add(hp);
            }
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no server in connect string '" + connectString + "'");
        }
        servers = list;
        return this;
    }

    public List<String> servers() {
        return List.copyOf(servers);
    }

    /** The session timeout asked for; the server answers with the one it grants (between its min and max). */
    public ZkClientOptions sessionTimeoutMs(int ms) {
        if (ms <= 0) {
            throw new IllegalArgumentException("sessionTimeoutMs must be positive");
        }
        this.sessionTimeoutMs = ms;
        return this;
    }

    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    /** The longest one TCP connect and handshake may take (capped at session timeout / servers, as ZooKeeper does). */
    public ZkClientOptions connectTimeoutMs(long ms) {
        this.connectTimeoutMs = ms;
        return this;
    }

    public long connectTimeoutMs() {
        return connectTimeoutMs;
    }

    /**
     * How long a request submitted while disconnected waits for a connection before it fails with CONNECTIONLOSS;
     * by default the session timeout. A request already written when the connection drops fails at once.
     */
    public ZkClientOptions requestTimeoutMs(long ms) {
        this.requestTimeoutMs = ms;
        return this;
    }

    public long requestTimeoutMs() {
        return requestTimeoutMs > 0 ? requestTimeoutMs : sessionTimeoutMs;
    }

    /** The largest response frame accepted (ZooKeeper's jute.maxbuffer plus headroom); larger closes the connection. */
    public ZkClientOptions maxFrameBytes(int bytes) {
        this.maxFrameBytes = bytes;
        return this;
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Events a persistent watch stream holds for a subscriber without demand before it fails the stream. */
    public ZkClientOptions watchBufferSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("watchBufferSize must be at least 1");
        }
        this.watchBufferSize = n;
        return this;
    }

    public int watchBufferSize() {
        return watchBufferSize;
    }

    /** Requests held while disconnected; one more fails at once with CONNECTIONLOSS. */
    public ZkClientOptions maxQueuedRequests(int n) {
        this.maxQueuedRequests = n;
        return this;
    }

    public int maxQueuedRequests() {
        return maxQueuedRequests;
    }

    /** The pause after every server of the list failed once, before the next round of connection attempts. */
    public ZkClientOptions reconnectBackoffMs(long ms) {
        this.reconnectBackoffMs = ms;
        return this;
    }

    public long reconnectBackoffMs() {
        return reconnectBackoffMs;
    }
}
