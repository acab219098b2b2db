package io.tributary.client.zk;

import org.apache.zookeeper.data.Stat;

import java.util.List;

/** The result of one operation of a {@code multi} or read-only multi, in the order the operations were given. */
public sealed interface OpResult {
    record CreateResult(String path, Stat stat) implements OpResult {
    }

    record DeleteResult() implements OpResult {
    }

    record SetDataResult(Stat stat) implements OpResult {
    }

    record CheckResult() implements OpResult {
    }

    record GetDataResult(byte[] data, Stat stat) implements OpResult {
    }

    record GetChildrenResult(List<String> children) implements OpResult {
    }

    /** The operation failed with {@code code} (RUNTIMEINCONSISTENCY for those rolled back by another's failure). */
    record ErrorResult(int code) implements OpResult {
    }
}
