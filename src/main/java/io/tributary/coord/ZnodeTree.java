package io.tributary.coord;

import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The znode tree: applies already-validated changes to the {@link CoordStore} and keeps the derived
 * indexes (ephemerals per session, containers, TTL nodes, approximate data size, quota roots) and the
 * quota stats nodes (see {@link Quotas}). Mutations report the watch triggers they cause (ZooKeeper's
 * DataTree rules) into a caller's list, so a failed {@code multi} can be undone before anyone is told.
 * Single-threaded: the coordinator thread only.
 */
public final class ZnodeTree {
    private static final Logger LOG = LoggerFactory.getLogger(ZnodeTree.class);
    public static final List<ACL> OPEN_ACL = List.of(new ACL(Codes.PERM_ALL, new Id("world", "anyone")));
    static final List<ACL> READ_ACL = List.of(new ACL(Codes.PERM_READ, new Id("world", "anyone")));

    /** A watch trigger: event {@code type} on {@code path}; {@code child} selects the child-watch table. */
    public record Trigger(String path, int type, List<ACL> acl) {
        /** A trigger whose node's ACL does not matter (children changed: recursive watches do not get those). */
        public Trigger(String path, int type) {
            this(path, type, null);
        }

    }

    private final CoordStore store;
    private final Map<Long, Set<String>> ephemerals = new HashMap<>();
    private final Set<String> containers = new HashSet<>();
    private final Set<String> ttls = new HashSet<>();
    private final Quotas quotas;
    private long dataSize;
    /** Distinct ACL lists, shared by every node that uses one (ZooKeeper keeps a similar cache); bounded by the distinct ACLs ever set. */
    private final Map<List<ACL>, List<ACL>> aclCache = new HashMap<>();
    /** Original state of nodes touched since {@link #beginUndo()}, null value = did not exist. */
    private Map<String, DataNode> undo;
    /** Paths changed since the last {@link #drainChanged()} (an ensemble's views); null until first asked. */
    private Set<String> changed;
    /** More paths changed than {@link #MAX_CHANGED}, or the tree was replaced: the next drain cannot say which. */
    private boolean changedOverflow;
    static final int MAX_CHANGED = 200_000;

    public ZnodeTree(CoordStore store) {
        this.store = store;
        this.quotas = new Quotas(store);
        if (store.get(Paths.ROOT) == null) {
            DataNode root = new DataNode(new byte[0], OPEN_ACL, 0, 0, 0);
            store.put(Paths.ROOT, root);
            putNew(Paths.ZOOKEEPER, new DataNode(new byte[0], OPEN_ACL, 0, 0, 0));
            putNew(Paths.CONFIG, new DataNode(new byte[0], READ_ACL, 0, 0, 0));
            putNew(Paths.QUOTA, new DataNode(new byte[0], OPEN_ACL, 0, 0, 0));
        }
    }

    private void putNew(String path, DataNode node) {
        store.put(path, node);
        store.get(Paths.parent(path)).children.add(Paths.name(path));
    }

    public DataNode get(String path) {
        return store.get(path);
    }

    public int nodeCount() {
        return store.size();
    }

    public long approximateDataSize() {
        return dataSize;
    }

    public int ephemeralCount() {
        int n = 0;
        for (Set<String> s : ephemerals.values()) {
            n += s.size();
        }
        return n;
    }

    public int ephemeralCountOf(long sessionId) {
        Set<String> s = ephemerals.get(sessionId);
        return s == null ? 0 : s.size();
    }

    public Set<String> ephemeralsOf(long sessionId) {
        Set<String> s = ephemerals.get(sessionId);
        return s == null ? Set.of() : new TreeSet<>(s);
    }

    public Set<String> containers() {
        return new HashSet<>(containers);
    }

    public Set<String> ttlNodes() {
        return new HashSet<>(ttls);
    }

    CoordStore store() {
        return store;
    }

    Quotas quotas() {
        return quotas;
    }

    // ---- mutations (validated by the caller) ----

    public void create(String path, byte[] data, List<ACL> acl, long owner, long zxid, long time, List<Trigger> out) {
        String parentPath = Paths.parent(path);
        DataNode parent = store.get(parentPath);
        remember(parentPath, parent);
        remember(path, null);
        DataNode node = new DataNode(data, intern(acl), zxid, time, owner);
        parent.children.add(Paths.name(path));
        parent.cversion++;
        parent.pzxid = zxid;
        index(path, node);
        store.put(path, node);
        String counted = Quotas.rootOf(path, Quotas.STAT_NODE);
        if (counted != null) {
            // A new stats node starts from a count of its subtree, whatever the client wrote (ZooKeeper does the same).
            rewrite(path, node, quotas.recount(counted));
        }
        countInQuota(path, DataNode.length(data), 1);
        out.add(new Trigger(path, Codes.EVENT_NODE_CREATED, node.acl));
        out.add(new Trigger(parentPath, Codes.EVENT_NODE_CHILDREN_CHANGED));
    }

    public void delete(String path, long zxid, List<Trigger> out) {
        String parentPath = Paths.parent(path);
        DataNode parent = store.get(parentPath);
        DataNode node = store.get(path);
        remember(parentPath, parent);
        remember(path, node);
        store.remove(path);
        unindex(path, node);
        parent.children.remove(Paths.name(path));
        parent.cversion++;
        if (zxid > parent.pzxid) {
            parent.pzxid = zxid;
        }
        countInQuota(path, -DataNode.length(node.data), -1);
        out.add(new Trigger(path, Codes.EVENT_NODE_DELETED, node.acl));
        out.add(new Trigger(parentPath, Codes.EVENT_NODE_CHILDREN_CHANGED));
    }

