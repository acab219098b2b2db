package io.tributary.cluster;

import io.tributary.coord.Replication;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The Ratis side of the coordination state machine: a thin adapter that hands committed entries, snapshot
 * requests and queries to the engine's {@link Replication.Applier} (which hops onto the coordinator's
 * context). The engine's state is the state; this class holds none.
 *
 * <p>Snapshots are the engine's own format ({@code io.tributary.coord.Snapshots}) in the file Ratis's
 * {@link SimpleStateMachineStorage} names ({@code <ratis dir>/<group>/sm/snapshot.<term>_<index>}, with an
 * {@code .md5} beside it), so a lagging follower is sent the file and reloads from it.
 *
 * <p>Queries: {@link #SYNC} (a ReadIndex barrier: completes once the engine has applied everything Ratis
 * applied before the query) and {@link #TOUCH} (session ids whose clients are alive on another node; only
 * the leader acts on them): {@code 2:u8 node:i32 (session:i64)*}.
 */
final class CoordStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(CoordStateMachine.class);
    static final byte SYNC = 1;
    static final byte TOUCH = 2;

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Replication.Applier applier;
    private final Runnable roleChanged;
    private CommitPush commitPush;

    CoordStateMachine(Replication.Applier applier, Runnable roleChanged) {
        this.applier = applier;
        this.roleChanged = roleChanged;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        commitPush = CommitPush.of(server, groupId);
        storage.init(raftStorage);
        loadSnapshot();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /**
     * Before Ratis installs a snapshot from the leader: it then writes the files and calls {@link #reinitialize},
     * and insists on the PAUSED state in between (a state machine left RUNNING made Ratis close the follower's
     * division when the install came).
     */
    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void close() throws IOException {
        if (commitPush != null) {
            commitPush.stop();
        }
        super.close();
    }

    @Override
    public void reinitialize() throws IOException {
        // After a snapshot was installed from the leader: the whole state is replaced by it.
        LOG.info("replacing the coordination state with a snapshot installed from the leader");
        loadSnapshot();
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    private void loadSnapshot() throws IOException {
        SingleFileSnapshotInfo snap = storage.loadLatestSnapshot();
        if (snap == null) {
            return;
        }
        applier.restore(snap.getFile().getPath(), snap.getTerm(), snap.getIndex());
        setLastAppliedTermIndex(snap.getTermIndex());
        LOG.info("coordination state restored from Ratis snapshot at term {} index {}", snap.getTerm(), snap.getIndex());
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public long takeSnapshot() throws IOException {
        long[] at = applier.snapshot((term, index) -> storage.getSnapshotFile(term, index).toPath());
        if (at == null) {
            return -1;
        }
        java.io.File file = storage.getSnapshotFile(at[0], at[1]);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), at[0], at[1]));
        LOG.info("coordination snapshot at term {} index {}", at[0], at[1]);
        return at[1];
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        applier.apply(entry.getTerm(), entry.getIndex(), entry.getStateMachineLogEntry().getLogData().toByteArray());
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        commitPush.committed();
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        // A leader's no-op or a configuration entry: nothing to apply, but the position still counts.
        applier.skip(term, index);
        updateLastAppliedTermIndex(term, index);
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        ByteString content = request.getContent();
        if (content.isEmpty()) {
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        byte kind = content.byteAt(0);
        if (kind == SYNC) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            applier.readBarrier(done);
            return done.thenApply(v -> Message.EMPTY);
        }
        if (kind == TOUCH) {
            ByteBuffer b = content.asReadOnlyByteBuffer();
            b.get();
            int node = b.getInt();
            long[] ids = new long[b.remaining() / 8];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = b.getLong();
            }
            applier.touched(node, ids);
        }
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        roleChanged.run();
    }

    @Override
    public void notifyLeaderReady() {
        roleChanged.run();
    }
}
