package io.tributary.client.zk;

import org.apache.zookeeper.data.Stat;

import java.util.List;

/**
 * One element of a {@link ZkClient#watch} stream.
 *
 * @param type     what happened
 * @param path     the node it happened to (for a recursive watch, the descendant)
 * @param zxid     the transaction that caused it: from the notification in PERSISTENT/RECURSIVE streams (whose
 *                 INITIAL carries the zxid the read saw), the node's {@code mzxid} (DATA) or {@code pzxid} (CHILDREN)
 *                 in state streams, the read's zxid for a deletion a state stream found; never decreasing along a
 *                 stream
 * @param data     the node's data (state streams of mode DATA and initial events; null otherwise or when absent)
 * @param stat     the node's stat where a read returned one (null for event-stream events and absent nodes)
 * @param children the sorted child names (CHILDREN streams and initial events of CHILDREN/PERSISTENT; else null)
 */
public record WatchEvent(Type type, String path, long zxid, byte[] data, Stat stat, List<String> children) {
    public enum Type {
        /** The current state when the stream started (only with {@code initial = true}); stat null if absent. */
        INITIAL,
        CREATED,
        DELETED,
        DATA_CHANGED,
        CHILDREN_CHANGED
    }

    /** True if the node exists in the state this event carries (always false for DELETED). */
    public boolean exists() {
        return stat != null;
    }
}
