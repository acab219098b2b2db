package io.tributary.client.zk;

/**
 * What a {@link ZkClient#watch} stream follows.
 *
 * <ul>
 *   <li>{@link #DATA} and {@link #CHILDREN} are state streams over ZooKeeper's one-shot watches: after each event the
 *   stream reads the node again (re-arming the watch), and emits the new state. Changes that happen between an event
 *   and the read are seen as one change (the latest state): a state stream never falls behind and never buffers more
 *   than one pending state, whatever the subscriber's demand.</li>
 *   <li>{@link #PERSISTENT} and {@link #PERSISTENT_RECURSIVE} are event streams over AddWatch (opcode 106): every
 *   change the server reports, in zxid order, held in a bounded buffer while the subscriber has no demand; a full
 *   buffer fails the stream with {@link WatchOverflowException} (nothing is dropped silently).</li>
 * </ul>
 */
public enum WatchMode {
    /** The node's data and existence (getData / exists watches). */
    DATA,
    /** The node's child list (getChildren2 watches). */
    CHILDREN,
    /** Created, deleted, data changed and children changed of the node itself (AddWatch mode 0). */
    PERSISTENT,
    /** Created, deleted and data changed of the node and every descendant (AddWatch mode 1). */
    PERSISTENT_RECURSIVE
}
