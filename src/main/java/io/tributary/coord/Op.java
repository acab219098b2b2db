package io.tributary.coord;

import org.apache.zookeeper.data.ACL;

import java.util.List;

/**
 * A client request as the engine sees it: protocol-neutral, already decoded by a front door. Writes
 * become {@link Txn}s; reads are answered from the tree.
 */
public sealed interface Op {
    /** ZooKeeper's CreateMode numbers. */
    int PERSISTENT = 0;
    int EPHEMERAL = 1;
    int PERSISTENT_SEQUENTIAL = 2;
    int EPHEMERAL_SEQUENTIAL = 3;
    int CONTAINER = 4;
    int PERSISTENT_WITH_TTL = 5;
    int PERSISTENT_SEQUENTIAL_WITH_TTL = 6;

    record Create(String path, byte[] data, List<ACL> acl, int mode, long ttl) implements Op {
        public boolean sequential() {
            return mode == PERSISTENT_SEQUENTIAL || mode == EPHEMERAL_SEQUENTIAL || mode == PERSISTENT_SEQUENTIAL_WITH_TTL;
        }

        public boolean ephemeral() {
            return mode == EPHEMERAL || mode == EPHEMERAL_SEQUENTIAL;
        }

        public boolean withTtl() {
            return mode == PERSISTENT_WITH_TTL || mode == PERSISTENT_SEQUENTIAL_WITH_TTL;
        }
    }

    record Delete(String path, int version) implements Op {
    }

    record SetData(String path, byte[] data, int version) implements Op {
    }

    record SetAcl(String path, List<ACL> acl, int version) implements Op {
    }

    record Check(String path, int version) implements Op {
    }

    /** All-or-nothing list of Create/Delete/SetData/Check. */
    record Multi(List<Op> ops) implements Op {
    }

    record GetData(String path, boolean watch) implements Op {
    }

    record Exists(String path, boolean watch) implements Op {
    }

    record GetChildren(String path, boolean watch) implements Op {
    }

    record GetAcl(String path) implements Op {
    }

    /** Independent reads (GetData/GetChildren), each with its own result. */
    record MultiRead(List<Op> ops) implements Op {
    }

    record Sync(String path) implements Op {
    }

    /** addWatch: recursive = PERSISTENT_RECURSIVE, else PERSISTENT. */
    record AddWatch(String path, boolean recursive) implements Op {
    }

    record RemoveWatches(String path, int watcherType, boolean checkOnly) implements Op {
    }

    record GetEphemerals(String prefix) implements Op {
    }

    record GetAllChildrenNumber(String path) implements Op {
    }

    /** Re-arms watches after a reconnect; events are sent for changes after {@code relativeZxid}. */
    record SetWatches(long relativeZxid, List<String> data, List<String> exist, List<String> child,
                      List<String> persistent, List<String> recursive) implements Op {
    }

    record CloseSession() implements Op {
    }
}
