package io.tributary.coord;

import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * ZooKeeper's watch tables (WatchManager), one for data watches and one for child watches, keyed by
 * path then sink, each entry a set of mode bits as in ZooKeeper 3.9 (a sink can hold a one-shot and a
 * persistent watch on the same path; firing clears only the one-shot bit).
 *
 * <ul>
 *   <li>getData/exists register {@link #STANDARD} data watches, getChildren {@link #STANDARD} child
 *       watches; both are one-shot.</li>
 *   <li>addWatch PERSISTENT registers in both tables; PERSISTENT_RECURSIVE only in the data table, and
 *       also fires for every descendant's data events (NodeCreated, NodeDeleted, NodeDataChanged) but
 *       never NodeChildrenChanged, as in ZooKeeper.</li>
 *   <li>A sink receives at most one event per trigger, even when several of its watches match.</li>
 * </ul>
 * Single-threaded: the coordinator thread only.
 */
public final class WatchRegistry {
    public static final int STANDARD = 1;
    public static final int PERSISTENT = 2;
    public static final int RECURSIVE = 4;

    // WatcherType numbers of removeWatches/checkWatches
    public static final int TYPE_CHILDREN = 1;
    public static final int TYPE_DATA = 2;
    public static final int TYPE_ANY = 3;
    public static final int TYPE_PERSISTENT = 4;
    public static final int TYPE_PERSISTENT_RECURSIVE = 5;

    private final Map<String, Map<WatchSink, Integer>> data = new HashMap<>();
    private final Map<String, Map<WatchSink, Integer>> child = new HashMap<>();
    private final Map<WatchSink, Set<String>> pathsBySink = new IdentityHashMap<>();
    private int recursiveCount;

    public void addData(String path, WatchSink sink, int mode) {
        add(data, path, sink, mode);
    }

    public void addChild(String path, WatchSink sink, int mode) {
        add(child, path, sink, mode);
    }

    /** addWatch: mode 0 = PERSISTENT, 1 = PERSISTENT_RECURSIVE (ZooKeeper's AddWatchMode). */
    public void addPersistent(String path, WatchSink sink, boolean recursive) {
        if (recursive) {
            add(data, path, sink, RECURSIVE);
        } else {
            add(data, path, sink, PERSISTENT);
            add(child, path, sink, PERSISTENT);
        }
    }

    private void add(Map<String, Map<WatchSink, Integer>> table, String path, WatchSink sink, int mode) {
        Map<WatchSink, Integer> sinks = table.computeIfAbsent(path, k -> new LinkedHashMap<>());
        int before = sinks.getOrDefault(sink, 0);
        if ((mode & RECURSIVE) != 0 && (before & RECURSIVE) == 0) {
            recursiveCount++;
        }
        sinks.put(sink, before | mode);
        pathsBySink.computeIfAbsent(sink, k -> new java.util.HashSet<>()).add(path);
    }

    /**
     * Fires the watches of one transaction's changes, in the order they happened; each sink hears of a
     * deletion once (as a data watch or as a child watch). {@code skipAcl}: no READ check on recursive
     * watches' descendants (zookeeper.skipACL).
     */
    public void fire(List<ZnodeTree.Trigger> triggers, long zxid, Delivery delivery, boolean skipAcl) {
        Set<WatchSink> none = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ZnodeTree.Trigger t : triggers) {
            List<ACL> acl = skipAcl ? null : t.acl();
            switch (t.type()) {
                case Codes.EVENT_NODE_CHILDREN_CHANGED -> triggerChild(t.path(), t.type(), zxid, none, delivery);
                case Codes.EVENT_NODE_DELETED -> {
                    Set<WatchSink> told = triggerData(t.path(), t.type(), zxid, none, delivery, acl);
                    triggerChild(t.path(), t.type(), zxid, told, delivery);
                }
                default -> triggerData(t.path(), t.type(), zxid, none, delivery, acl);
            }
        }
    }

    /**
     * Fires a data-table event; returns the sinks told so the caller can suppress duplicates.
     *
     * @param except sinks already told about this change (may be empty)
     * @param acl    the changed node's ACL: a persistent recursive watch on an ancestor hears of the change only
     *               if its sink's {@link WatchSink#readerIds()} may READ it (null: not checked)
     */
    public Set<WatchSink> triggerData(String path, int type, long zxid, Set<WatchSink> except, Delivery delivery,
                                      List<ACL> acl) {
        Set<WatchSink> told = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        fire(data.get(path), data, path, type, zxid, except, told, delivery, true);
        if (recursiveCount > 0) {
            String p = path;
            while (!p.equals(Paths.ROOT)) {
                p = Paths.parent(p);
                Map<WatchSink, Integer> sinks = data.get(p);
                if (sinks == null) {
                    continue;
                }
                for (Map.Entry<WatchSink, Integer> e : sinks.entrySet()) {
                    if ((e.getValue() & RECURSIVE) != 0 && !except.contains(e.getKey()) && mayRead(e.getKey(), acl)
                            && told.add(e.getKey())) {
                        delivery.deliver(e.getKey(), type, path, zxid);
                    }
                }
            }
        }
        return told;
    }

    private static boolean mayRead(WatchSink sink, List<ACL> acl) {
        if (acl == null) {
            return true;
        }
        List<Id> ids = sink.readerIds();
        return ids == null || Acls.allowed(acl, Codes.PERM_READ, ids);
    }

    public Set<WatchSink> triggerChild(String path, int type, long zxid, Set<WatchSink> except, Delivery delivery) {
        Set<WatchSink> told = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        fire(child.get(path), child, path, type, zxid, except, told, delivery, false);
        return told;
    }

    private void fire(Map<WatchSink, Integer> sinks, Map<String, Map<WatchSink, Integer>> table, String path, int type,
                      long zxid, Set<WatchSink> except, Set<WatchSink> told, Delivery delivery, boolean dataTable) {
        if (sinks == null) {
            return;
        }
        List<WatchSink> emptied = new ArrayList<>();
        for (Map.Entry<WatchSink, Integer> e : sinks.entrySet()) {
            int mode = e.getValue();
            WatchSink sink = e.getKey();
            if ((mode & STANDARD) != 0) {
                mode &= ~STANDARD;
                e.setValue(mode);
                if (mode == 0) {
                    emptied.add(sink);
                }
            }
            if (!except.contains(sink) && told.add(sink)) {
                delivery.deliver(sink, type, path, zxid);
            }
        }
        for (WatchSink sink : emptied) {
            sinks.remove(sink);
            forgetPath(sink, path);
        }
        if (sinks.isEmpty()) {
            table.remove(path);
        }
    }

    private void forgetPath(WatchSink sink, String path) {
        Map<WatchSink, Integer> d = data.get(path);
        Map<WatchSink, Integer> c = child.get(path);
        if ((d == null || !d.containsKey(sink)) && (c == null || !c.containsKey(sink))) {
            Set<String> paths = pathsBySink.get(sink);
            if (paths != null) {
                paths.remove(path);
                if (paths.isEmpty()) {
                    pathsBySink.remove(sink);
                }
            }
        }
    }

    /**
     * removeWatches / checkWatches. Data and Children remove one-shot watches, Persistent and
     * PersistentRecursive their kind, Any all of the sink's watches on the path.
     *
     * @return whether a matching watch existed (ZooKeeper answers NOWATCHER otherwise)
     */
    public boolean remove(String path, int watcherType, WatchSink sink, boolean checkOnly) {
        boolean found = false;
        switch (watcherType) {
            case TYPE_DATA -> found = clear(data, path, sink, STANDARD, checkOnly);
            case TYPE_CHILDREN -> found = clear(child, path, sink, STANDARD, checkOnly);
            case TYPE_PERSISTENT -> {
                found = clear(data, path, sink, PERSISTENT, checkOnly);
                found |= clear(child, path, sink, PERSISTENT, checkOnly);
            }
            case TYPE_PERSISTENT_RECURSIVE -> found = clear(data, path, sink, RECURSIVE, checkOnly);
            default -> {
                found = clear(data, path, sink, STANDARD | PERSISTENT | RECURSIVE, checkOnly);
                found |= clear(child, path, sink, STANDARD | PERSISTENT, checkOnly);
            }
        }
        if (!checkOnly) {
            forgetPath(sink, path);
        }
        return found;
    }

    private boolean clear(Map<String, Map<WatchSink, Integer>> table, String path, WatchSink sink, int bits, boolean checkOnly) {
        Map<WatchSink, Integer> sinks = table.get(path);
        Integer mode = sinks == null ? null : sinks.get(sink);
        if (mode == null || (mode & bits) == 0) {
            return false;
        }
        if (!checkOnly) {
            if ((mode & bits & RECURSIVE) != 0) {
                recursiveCount--;
            }
            int left = mode & ~bits;
            if (left == 0) {
                sinks.remove(sink);
                if (sinks.isEmpty()) {
                    table.remove(path);
                }
            } else {
                sinks.put(sink, left);
            }
        }
        return true;
    }

    /** A connection went away: all its watches go (the client restores them with SetWatches). */
    public void removeSink(WatchSink sink) {
        Set<String> paths = pathsBySink.remove(sink);
        if (paths == null) {
            return;
        }
        for (String path : paths) {
            clear(data, path, sink, STANDARD | PERSISTENT | RECURSIVE, false);
            clear(child, path, sink, STANDARD | PERSISTENT, false);
        }
    }

    public int watchCount() {
        int n = 0;
        for (Map<WatchSink, Integer> m : data.values()) {
            n += m.size();
        }
        for (Map<WatchSink, Integer> m : child.values()) {
            n += m.size();
        }
        return n;
    }

    public int watchedPathCount() {
        Set<String> paths = new java.util.HashSet<>(data.keySet());
        paths.addAll(child.keySet());
        return paths.size();
    }

    public int sinkCount() {
        return pathsBySink.size();
    }

    /** Visits every sink with the paths it watches (for the wchc/wchs four-letter words). */
    public void forEachSink(BiConsumer<WatchSink, Set<String>> action) {
        pathsBySink.forEach((s, p) -> action.accept(s, Set.copyOf(p)));
    }

    /** Hands an event to a sink; the coordinator routes it through its durability outbox. */
    @FunctionalInterface
    public interface Delivery {
        void deliver(WatchSink sink, int type, String path, long zxid);
    }
}
