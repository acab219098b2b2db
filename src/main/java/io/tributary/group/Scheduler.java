package io.tributary.group;

/**
 * Timers for the coordinator (join delays, rebalance and session timeouts, offset expiry). Tasks run
 * on the coordinator's own thread. The verticle backs it with Vert.x timers on its context; unit tests
 * with a manual clock.
 */
public interface Scheduler {
    /** Runs {@code task} after {@code delayMs}; returns a handle for {@link #cancel}. */
    long schedule(long delayMs, Runnable task);

    /** Cancels a task not yet run; a no-op for unknown or already run handles, and for -1. */
    void cancel(long handle);
}
