package io.tributary.client.kafka;

/** Producer settings, named after kafka-clients' producer configs. */
public final class ProducerOptions {
    private short acks = -1;
    private long lingerMs = 5;
    private int batchSize = 16_384;
    private long bufferMemory = 32L * 1024 * 1024;
    private String compression = "none";
    private boolean idempotence = true;
    private long deliveryTimeoutMs = 120_000;
    private int maxRequestSize = 1_048_576;

    /** 0, 1 or -1 (all). Idempotence needs -1. */
    public ProducerOptions acks(int acks) {
        if (acks != 0 && acks != 1 && acks != -1) {
            throw new IllegalArgumentException("acks must be 0, 1 or -1");
        }
        this.acks = (short) acks;
        return this;
    }

    public short acks() {
        return acks;
    }

    /** How long a batch waits for more records before it is sent (linger.ms). */
    public ProducerOptions lingerMs(long ms) {
        this.lingerMs = ms;
        return this;
    }

    public long lingerMs() {
        return lingerMs;
    }

    /** A batch is sent as soon as it holds this many bytes (batch.size). */
    public ProducerOptions batchSize(int bytes) {
        this.batchSize = bytes;
        return this;
    }

    public int batchSize() {
        return batchSize;
    }

    /**
     * Bytes of records accepted but not yet acknowledged (buffer.memory). Above it, a {@code Flowable} fed to
     * {@link RxProducer#send(io.reactivex.rxjava3.core.Flowable)} is not asked for more, and single sends wait.
     */
    public ProducerOptions bufferMemory(long bytes) {
        this.bufferMemory = bytes;
        return this;
    }

    public long bufferMemory() {
        return bufferMemory;
    }

    /** none, gzip, snappy, lz4 or zstd (compression.type). */
    public ProducerOptions compression(String type) {
        if (!java.util.Set.of("none", "gzip", "snappy", "lz4", "zstd").contains(type)) {
            throw new IllegalArgumentException("unknown compression " + type);
        }
        this.compression = type;
        return this;
    }

    public String compression() {
        return compression;
    }

    /**
     * Idempotent delivery (enable.idempotence): a producer id and epoch from the broker and a sequence number per
     * partition, so a retried batch is written once and in order. Needs acks=-1.
     */
    public ProducerOptions idempotence(boolean on) {
        this.idempotence = on;
        return this;
    }

    public boolean idempotence() {
        return idempotence;
    }

    /** How long a record may take from send to acknowledgement, retries included (delivery.timeout.ms). */
    public ProducerOptions deliveryTimeoutMs(long ms) {
        this.deliveryTimeoutMs = ms;
        return this;
    }

    public long deliveryTimeoutMs() {
        return deliveryTimeoutMs;
    }

    /** The largest produce request (max.request.size); it also caps a single record. */
    public ProducerOptions maxRequestSize(int bytes) {
        this.maxRequestSize = bytes;
        return this;
    }

    public int maxRequestSize() {
        return maxRequestSize;
    }
}
