package io.tributary.group;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where the coordinator writes its records: one partition of {@code __consumer_offsets} per group.
 * {@code done} runs on the coordinator's thread, with null once the records are appended (as durable
 * as any acknowledged produce), or with the failure.
 */
public interface GroupStore {
    void append(int partition, List<CoordinatorRecords.KeyValue> records, Consumer<Throwable> done);
}
