package io.tributary.client.zk;

/**
 * A persistent watch stream's subscriber fell more than {@code watchBufferSize} events behind; the stream ends with
 * this error rather than buffering without bound or dropping events. Resubscribe (with {@code initial = true}) to
 * pick up the current state again.
 */
public final class WatchOverflowException extends RuntimeException {
    public WatchOverflowException(String path, int capacity) {
        super("watch on " + path + ": the subscriber is more than " + capacity + " events behind");
    }
}
