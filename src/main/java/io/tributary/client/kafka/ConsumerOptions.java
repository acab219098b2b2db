package io.tributary.client.kafka;

/** Consumer settings, named after kafka-clients' consumer configs. */
public final class ConsumerOptions {
    private int maxWaitMs = 500;
    private int minBytes = 1;
    private int maxPartitionFetchBytes = 1_048_576;
    private int maxFetchBytes = 52_428_800;
    private String autoOffsetReset = "earliest";
    private boolean checkCrcs = true;

    /** How long a fetch waits at the broker for {@link #minBytes()} (fetch.max.wait.ms). */
    public ConsumerOptions maxWaitMs(int ms) {
        this.maxWaitMs = ms;
        return this;
    }

    public int maxWaitMs() {
        return maxWaitMs;
    }

    public ConsumerOptions minBytes(int bytes) {
        this.minBytes = bytes;
        return this;
    }

    public int minBytes() {
        return minBytes;
    }

    /**
     * The most a fetch asks of one partition (max.partition.fetch.bytes). The consumer asks for less when the
     * subscriber's outstanding demand is small: about demand × the average record size, at least one batch.
     */
    public ConsumerOptions maxPartitionFetchBytes(int bytes) {
        this.maxPartitionFetchBytes = bytes;
        return this;
    }

    public int maxPartitionFetchBytes() {
        return maxPartitionFetchBytes;
    }

    public ConsumerOptions maxFetchBytes(int bytes) {
        this.maxFetchBytes = bytes;
        return this;
    }

    public int maxFetchBytes() {
        return maxFetchBytes;
    }

    /** earliest, latest or none: where to go when a position is out of range (auto.offset.reset). */
    public ConsumerOptions autoOffsetReset(String policy) {
        if (!policy.equals("earliest") && !policy.equals("latest") && !policy.equals("none")) {
            throw new IllegalArgumentException("auto offset reset must be earliest, latest or none");
        }
        this.autoOffsetReset = policy;
        return this;
    }

    public String autoOffsetReset() {
        return autoOffsetReset;
    }

    /** Verify each batch's CRC32C before its records are emitted (check.crcs). */
    public ConsumerOptions checkCrcs(boolean on) {
        this.checkCrcs = on;
        return this;
    }

    public boolean checkCrcs() {
        return checkCrcs;
    }
}
