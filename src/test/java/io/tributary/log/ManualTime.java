package io.tributary.log;

import org.apache.kafka.common.utils.Time;

import java.util.function.Supplier;

/** Hand-driven clock for tests: time moves only when the test says so. */
final class ManualTime implements Time {
    private volatile long nowMs;

    ManualTime(long startMs) { this.nowMs = startMs; }

    void advance(long ms) { nowMs += ms; }

    @Override public long milliseconds() { return nowMs; }
    @Override public long nanoseconds() { return nowMs * 1_000_000L; }
    @Override public void sleep(long ms) { advance(ms); }
    @Override public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
        if (!condition.get()) throw new UnsupportedOperationException("ManualTime cannot wait");
    }
}
