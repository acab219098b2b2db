package io.tributary.coord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * Group commit and the output gate of the coordination engine, on one dedicated sync thread (the role of
 * ZooKeeper's SyncRequestProcessor).
 *
 * <p>The coordinator thread appends transactions to the {@link TxnLog} buffer and, at the end of each task
 * that appended, {@link #kick}s this thread. The sync thread takes everything buffered, writes and fsyncs
 * it, and then releases the outputs (replies and watch events) that waited for it, in order, itself: no
 * hop back to the coordinator's event loop sits on the latency path of a write or a watch. While an
 * fsync runs, later transactions accumulate and share the next one. It is never an event loop, so
 * blocking in {@code force} is where it belongs.
 *
 * <p>Outputs: {@link #output} runs an output at once (on the coordinator thread, outside the lock) when
 * everything produced so far is durable and nothing is held, else holds it until the log is durable up
 * to the zxid that was current when it was produced; the sync thread runs released ones under the
 * outbox lock, which they never re-enter (they complete promises and hand events to connections).
 *
 * <p>A failed write stops the thread: nothing held is ever released and {@link #failed} turns true (like
 * ZooKeeper, no further write is acknowledged once the log cannot be written).
 */
final class GroupCommit {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private record Held(long zxid, Runnable output) {
    }

    private final TxnLog log;
    private final Thread thread;
    /** Guards {@link #held} and {@link #durableZxid}: filled by the coordinator, drained by the sync thread. */
    private final Object outbox = new Object();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long durableZxid;
    /** Guards {@link #wanted} and {@link #stopping}. */
    private final Object work = new Object();
    private boolean wanted;
    private boolean stopping;
    private volatile boolean failed;
    private final DurabilityTimings timings;

    GroupCommit(TxnLog log, long durableZxid, String name) {
        this(log, durableZxid, name, DurabilityTimings.NONE);
    }

    GroupCommit(TxnLog log, long durableZxid, String name, DurabilityTimings timings) {
        this.timings = timings;
        this.log = log;
        this.durableZxid = durableZxid;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean failed() {
        return failed;
    }

    /** Coordinator thread: what was appended so far makes a batch; write it now if idle, else next. */
    void kick() {
        synchronized (work) {
            if (!wanted) {
                wanted = true;
                work.notify();
            }
        }
    }

    /** Coordinator thread: run {@code r} once the log is durable up to {@code zxid}, after earlier outputs. */
    void output(long zxid, Runnable r) {
        boolean now;
        synchronized (outbox) {
            now = zxid <= durableZxid && held.isEmpty();
            if (!now) {
                held.add(new Held(zxid, r));
            }
        }
        // Nothing is held, so every earlier output has run; only this thread adds outputs, so none can
        // overtake this one. Running it outside the lock keeps the sync thread from waiting on a reply
        // written right here.
        if (now) {
            r.run();
        }
    }

    /**
     * Blocking (a worker, at stop): writes what is still buffered, then ends the sync thread. Returns false
     * when the log failed, now or before.
     */
    boolean stop() throws InterruptedException {
        synchronized (work) {
            stopping = true;
            wanted = true;
            work.notify();
        }
        thread.join();
        return !failed;
    }

    private void run() {
        while (true) {
            boolean last;
            synchronized (work) {
                while (!wanted) {
                    try {
                        work.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                wanted = false;
                last = stopping;
            }
            TxnLog.Batch batch = log.take();
            if (batch != null) {
                try {
                    long start = System.nanoTime();
                    long durable = log.write(batch);
                    timings.fsync(System.nanoTime() - start);
                    release(durable);
                } catch (Throwable t) {
                    failed = true;
                    LOG.error("coordination transaction log failed; no further writes are acknowledged", t);
                    return;
                }
            }
            if (last) {
                return;
            }
        }
    }

    private void release(long zxid) {
        synchronized (outbox) {
            durableZxid = Math.max(durableZxid, zxid);
            while (!held.isEmpty() && held.peek().zxid <= durableZxid) {
                held.poll().output.run();
            }
        }
    }
}
