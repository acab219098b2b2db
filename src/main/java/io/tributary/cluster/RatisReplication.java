package io.tributary.cluster;

import io.tributary.coord.Replication;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The coordination engine's replicated log: one Apache Ratis group (gRPC transport) of every
 * {@code cluster.members} entry, its storage under {@code <data dir>/ratis}, and a Ratis client through which
 * this node proposes entries (Ratis sends them to the leader and retries across leader changes; its retry
 * cache keeps a retried entry from being applied twice). Reads for {@code sync} use Ratis's linearizable
 * read (ReadIndex: the leader confirms its leadership and the commit index, this node waits until it has
 * applied that far).
 *
 * <p>Threading: any thread; Ratis calls the state machine on its own threads.
 */
public final class RatisReplication implements Replication {
    private static final Logger LOG = LoggerFactory.getLogger(RatisReplication.class);
    /** One group for the coordination service; the id is fixed so every node names the same group. */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
            "tributary-coordination".getBytes(StandardCharsets.UTF_8)));

    private final ClusterConfig config;
    private final Path dir;
    private final RaftGroup group;
    private final RaftPeerId self;
    private final RaftProperties properties = new RaftProperties();
    private RaftServer server;
    private RaftClient client;
    private Applier applier;
    private volatile boolean leading;
    /** Proposals in flight through the Ratis client / submitted to this node's server as leader. */
    private final AtomicInteger viaClient = new AtomicInteger();
    private final AtomicInteger viaServer = new AtomicInteger();
    private final ClientId localClient = ClientId.randomId();
    private final AtomicLong localCalls = new AtomicLong();
    /** Call ids of local submissions answered since the last one: Ratis's retry cache can drop them. */
    private final Queue<Long> replied = new ConcurrentLinkedQueue<>();
    private boolean stopped;

    public RatisReplication(ClusterConfig config, Path dataDir) {
        this.config = config;
        this.dir = dataDir.resolve("ratis");
        List<RaftPeer> peers = config.members().stream().map(m -> RaftPeer.newBuilder().setId(peerId(m.id()))
                .setAddress(m.raftAddress()).build()).toList();
        this.group = RaftGroup.valueOf(GROUP_ID, peers);
        this.self = peerId(config.nodeId());
        configure();
    }

    static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf("n" + nodeId);
    }

    private void configure() {
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        ClusterConfig.Member me = config.self();
        GrpcConfigKeys.Server.setHost(properties, me.host());
        GrpcConfigKeys.Server.setPort(properties, me.raftPort());
        RaftServerConfigKeys.setStorageDir(properties, List.of(dir.toFile()));
        TimeDuration min = TimeDuration.valueOf(config.electionMinMs(), TimeUnit.MILLISECONDS);
        TimeDuration max = TimeDuration.valueOf(config.electionMaxMs(), TimeUnit.MILLISECONDS);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, min);
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, max);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties, min);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties, max);
        // A leader cut off from the majority steps down after this long (so it stops serving as leader).
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(properties, max);
        RaftServerConfigKeys.LeaderElection.setPreVote(properties, true);
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, Math.max(1000, config.snapshotEvery()));
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 3);
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf("16MB"));
        RaftServerConfigKeys.Log.setPreallocatedSize(properties, SizeInBytes.valueOf("1MB"));
        // Followers learn the commit index from heartbeats CommitPush asks for; a metadata entry in flight
        // would make those heartbeats carry nothing usable (see CommitPush).
        RaftServerConfigKeys.Log.setLogMetadataEnabled(properties, false);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        // A new Ratis client first sends a "dummy" watch request to its leader guess (the first member unless
        // told otherwise), waits up to the watch timeout (10 s) for it, and queues every ordered request behind
        // it: with that member SIGSTOPped, each replacement client (see replaceClient) stalled the same way, and
        // a healthy node could not open a session or commit a write for as long as the pause lasted.
        RaftClientConfigKeys.Async.Experimental.setSendDummyRequest(properties, false);
        RaftClientConfigKeys.Rpc.setWatchRequestTimeout(properties, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        // Ratis closes its server for good after a JVM pause over this (60 s by default): a node SIGSTOPped or
        // swapped out for a minute would stay up with its coordination dead. A paused ZooKeeper server resumes
        // and catches up; so does this one (its sessions were expired by the others meanwhile).
        RaftServerConfigKeys.setCloseThreshold(properties, TimeDuration.valueOf(7, TimeUnit.DAYS));
        config.raftOverrides().forEach((k, v) -> {
            LOG.info("Ratis setting {}={} (from the configuration)", k, v);
            properties.set(k, v);
        });
    }

    @Override
    public CompletableFuture<Void> start(Applier applier) {
        this.applier = applier;
        return CompletableFuture.runAsync(() -> {
            try {
                Files.createDirectories(dir);
                server = RaftServer.newBuilder().setServerId(self).setGroup(group).setProperties(properties)
                        .setStateMachine(new CoordStateMachine(applier, this::roleMaybeChanged))
                        .setOption(RaftStorage.StartupOption.RECOVER).build();
                server.start();
                client = newClient();
                LOG.info("coordination ensemble member {} of {} (Ratis on {}, storage {})", self, group.getPeers().size(),
                        config.self().raftAddress(), dir.toAbsolutePath().normalize());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private RaftClient newClient() {
        ClientId id = ClientId.randomId();
        // The leader this node's server follows, when it knows one: the client's own first guess is the first
        // member, which after that member failed costs every new client a request timeout or more.
        DivisionInfo i = info();
        RaftPeerId leader = i == null ? null : i.getLeaderId();
        return RaftClient.newBuilder().setProperties(properties).setRaftGroup(group).setClientId(id).setLeaderId(leader)
                .setClientRpc(new GrpcFactory(new Parameters()).newRaftClientRpc(id, properties))
                // Bounded: a write whose client was told CONNECTIONLOSS must not be retried into the log much
                // later (after a partition heals, say); attempts fail fast on NotLeader.
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        Math.max(3, config.requestTimeoutMs() / 1100), TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
    }

    /**
     * After a request gave up, a fresh client: the failed one's ordered request window may still hold what
     * gave up (later requests would queue behind it), and nothing it still retries is wanted any more.
     */
    private synchronized void replaceClient(RaftClient failed) {
        if (client != failed || stopped) {
            return;
        }
        client = newClient();
        CompletableFuture.runAsync(() -> {
            try {
                failed.close();
            } catch (IOException e) {
                LOG.debug("closing a replaced Ratis client: {}", e.toString());
            }
        });
    }

    private synchronized RaftClient client() {
        return client;
    }

    private void roleMaybeChanged() {
        boolean now = info() != null && info().isLeader();
        if (now != leading) {
            leading = now;
            applier.roleChanged(now);
        }
    }

    private boolean leaderReady() {
        DivisionInfo i = info();
        return i != null && i.isLeaderReady();
    }

    private DivisionInfo info() {
        try {
            return server == null ? null : server.getDivision(GROUP_ID).getInfo();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * On the leader, straight into its Ratis server ({@link RaftServer#submitClientRequestAsync}): no gRPC
     * round through this process's own client, which cost a leader-local write two serialisations and four
     * thread hand-offs. Elsewhere, through the Ratis client (which finds the leader and retries).
     *
     * <p>Order: the coordinator proposes from one thread and the log must keep that order, so the path only
     * changes when nothing is in flight on the other one (a proposal still in the client's window would
     * otherwise land after a later one submitted here).
     */
    @Override
    public CompletableFuture<Void> propose(byte[] command) {
        Message m = Message.valueOf(UnsafeByteOperations.unsafeWrap(command));
        boolean local = leading && leaderReady();
        if (local ? viaClient.get() == 0 : viaServer.get() > 0) {
            return submitHere(m);
        }
        RaftClient c = client();
        viaClient.incrementAndGet();
        CompletableFuture<Void> f = check(c, c.async().send(m));
        f.whenComplete((v, e) -> viaClient.decrementAndGet());
        return f;
    }

    private CompletableFuture<Void> submitHere(Message m) {
        long call = localCalls.incrementAndGet();
        List<Long> done = new ArrayList<>();
        for (Long id; done.size() < 1000 && (id = replied.poll()) != null; ) {
            done.add(id);
        }
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(localClient).setServerId(self)
                .setGroupId(GROUP_ID).setCallId(call).setRepliedCallIds(done).setMessage(m)
                .setType(RaftClientRequest.writeRequestType()).setTimeoutMs(config.requestTimeoutMs()).build();
        viaServer.incrementAndGet();
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = server.submitClientRequestAsync(request);
        } catch (IOException | RuntimeException e) {
            viaServer.decrementAndGet();
            return CompletableFuture.failedFuture(e);
        }
        return reply.orTimeout(config.requestTimeoutMs(), TimeUnit.MILLISECONDS).handle((r, e) -> {
            viaServer.decrementAndGet();
            replied.add(call); // the retry cache may forget it: nothing here sends it again
            if (e != null) {
                throw e instanceof CompletionException ce ? ce : new CompletionException(e);
            }
            if (!r.isSuccess()) {
                throw new IllegalStateException(r.getException() == null ? "not committed" : r.getException().toString());
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> readIndex() {
        // Unordered: an ordered read-only request to one server shares the client's sequence window with the
        // writes that go to the leader, and on the leader itself then waits for a sequence number that never
        // comes. Still linearizable (Read.Option.LINEARIZABLE: ReadIndex).
        RaftClient c = client();
        return check(c, c.async().sendReadOnlyUnordered(
                Message.valueOf(ByteString.copyFrom(new byte[]{CoordStateMachine.SYNC})), self));
    }

    @Override
    public CompletableFuture<Void> relayTouches(long[] sessionIds) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 8 * sessionIds.length).put(CoordStateMachine.TOUCH)
                .putInt(config.nodeId());
        for (long id : sessionIds) {
            b.putLong(id);
        }
        RaftClient c = client();
        // check(): bounded by the request timeout, and a client that failed is replaced, so the next relay
        // finds the new leader instead of retrying the one that died.
        // Straight to the leader this node's Ratis server follows: a fresh client (one replaced after a failure)
        // would first guess, and after a leader's death it could spend a whole session timeout guessing.
        DivisionInfo i = info();
        RaftPeerId leader = i == null ? null : i.getLeaderId();
        Message m = Message.valueOf(ByteString.copyFrom(b.array()));
        CompletableFuture<Void> relayed = check(c, leader == null ? c.async().sendReadOnlyUnordered(m)
                : c.async().sendReadOnlyUnordered(m, leader));
        relayed.whenComplete((r, e) -> {
            if (e != null) {
                LOG.debug("session liveness not relayed to the leader (sent again at the next tick): {}", e.toString());
            }
        });
        return relayed;
    }

    /** Bounds the wait (the client retries across elections) and turns a failed reply into a failed future. */
    private CompletableFuture<Void> check(RaftClient c, CompletableFuture<RaftClientReply> reply) {
        CompletableFuture<Void> out = reply.orTimeout(config.requestTimeoutMs(), TimeUnit.MILLISECONDS).thenApply(r -> {
            if (!r.isSuccess()) {
                throw new IllegalStateException(r.getException() == null ? "not committed" : r.getException().toString());
            }
            return null;
        });
        out.whenComplete((v, e) -> {
            if (e != null) {
                replaceClient(c);
            }
        });
        return out;
    }

    @Override
    public Role role() {
        DivisionInfo i = info();
        if (i == null) {
            return Role.NO_LEADER;
        }
        if (i.isLeader()) {
            return Role.LEADER;
        }
        return i.isFollower() && i.getLeaderId() != null ? Role.FOLLOWER : Role.NO_LEADER;
    }

    @Override
    public long term() {
        DivisionInfo i = info();
        return i == null ? 0 : i.getCurrentTerm();
    }

    @Override
    public int ensembleSize() {
        return group.getPeers().size();
    }

    @Override
    public int syncedFollowers() {
        try {
            var division = server.getDivision(GROUP_ID);
            if (!division.getInfo().isLeader()) {
                return 0;
            }
            long committed = division.getRaftLog().getLastCommittedIndex();
            int n = 0;
            for (long match : division.getInfo().getFollowerMatchIndices()) {
                if (match >= committed) {
                    n++;
                }
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public int nodeId() {
        return config.nodeId();
    }

    @Override
    public CompletableFuture<Void> stop() {
        synchronized (this) {
            stopped = true;
        }
        return CompletableFuture.runAsync(() -> {
            try {
                RaftClient c = client();
                if (c != null) {
                    c.close();
                }
                if (server != null) {
                    server.close();
                }
            } catch (IOException e) {
                LOG.warn("closing Ratis: {}", e.toString());
            }
        });
    }
}
