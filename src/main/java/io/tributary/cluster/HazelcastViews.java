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
 * {@code cluster.views.period.ms} it takes a consistent cut of the state machine (on the coordinator context), compares it
 * with what it published last, and writes the difference (puts and removes), each value tagged with the cut's
 * zxid. After a Hazelcast split-brain merge (a lifecycle MERGED event), and whenever this node becomes leader,
 * or a member joins, and every 10 s in any case, it rewrites the maps whole from the state machine, removing
 * anything else.
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
    private Map<String, Views.Znode> publishedNodes = new HashMap<>();
    private Map<Long, Views.Session> publishedSessions = new HashMap<>();
    private boolean wasLeader;
    /** Whole rewrites at least every 10 s. */
    private static final long WHOLE_EVERY_MS = 10_000;
    private long lastWhole;

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
        if (!leader) {
            wasLeader = false;
            return;
        }
        if (!wasLeader) {
            republish = true; // another node may have published since we last did
            wasLeader = true;
        }
        Snapshots.Image image;
        try {
            image = coordinator.capture().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no state cut", e);
        }
        Map<String, Views.Znode> nodes = znodes(image);
        Map<Long, Views.Session> sessions = sessions(image);
        IMap<String, Views.Znode> zmap = hazelcast.getMap(ZNODES);
        IMap<Long, Views.Session> smap = hazelcast.getMap(SESSIONS);
        // Also a whole rewrite now and then: a merge may land some time after the join that announced it.
        long now = System.currentTimeMillis();
        boolean whole = republish || now - lastWhole >= WHOLE_EVERY_MS;
        republish = false;
        if (whole) {
            lastWhole = now;
        }
        if (whole) {
            publishedNodes = new HashMap<>();
            publishedSessions = new HashMap<>();
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
        }
        sync(zmap, publishedNodes, nodes, (a, b) -> a.sameAs(b));
        sync(smap, publishedSessions, sessions, (a, b) -> a.sameAs(b));
        publishedNodes = nodes;
        publishedSessions = sessions;
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
            out.put(n.path(), new Views.Znode(n.data(), n.czxid(), n.mzxid(), n.pzxid(), n.ctime(), n.mtime(),
                    n.version(), n.cversion(), n.aversion(), n.ephemeralOwner(), children.getOrDefault(n.path(), 0),
                    image.zxid()));
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
