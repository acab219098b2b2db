package io.tributary.group;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A {@link GroupStore} in memory: keeps every record in append order; can be told to fail. */
final class MemoryStore implements GroupStore {
    record Appended(int partition, CoordinatorRecords.KeyValue record) {
    }

    final List<Appended> log = new ArrayList<>();
    RuntimeException failWith;

    @Override
    public void append(int partition, List<CoordinatorRecords.KeyValue> records, Consumer<Throwable> done) {
        if (failWith != null) {
            done.accept(failWith);
            return;
        }
        records.forEach(r -> log.add(new Appended(partition, r)));
        done.accept(null);
    }

    /** Replays everything written into {@code into}, as a restarted node does from the topic. */
    void replayInto(GroupCoordinator into) {
        replayOnly(into);
        into.finishLoading();
    }

    /** Replays without ending the load (a cluster's coordinator finishes one partition at a time). */
    void replayOnly(GroupCoordinator into) {
        for (Appended a : log) {
            into.replay(java.nio.ByteBuffer.wrap(a.record().key()),
                    a.record().value() == null ? null : java.nio.ByteBuffer.wrap(a.record().value()));
        }
    }
}
