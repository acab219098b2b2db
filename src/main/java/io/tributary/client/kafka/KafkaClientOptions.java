package io.tributary.client.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link KafkaClient}: where the cluster is and how long to wait for it. Mutable builder-style; the
 * client copies what it needs when created.
 */
public final class KafkaClientOptions {
    private List<String> bootstrapServers = new ArrayList<>();
    private String clientId = "tributary-rx";
    private long requestTimeoutMs = 30_000;
    private long connectTimeoutMs = 10_000;
    private long retryBackoffMs = 100;
    private int maxResponseBytes = 256 * 1024 * 1024;
    private int maxInFlightPerConnection = 5;

    /** {@code host:port} entries, comma-separated, as kafka-clients' {@code bootstrap.servers}. */
    public KafkaClientOptions bootstrap(String servers) {
        bootstrapServers = new ArrayList<>();
        for (String s : servers.split(",")) {
            if (!s.isBlank()) {
                bootstrapServers.add(s.trim());
            }
        }
        return this;
    }

    public List<String> bootstrapServers() {
        return List.copyOf(bootstrapServers);
    }

    public KafkaClientOptions clientId(String id) {
        this.clientId = Objects.requireNonNull(id);
        return this;
    }

    public String clientId() {
        return clientId;
    }

    /** How long a request may wait for its response before the connection is closed and the request failed. */
    public KafkaClientOptions requestTimeoutMs(long ms) {
        this.requestTimeoutMs = ms;
        return this;
    }

    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    public KafkaClientOptions connectTimeoutMs(long ms) {
        this.connectTimeoutMs = ms;
        return this;
    }

    public long connectTimeoutMs() {
        return connectTimeoutMs;
    }

    /** The pause before a retriable failure (no leader yet, a broker gone) is retried. */
    public KafkaClientOptions retryBackoffMs(long ms) {
        this.retryBackoffMs = ms;
        return this;
    }

    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    /** The largest response frame accepted; a larger length prefix closes the connection. */
    public KafkaClientOptions maxResponseBytes(int bytes) {
        this.maxResponseBytes = bytes;
        return this;
    }

    public int maxResponseBytes() {
        return maxResponseBytes;
    }

    /** Requests written to one broker connection before further ones wait (kafka-clients' default is 5). */
    public KafkaClientOptions maxInFlightPerConnection(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxInFlightPerConnection must be at least 1");
        }
        this.maxInFlightPerConnection = n;
        return this;
    }

    public int maxInFlightPerConnection() {
        return maxInFlightPerConnection;
    }
}
