package io.tributary.coord;

import io.tributary.coord.SessionTracker.Session;
import io.tributary.testing.ManualTime;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster-mode engine with no network: two {@link ReplicatedEngine}s on one in-memory log (a fake
 * {@link Replication} that commits every proposal at once, in order) and one task queue standing in for their
 * contexts. Both apply the same entries and must hold the same state; outcomes are decided at apply.
 */
class ReplicatedEngineTest {
    /** The shared log: every proposal is committed at the next index and delivered to every node. */
    static final class Log {
        final List<Node> nodes = new ArrayList<>();
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        long index;

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }
    }

    static final class Node implements Replication {
        final Log log;
        final int id;
        final Role role;
        final ManualTime time = new ManualTime(1_000_000);
        final Coordinator c;
        final ReplicatedEngine engine;

        Node(Log log, int id, Role role) {
            this.log = log;
            this.id = id;
            this.role = role;
            CoordOptions o = CoordOptions.defaults();
            this.c = new Coordinator(new InMemoryCoordStore(), new CoordOptions(o.tickTime(), o.minSessionTimeout(),
                    o.maxSessionTimeout(), o.maxBuffer(), o.snapCount(), o.containerCheckIntervalMs(), id), time,
                    txn -> { }, Runnable::run);
            this.engine = new ReplicatedEngine(c, this, log.tasks::add);
            log.nodes.add(this);
        }

        @Override
        public CompletableFuture<Void> start(Applier applier) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> propose(byte[] command) {
            long index = ++log.index;
            for (Node n : log.nodes) {
                n.engine.apply(1, index, command);
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> readIndex() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> relayTouches(long[] sessionIds) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Role role() {
            return role;
        }

        @Override
        public long term() {
            return 1;
        }

        @Override
        public int ensembleSize() {
            return 2;
        }

        @Override
        public int syncedFollowers() {
            return 0;
        }

        @Override
        public int nodeId() {
            return id;
        }

        @Override
        public CompletableFuture<Void> stop() {
            return CompletableFuture.completedFuture(null);
        }

        Session connect(long id, byte[] password, Engine.Sink sink) {
            Session[] out = new Session[1];
            engine.connect(id, password, 10_000, sink, s -> out[0] = s, why -> {
                throw new AssertionError(why);
            });
            log.runAll();
            return out[0];
        }

        Result run(Session s, Op op, WatchSink sink) {
            Result[] out = new Result[1];
            engine.execute(new Caller(s.id(), List.of(), sink), op, r -> out[0] = r);
            log.runAll();
            assertNotNull(out[0], "answered");
            return out[0];
        }
    }

    static Op create(String path, int mode) {
        return new Op.Create(path, new byte[]{1}, ZooDefs.Ids.OPEN_ACL_UNSAFE, mode, 0);
    }

    /** Sessions and every znode with its stat, in path order: equal strings mean equal states. */
    static String state(Coordinator c) {
        Snapshots.Image img = Snapshots.capture(c);
        StringBuilder b = new StringBuilder("zxid=" + Long.toHexString(img.zxid()) + "\n");
        img.sessions().stream().map(s -> s.id() + "/" + s.timeout()).sorted().forEach(s -> b.append(s).append('\n'));
        img.nodes().stream().sorted(java.util.Comparator.comparing(Snapshots.NodeImage::path)).forEach(n ->
                b.append(n.path()).append(' ').append(java.util.Arrays.toString(n.data())).append(' ').append(n.czxid())
                        .append(' ').append(n.mzxid()).append(' ').append(n.pzxid()).append(' ').append(n.ctime())
                        .append(' ').append(n.version()).append(' ').append(n.cversion()).append(' ')
                        .append(n.ephemeralOwner()).append('\n'));
        return b.toString();
    }

    @Test
    void twoNodesApplyingTheSameLogHoldTheSameStateAndOutcomes() {
        Log log = new Log();
        Node a = new Node(log, 1, Replication.Role.LEADER);
        Node b = new Node(log, 2, Replication.Role.FOLLOWER);
        b.time.sleep(12_345); // different clocks: time comes from the proposer, in the entry
        Engine.Sink sa = new Engine.Sink();
        Engine.Sink sb = new Engine.Sink();
        Session onA = a.connect(0, null, sa);
        Session onB = b.connect(0, null, sb);
        assertEquals(1, onA.id() >>> 56, "a session id in node 1's range");
        assertEquals(2, onB.id() >>> 56, "a session id in node 2's range");
        assertEquals(0, a.run(onA, create("/x", Op.PERSISTENT), sa).err());
        assertEquals(0, b.run(onB, create("/x/seq-", Op.PERSISTENT_SEQUENTIAL), sb).err());
        assertEquals(0, a.run(onA, create("/x/seq-", Op.PERSISTENT_SEQUENTIAL), sa).err());
        assertEquals(0, b.run(onB, create("/x/eph", Op.EPHEMERAL), sb).err());
        // Validation happens at apply, the same on both: a stale version fails wherever it was sent.
        assertEquals(Codes.BADVERSION, a.run(onA, new Op.SetData("/x", new byte[]{2}, 5), sa).err());
        assertEquals(Codes.NODEEXISTS, b.run(onB, create("/x", Op.PERSISTENT), sb).err());
        Result multi = a.run(onA, new Op.Multi(List.of(new Op.SetData("/x", new byte[]{3}, 0),
                create("/x/m", Op.PERSISTENT))), sa);
        assertEquals(0, multi.err());
        // The follower's client reads its own write at once on its own node.
        Result read = b.run(onB, new Op.GetData("/x/eph", false), sb);
        assertEquals(0, read.err());
        assertEquals(state(a.c), state(b.c));
        // Closing b's session deletes its ephemeral on both nodes.
        assertEquals(0, b.run(onB, new Op.CloseSession(), sb).err());
        assertEquals(state(a.c), state(b.c));
        assertTrue(!state(a.c).contains("/x/eph"));
        // zxids: epoch = term 1, counter per command.
        assertEquals(1, a.c.lastZxid() >>> 32);
    }

    @Test
    void aSessionMovedToAnotherNodeIsRefusedThroughTheOldOne() {
        Log log = new Log();
        Node a = new Node(log, 1, Replication.Role.LEADER);
        Node b = new Node(log, 2, Replication.Role.FOLLOWER);
        Engine.Sink oldConnection = new Engine.Sink();
        Session s = a.connect(0, null, oldConnection);
        assertEquals(0, a.run(s, create("/moved", Op.PERSISTENT), oldConnection).err());
        Engine.Sink newConnection = new Engine.Sink();
        Session moved = b.connect(s.id(), s.password(), newConnection);
        assertNotNull(moved, "the client is let in on node 2 with its id and password");
        assertFalse(oldConnection.closed.isEmpty(), "node 1 closed the old connection when the move committed");
        // A request still arriving through node 1 is refused, as ZooKeeper refuses a moved session.
        assertEquals(Codes.SESSIONMOVED, a.run(s, new Op.SetData("/moved", new byte[]{9}, -1), oldConnection).err());
        assertEquals(0, b.run(moved, new Op.SetData("/moved", new byte[]{7}, -1), newConnection).err());
        assertEquals(state(a.c), state(b.c));
    }

    @Test
    void onlyTheLeaderExpiresAndOnlyAfterTakingOver() throws IOException {
        Log log = new Log();
        Node a = new Node(log, 1, Replication.Role.LEADER);
        Node b = new Node(log, 2, Replication.Role.FOLLOWER);
        Engine.Sink sink = new Engine.Sink();
        Session s = b.connect(0, null, sink);
        b.time.sleep(60_000);
        a.time.sleep(60_000);
        b.engine.tick();
        log.runAll();
        assertNotNull(b.c.sessions().get(s.id()), "a follower never expires");
        a.engine.tick(); // takes over first: every session gets a full timeout from now
        log.runAll();
        assertNotNull(a.c.sessions().get(s.id()));
        a.time.sleep(20_000);
        a.engine.tick();
        log.runAll();
        assertEquals(null, b.c.sessions().get(s.id()), "the leader's expiry applied on node 2 too");
        assertFalse(sink.closed.isEmpty(), "node 2 closed the expired session's connection");
        assertEquals(state(a.c), state(b.c));
    }
}
