package io.tributary.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import io.tributary.coord.CoordinatorVerticle;
import io.tributary.coord.Replication;
import io.tributary.coord.Snapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Hazelcast membership and the shared views {@code znodes} and {@code sessions}.
 *
 * <p>Hazelcast here is never a source of truth: its ordinary maps can lose updates in a partition, so the
 * coordination state lives in the Ratis log and these maps only mirror it. The leader publishes them: every
 * {@code cluster.views.period.ms} it asks the engine (on the coordinator context) for the znodes changed since
 * the last period, with their current state, and every session, and writes those (puts and removes), each
 * value tagged with the zxid they were read at. After a Hazelcast split-brain merge (a lifecycle MERGED event),
 * and whenever this node becomes leader, or a member joins (and again 15 s after each of these), every 5
 * minutes in any case, and when the engine cannot say what changed, it rewrites the maps whole from a cut of
 * the state machine, removing anything else. (Until 2026-12-01 it cut the whole tree every period: at 30,000
 * znodes that held up the coordinator long enough to show in the ensemble's watch p99.)
 * Readers (operators with Hazelcast's clients or SQL, the HTTP front door's cluster-wide listings) see a view
 * at most a period behind the committed state.
 *
 * <p>Config: cluster name {@code tributary}, member port from {@code cluster.members}, bound to that host only,
 * TCP/IP join on the configured members, multicast and auto-detection off, phone-home off, Jet off.
 *
 * <p>Threading: one daemon thread ({@code tributary-views}) starts Hazelcast and publishes; it waits on the
 * coordinator's futures, never on an event loop.
 */
public final class HazelcastViews {
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastViews.class);
    static final String ZNODES = "znodes";
    static final String SESSIONS = "sessions";

    private final ClusterConfig config;
    private final CoordinatorVerticle coordinator;
    private final Replication replication;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean republish = true;
    private volatile HazelcastInstance hazelcast;
    private Map<Long, Views.Session> publishedSessions = new HashMap<>();
    private boolean wasLeader;
    /** Whole rewrites at least every 5 minutes, and a second one this long after an event that asked for one. */
    private static final long WHOLE_EVERY_MS = 300_000;
    private static final long SECOND_PASS_MS = 15_000;
    private long lastWhole;
    private long secondPassAt;

    HazelcastViews(ClusterConfig config, CoordinatorVerticle coordinator) {
        this.config = config;
        this.coordinator = coordinator;
        this.replication = coordinator.replication();
        this.thread = new Thread(this::run, "tributary-views");
        this.thread.setDaemon(true);
    }

    static Config hazelcastConfig(ClusterConfig c) {
        Config cfg = new Config();
        cfg.setClusterName("tributary");
        cfg.setInstanceName("tributary-node-" + c.nodeId());
        cfg.setProperty("hazelcast.phone.home.enabled", "false");
        cfg.setProperty("hazelcast.logging.type", "slf4j");
        cfg.setProperty("hazelcast.shutdownhook.enabled", "false");
        cfg.setProperty("hazelcast.socket.bind.any", "false");
        // Members that start apart (or come back from a split) find each other within seconds.
        cfg.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        cfg.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        cfg.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        cfg.getJetConfig().setEnabled(false);
        ClusterConfig.Member self = c.self();
        NetworkConfig net = cfg.getNetworkConfig();
        net.setPort(self.hazelcastPort()).setPortAutoIncrement(false);
        net.getInterfaces().setEnabled(true).addInterface(self.host());
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(c.members().stream()
                .map(m -> m.host() + ":" + m.hazelcastPort()).toList());
        return cfg;
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        HazelcastInstance hz = hazelcast;
        if (hz != null) {
            hz.shutdown();
        }
    }

    /** The member (null until it has started). */
    public HazelcastInstance hazelcast() {
        return hazelcast;
    }

    private void run() {
        try {
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(hazelcastConfig(config));
            hz.getLifecycleService().addLifecycleListener(e -> {
                if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
                    LOG.info("Hazelcast split-brain merge: the views are rebuilt from the state machine");
                    republish = true;
                }
            });
            // A member joining (also the other side of a healed split, whose stale copies the merge may have
            // put back) makes the leader rewrite the views whole.
            hz.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
                @Override
                public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
                    republish = true;
                }

                @Override
                public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
                }
            });
            hazelcast = hz;
            if (stopping) {
                hz.shutdown();
                return;
            }
            LOG.info("Hazelcast member {} joined ({} members)", hz.getCluster().getLocalMember().getAddress(),
                    hz.getCluster().getMembers().size());
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.error("Hazelcast did not start; the shared views are not published", e);
            }
            return;
        }
        while (!stopping) {
            try {
                publishOnce();
                Thread.sleep(config.viewsPeriodMs()); // the publishing period, not synchronization
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!stopping) {
                    LOG.warn("publishing the coordination views failed (retrying): {}", e.toString());
                    republish = true;
                }
            }
        }
    }

    private void publishOnce() throws InterruptedException {
        boolean leader = replication.role() == Replication.Role.LEADER;
        // Every node drains the engine's change tracking each period (followers only forget it), so it stays small.
        Snapshots.Delta delta = await(coordinator.changes(leader));
        if (!leader) {
            wasLeader = false;
            return;
        }
        if (!wasLeader) {
            republish = true; // another node may have published since we last did
            wasLeader = true;
        }
        IMap<String, Views.Znode> zmap = hazelcast.getMap(ZNODES);
        IMap<Long, Views.Session> smap = hazelcast.getMap(SESSIONS);
        long now = System.currentTimeMillis();
        // A whole rewrite after an event (leader change, merge, member join), once more a little later (a merge
        // may land some time after the event that announced it), now and then anyway, and whenever the engine
        // cannot say what changed. Otherwise only what changed since the last period.
        boolean whole = republish || delta.nodes() == null || now - lastWhole >= WHOLE_EVERY_MS
                || (secondPassAt != 0 && now >= secondPassAt);
        if (republish) {
            secondPassAt = now + SECOND_PASS_MS;
        } else if (whole) {
            secondPassAt = 0;
        }
        republish = false;
        if (whole) {
            lastWhole = now;
            Snapshots.Image image = await(coordinator.capture());
            Map<String, Views.Znode> nodes = znodes(image);
            Map<Long, Views.Session> sessions = sessions(image);
            // Anything in the maps that the state machine does not have goes (a merge may bring back stale keys).
            for (String k : new HashSet<>(zmap.keySet())) {
                if (!nodes.containsKey(k)) {
                    zmap.delete(k);
                }
            }
            for (Long k : new HashSet<>(smap.keySet())) {
                if (!sessions.containsKey(k)) {
                    smap.delete(k);
                }
            }
            zmap.putAll(nodes);
            publishedSessions = new HashMap<>();
            sync(smap, publishedSessions, sessions, (x, y) -> x.sameAs(y));
            publishedSessions = sessions;
            return;
        }
        Map<String, Views.Znode> puts = new HashMap<>();
        for (Map.Entry<String, Snapshots.NodeImage> e : delta.nodes().entrySet()) {
            Snapshots.NodeImage n = e.getValue();
            if (n == null) {
                zmap.delete(e.getKey());
            } else {
                puts.put(n.path(), znode(n, delta.children().getOrDefault(n.path(), 0), delta.zxid()));
            }
        }
        if (!puts.isEmpty()) {
            zmap.putAll(puts);
        }
        Map<Long, Views.Session> sessions = new HashMap<>();
        for (Snapshots.SessionImage si : delta.sessions()) {
            sessions.put(si.id(), new Views.Session(si.timeout(), si.ownerNode(), si.lastTouch(),
                    delta.ephemerals().getOrDefault(si.id(), 0), delta.zxid()));
        }
        sync(smap, publishedSessions, sessions, (x, y) -> x.sameAs(y));
        publishedSessions = sessions;
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws InterruptedException {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer from the coordinator", e);
        }
    }

    private static Views.Znode znode(Snapshots.NodeImage n, int children, long zxid) {
        return new Views.Znode(n.data(), n.czxid(), n.mzxid(), n.pzxid(), n.ctime(), n.mtime(), n.version(),
                n.cversion(), n.aversion(), n.ephemeralOwner(), children, zxid);
    }

    private static <K, V> void sync(IMap<K, V> map, Map<K, V> before, Map<K, V> now,
                                    java.util.function.BiPredicate<V, V> same) {
        Map<K, V> puts = new HashMap<>();
        for (Map.Entry<K, V> e : now.entrySet()) {
            V old = before.get(e.getKey());
            if (old == null || !same.test(e.getValue(), old)) {
                puts.put(e.getKey(), e.getValue());
            }
        }
        if (!puts.isEmpty()) {
            map.putAll(puts);
        }
        Set<K> gone = new HashSet<>(before.keySet());
        gone.removeAll(now.keySet());
        for (K k : gone) {
            map.delete(k);
        }
    }

    static Map<String, Views.Znode> znodes(Snapshots.Image image) {
        Map<String, Integer> children = new HashMap<>();
        for (Snapshots.NodeImage n : image.nodes()) {
            if (!n.path().equals("/")) {
                int slash = n.path().lastIndexOf('/');
                children.merge(slash == 0 ? "/" : n.path().substring(0, slash), 1, Integer::sum);
            }
        }
        Map<String, Views.Znode> out = new HashMap<>();
        for (Snapshots.NodeImage n : image.nodes()) {
            out.put(n.path(), znode(n, children.getOrDefault(n.path(), 0), image.zxid()));
        }
        return out;
    }

    static Map<Long, Views.Session> sessions(Snapshots.Image image) {
        Map<Long, Integer> ephemerals = new HashMap<>();
        for (Snapshots.NodeImage n : image.nodes()) {
            if (io.tributary.coord.EphemeralType.isSession(n.ephemeralOwner())) {
                ephemerals.merge(n.ephemeralOwner(), 1, Integer::sum);
            }
        }
        Map<Long, Views.Session> out = new HashMap<>();
        for (Snapshots.SessionImage s : image.sessions()) {
            out.put(s.id(), new Views.Session(s.timeout(), s.ownerNode(), s.lastTouch(),
                    ephemerals.getOrDefault(s.id(), 0), image.zxid()));
        }
        return out;
    }

    List<String> memberAddresses() {
        HazelcastInstance hz = hazelcast;
        return hz == null ? List.of() : hz.getCluster().getMembers().stream().map(m -> m.getAddress().toString()).toList();
    }
}
