package io.tributary.coord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * The engine's seam to a replicated log (cluster mode), the place {@link TxnLog} and {@link GroupCommit} fill
 * for a single node. The coordination engine knows nothing of how entries are ordered and replicated (the
 * implementation, {@code io.tributary.cluster.RatisReplication}, is Apache Ratis); it proposes encoded
 * {@link Command}s and applies what the log commits, in log order, through the {@link Applier} it registers.
 *
 * <p>Threading: methods may be called from any thread; futures complete on the implementation's threads,
 * and every {@link Applier} callback arrives on the implementation's threads too: the engine hops onto its
 * own context before touching state.
 */
public interface Replication {
    /** The node's part in the ensemble, for the four-letter words and for who may expire sessions. */
    enum Role { LEADER, FOLLOWER, NO_LEADER }

    /** What the engine gives the log: committed entries, snapshots, liveness relayed from other nodes. */
    interface Applier {
        /**
         * A committed entry, in log order ({@code term}, {@code index} strictly increasing). Must not throw
         * for an application error (the outcome is part of the state, the same on every node).
         */
        void apply(long term, long index, byte[] command);

        /** A log position with nothing for the engine (a leader's no-op, a configuration change). */
        void skip(long term, long index);

        /** Writes a snapshot of everything applied so far to a file the log names; returns its term and index. */
        long[] snapshot(SnapshotFiles files) throws IOException;

        /** Replaces the whole state with a snapshot file (at start, or one installed from the leader). */
        void restore(Path file, long term, long index) throws IOException;

        /** Liveness of sessions held by another node's connections (delivered on the leader). */
        void touched(int node, long[] sessionIds);

        /**
         * All entries committed before the read was asked for are applied here now (ReadIndex); completes the
         * future once the engine has also processed them.
         */
        void readBarrier(CompletableFuture<Void> done);

        /** This node became leader (true) or stopped being leader (false). */
        void roleChanged(boolean leader);
    }

    /** Where a snapshot at a given log position goes. */
    @FunctionalInterface
    interface SnapshotFiles {
        Path file(long term, long index);
    }

    /** Joins the ensemble; entries (from a snapshot and the log) start arriving at {@code applier}. */
    CompletableFuture<Void> start(Applier applier);

    /** Proposes one entry; completes once it is committed on a majority, fails when that cannot be known. */
    CompletableFuture<Void> propose(byte[] command);

    /** Completes once this node has applied every entry committed before the call (ReadIndex through the leader). */
    CompletableFuture<Void> readIndex();

    /**
     * Relays client liveness (sessions whose connections are on this node) to the leader; completes when the
     * leader has it, fails when it could not be delivered (the caller sends those sessions again).
     */
    CompletableFuture<Void> relayTouches(long[] sessionIds);

    Role role();

    /** The current term as this node knows it (the epoch of the zxids its leader's entries get). */
    long term();

    /** Members of the ensemble. */
    int ensembleSize();

    /** On the leader: followers whose log matches the leader's commit index; else 0. */
    int syncedFollowers();

    /** This node's id in the ensemble. */
    int nodeId();

    CompletableFuture<Void> stop();
}