    public void setData(String path, byte[] data, long zxid, long time, List<Trigger> out) {
        DataNode node = store.get(path);
        remember(path, node);
        long diff = DataNode.length(data) - DataNode.length(node.data);
        dataSize += diff;
        node.data = data;
        node.version++;
        node.mzxid = zxid;
        node.mtime = time;
        countInQuota(path, diff, 0);
        out.add(new Trigger(path, Codes.EVENT_NODE_DATA_CHANGED, node.acl));
    }

    /** Adds a change under a quota root to its stats node (ZooKeeper's updateQuotaStat). */
    private void countInQuota(String path, long bytes, int count) {
        String root = quotas.rootFor(path);
        if (root == null) {
            return;
        }
        String statPath = Quotas.statPath(root);
        DataNode stats = store.get(statPath);
        if (stats == null) {
            // Between zkCli's creation of the limit node and of the stats node; the stats node's creation recounts.
            LOG.debug("no quota stats node {} yet", statPath);
            return;
        }
        byte[] updated = Quotas.adjusted(stats.data, bytes, count);
        if (updated == null) {
            LOG.warn("quota stats node {} holds '{}', not count=N,bytes=M; left as it is", statPath,
                    new String(stats.data, StandardCharsets.UTF_8));
            return;
        }
        rewrite(statPath, stats, updated);
    }

    /** Replaces a stats node's data in place: no version, no mzxid, no watch (derived state, as in ZooKeeper). */
    private void rewrite(String path, DataNode node, byte[] data) {
        remember(path, node);
        dataSize += DataNode.length(data) - DataNode.length(node.data);
        node.data = data;
    }

    /**
     * After a snapshot is loaded (children linked): every quota's stats are counted afresh from the tree,
     * as ZooKeeper's setupQuota does, so they never depend on what a stats node held on disk.
     */
    void recountQuotas() {
        for (String root : quotas.roots()) {
            String statPath = Quotas.statPath(root);
            DataNode stats = store.get(statPath);
            if (stats != null) {
                rewrite(statPath, stats, quotas.recount(root));
            }
        }
    }

    public void setAcl(String path, List<ACL> acl) {
        DataNode node = store.get(path);
        remember(path, node);
        node.acl = intern(acl);
        node.aversion++;
    }

    /** Empties the tree before a snapshot is loaded into it. */
    void resetForRestore() {
        List<String> all = new ArrayList<>();
        store.forEach((path, node) -> all.add(path));
        all.forEach(store::remove);
        ephemerals.clear();
        containers.clear();
        ttls.clear();
        quotas.clear();
        dataSize = 0;
        changedOverflow = true;
    }

    /** Inserts a node read from a snapshot; parents come first in snapshot order. */
    void restore(String path, DataNode node) {
        node.acl = intern(node.acl);
        store.put(path, node);
        index(path, node);
    }

    private List<ACL> intern(List<ACL> acl) {
        List<ACL> immutable = List.copyOf(acl);
        return aclCache.computeIfAbsent(immutable, k -> k);
    }

    private void index(String path, DataNode node) {
        dataSize += DataNode.length(node.data) + path.length();
        quotas.indexed(path);
        long owner = node.ephemeralOwner;
        if (EphemeralType.isContainer(owner)) {
            containers.add(path);
        } else if (EphemeralType.isTtl(owner)) {
            ttls.add(path);
        } else if (owner != 0) {
            ephemerals.computeIfAbsent(owner, k -> new HashSet<>()).add(path);
        }
    }

    private void unindex(String path, DataNode node) {
        dataSize -= DataNode.length(node.data) + path.length();
        quotas.unindexed(path);
        long owner = node.ephemeralOwner;
        containers.remove(path);
        ttls.remove(path);
        if (EphemeralType.isSession(owner)) {
            Set<String> s = ephemerals.get(owner);
            if (s != null) {
                s.remove(path);
                if (s.isEmpty()) {
                    ephemerals.remove(owner);
                }
            }
        }
    }

    // ---- undo for multi ----

    /** Starts recording the original state of every node a mutation touches. */
    public void beginUndo() {
        undo = new LinkedHashMap<>();
    }

    public void commitUndo() {
        undo = null;
    }

    /** Restores every touched node to its state at {@link #beginUndo()}. */
    public void rollback() {
        Map<String, DataNode> saved = undo;
        undo = null;
        List<String> paths = new ArrayList<>(saved.keySet());
        for (String path : paths) {
            DataNode current = store.get(path);
            if (current != null) {
                store.remove(path);
                unindex(path, current);
            }
        }
        for (String path : paths) {
            DataNode original = saved.get(path);
            if (original != null) {
                store.put(path, original);
                index(path, original);
            }
        }
    }

    /**
     * The paths created, deleted or changed (data, ACL, children) since the last call, or null when that is not
     * known (the first call, more than {@link #MAX_CHANGED} changes, a snapshot loaded): then a reader needs
     * the whole tree. Tracking starts with the first call; a single node never makes one.
     */
    public Set<String> drainChanged() {
        Set<String> out = changed == null || changedOverflow ? null : changed;
        changed = new HashSet<>();
        changedOverflow = false;
        return out;
    }

    private void remember(String path, DataNode node) {
        if (changed != null) {
            if (changed.size() < MAX_CHANGED) {
                changed.add(path);
            } else {
                changedOverflow = true;
            }
        }
        if (undo != null && !undo.containsKey(path)) {
            undo.put(path, node == null ? null : node.copy());
        }
    }
}
