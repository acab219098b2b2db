package io.tributary.group;

import io.tributary.testing.ManualTime;

import java.util.PriorityQueue;

/** Timers driven by a manual clock: {@link #advance} moves time and runs what came due, in order. */
final class ManualScheduler implements Scheduler {
    private record Task(long dueMs, long id, Runnable run) {
    }

    final ManualTime time;
    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.dueMs != b.dueMs
            ? Long.compare(a.dueMs, b.dueMs) : Long.compare(a.id, b.id));
    private final java.util.Set<Long> cancelled = new java.util.HashSet<>();
    private long nextId;

    ManualScheduler(ManualTime time) {
        this.time = time;
    }

    @Override
    public long schedule(long delayMs, Runnable task) {
        long id = nextId++;
        queue.add(new Task(time.milliseconds() + Math.max(0, delayMs), id, task));
        return id;
    }

    @Override
    public void cancel(long handle) {
        if (handle >= 0) {
            cancelled.add(handle);
        }
    }

    /** Moves the clock forward by {@code ms}, running each task at its due time. */
    void advance(long ms) {
        long target = time.milliseconds() + ms;
        while (!queue.isEmpty() && queue.peek().dueMs <= target) {
            Task t = queue.poll();
            if (cancelled.remove(t.id)) {
                continue;
            }
            if (t.dueMs > time.milliseconds()) {
                time.advance(t.dueMs - time.milliseconds());
            }
            t.run.run();
        }
        if (target > time.milliseconds()) {
            time.advance(target - time.milliseconds());
        }
    }
}
