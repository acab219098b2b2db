package io.tributary.cluster;

import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.HostProvider;
import org.apache.zookeeper.data.Stat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** ZooKeeper clients pinned to an order of ensemble nodes, and a digest of a node's whole tree. */
final class EnsembleClient {
    private EnsembleClient() {
    }

    /** Tries the given nodes in this order (ZooKeeper's own provider shuffles them), round robin. */
    static final class Ordered implements HostProvider {
        private final List<InetSocketAddress> hosts;
        private final List<Integer> nodes;
        private int next;
        private volatile int current = -1;

        Ordered(LocalCluster cluster, int... nodes) {
            this.hosts = new ArrayList<>();
            this.nodes = new ArrayList<>();
            for (int n : nodes) {
                String[] hp = cluster.zkConnect(n).split(":");
                hosts.add(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])));
                this.nodes.add(n);
            }
        }

        @Override
        public int size() {
            return hosts.size();
        }

        @Override
        public synchronized InetSocketAddress next(long spinDelay) {
            int i = next;
            next = (next + 1) % hosts.size();
            if (i == 0 && spinDelay > 0) {
                try {
                    Thread.sleep(Math.min(spinDelay, 200)); // the client's own back-off between rounds
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            current = nodes.get(i);
            return hosts.get(i);
        }

        @Override
        public void onConnected() {
        }

        @Override
        public boolean updateServerList(Collection<InetSocketAddress> serverAddresses, InetSocketAddress current) {
            return false;
        }

        /** The node last tried (the connected one while connected). */
        int current() {
            return current;
        }
    }

    /** A connected client trying {@code nodes} in order; {@code hosts[0]} gets the host provider. */
    static ZooKeeper connect(LocalCluster cluster, int sessionTimeoutMs, Watcher watcher, Ordered hosts)
            throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        StringBuilder cs = new StringBuilder();
        for (int i = 0; i < hosts.size(); i++) {
            cs.append(i == 0 ? "" : ",").append("127.0.0.1:1"); // unused: the host provider decides
        }
        ZooKeeper zk = new ZooKeeper(cs.toString(), sessionTimeoutMs, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
            if (watcher != null) {
                watcher.process(e);
            }
        }, false, hosts);
        if (!up.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new AssertionError("client did not connect");
        }
        return zk;
    }

    static ZooKeeper connect(LocalCluster cluster, int sessionTimeoutMs, int... nodes) throws Exception {
        return connect(cluster, sessionTimeoutMs, null, new Ordered(cluster, nodes));
    }

    static void sync(ZooKeeper zk, String path) throws Exception {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        zk.sync(path, (rc, p, ctx) -> done.complete(rc), null);
        int rc = done.get(60, TimeUnit.SECONDS);
        if (rc != 0) {
            throw KeeperException.create(KeeperException.Code.get(rc), path);
        }
    }

    /**
     * Every given node comes to hold the same tree (digests equal, each taken after a sync on its node), within
     * {@code timeout}: the nodes keep applying the same log, and in an ensemble the Kafka brokers' metadata
     * (their registrations after a restart or a heal, the controller's partition states) may still be changing
     * when the test's own writes are done, so equality is polled for rather than sampled once. Fails with the
     * last digests.
     */
    static void awaitSameTree(LocalCluster cluster, java.time.Duration timeout, int... nodes) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        java.util.Map<Integer, String> last = new java.util.TreeMap<>();
        while (true) {
            last.clear();
            for (int n : nodes) {
                try (ZooKeeper zk = connect(cluster, 10_000, n)) {
                    last.put(n, digest(zk));
                } catch (KeeperException.NoNodeException e) {
                    // the tree changed during the walk (a broker's registration expiring, say): look again
                    last.put(n, "changed while read: " + e.getPath());
                }
            }
            if (new java.util.HashSet<>(last.values()).size() == 1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the nodes' trees did not converge: " + last + "\n" + cluster.logs());
            }
            Thread.sleep(200); // the interval of a deadline-bounded poll
        }
    }

    /**
     * SHA-256 over every znode (path, data and every stat field) read from the node this client is on, after a
     * sync: two nodes with the same digest hold the same tree.
     */
    static String digest(ZooKeeper zk) throws Exception {
        sync(zk, "/");
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        List<String> stack = new ArrayList<>(List.of("/"));
        List<String> paths = new ArrayList<>();
        while (!stack.isEmpty()) {
            String p = stack.remove(stack.size() - 1);
            paths.add(p);
            for (String child : zk.getChildren(p, false)) {
                stack.add(p.equals("/") ? "/" + child : p + "/" + child);
            }
        }
        java.util.Collections.sort(paths);
        for (String p : paths) {
            Stat s = new Stat();
            byte[] data = zk.getData(p, false, s);
            md.update(p.getBytes(StandardCharsets.UTF_8));
            md.update(data == null ? new byte[0] : data);
            md.update(s.toString().getBytes(StandardCharsets.UTF_8));
        }
        return paths.size() + " znodes, sha256 " + HexFormat.of().formatHex(md.digest());
    }

    /** Every znode of the tree (read through {@code zk}) is in the view with the same data and stat, and no other. */
    static boolean viewMatches(ZooKeeper zk, com.hazelcast.map.IMap<String, Views.Znode> view) throws Exception {
        List<String> paths = new ArrayList<>();
        List<String> todo = new ArrayList<>(List.of("/"));
        while (!todo.isEmpty()) {
            String p = todo.remove(todo.size() - 1);
            paths.add(p);
            for (String c : zk.getChildren(p, false)) {
                todo.add(p.equals("/") ? "/" + c : p + "/" + c);
            }
        }
        if (view.size() != paths.size()) {
            return false;
        }
        for (String p : paths) {
            Stat st = new Stat();
            byte[] data = zk.getData(p, false, st);
            Views.Znode v = view.get(p);
            if (v == null || !java.util.Arrays.equals(data == null ? new byte[0] : data, v.data())
                    || v.mzxid() != st.getMzxid() || v.czxid() != st.getCzxid() || v.pzxid() != st.getPzxid()
                    || v.version() != st.getVersion() || v.cversion() != st.getCversion()
                    || v.aversion() != st.getAversion() || v.ephemeralOwner() != st.getEphemeralOwner()
                    || v.numChildren() != st.getNumChildren()) {
                return false;
            }
        }
        return true;
    }

}
