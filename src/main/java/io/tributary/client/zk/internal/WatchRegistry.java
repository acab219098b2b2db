package io.tributary.client.zk.internal;

import org.apache.zookeeper.proto.SetWatches2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client side of a session's watches: which local stream listens to which path in which way, how a server
 * notification is routed to them (the rules of ZooKeeper's ZKWatchManager), and what SetWatches2 re-registers after a
 * reconnect. The server holds one registration per path and kind for the whole connection, however many local
 * streams share it. On the client's loop only.
 */
public final class WatchRegistry {
    public enum Kind { DATA, CHILDREN, PERSISTENT, RECURSIVE }

    /** What a one-shot stream needs the server to hold for it right now. */
    public enum Armed { NONE, DATA, EXIST, CHILD }

    /** A local stream. */
    public interface Listener {
        void onEvent(int type, String path, long zxid);

        /** The session reached CONNECTED (after SetWatches2 was acknowledged). */
        void onConnected();

        /** The session ended: {@code error} is null when the client was closed. */
        void onEnd(Throwable error);

        /** For one-shot kinds: the registration a reconnect must restore. Persistent kinds are always restored. */
        default Armed armed() {
            return Armed.NONE;
        }
    }

    /** SetWatches2 packets above this many path bytes are split, as ClientCnxn splits at 128 KB. */
    private static final int SET_WATCHES_MAX_BYTES = 128 * 1024;

    private final Map<Kind, Map<String, Set<Listener>>> byKind = new HashMap<>();
    private long unrouted;

    public WatchRegistry() {
        for (Kind k : Kind.values()) {
            byKind.put(k, new HashMap<>());
        }
    }

    public void add(Kind kind, String path, Listener l) {
        byKind.get(kind).computeIfAbsent(path, p -> new LinkedHashSet<>()).add(l);
    }

    /** Removes {@code l}; true if no other local stream of {@code kind} remains on {@code path}. */
    public boolean remove(Kind kind, String path, Listener l) {
        Map<String, Set<Listener>> m = byKind.get(kind);
        Set<Listener> s = m.get(path);
        if (s == null) {
            return true;
        }
        s.remove(l);
        if (s.isEmpty()) {
            m.remove(path);
            return true;
        }
        return false;
    }

    /** Routes a notification: the local streams it concerns get it, as ZooKeeper's client routes it. */
    public void dispatch(int type, String path, long zxid) {
        List<Listener> to = new ArrayList<>();
        switch (type) {
            case Wire.EVENT_CREATED, Wire.EVENT_DATA_CHANGED -> {
                collect(Kind.DATA, path, to);
                collect(Kind.CHILDREN, path, to); // a children stream waiting for its node uses an exist watch
                collect(Kind.PERSISTENT, path, to);
                collectRecursive(path, to);
            }
            case Wire.EVENT_CHILDREN_CHANGED -> {
                collect(Kind.CHILDREN, path, to);
                collect(Kind.PERSISTENT, path, to);
            }
            case Wire.EVENT_DELETED -> {
                collect(Kind.DATA, path, to);
                collect(Kind.CHILDREN, path, to);
                collect(Kind.PERSISTENT, path, to);
                collectRecursive(path, to);
            }
            default -> {
                return; // watch-removed events and states: nothing to route
            }
        }
        if (to.isEmpty()) {
            unrouted++;
        }
        for (Listener l : to) {
            l.onEvent(type, path, zxid);
        }
    }

    private void collect(Kind kind, String path, List<Listener> to) {
        Set<Listener> s = byKind.get(kind).get(path);
        if (s != null) {
            to.addAll(s);
        }
    }

    private void collectRecursive(String path, List<Listener> to) {
        Map<String, Set<Listener>> m = byKind.get(Kind.RECURSIVE);
        if (m.isEmpty()) {
            return;
        }
        String p = path;
        while (true) {
            Set<Listener> s = m.get(p);
            if (s != null) {
                to.addAll(s);
            }
            if (p.equals("/")) {
                return;
            }
            int slash = p.lastIndexOf('/');
            p = slash == 0 ? "/" : p.substring(0, slash);
        }
    }

    /** Notifications that reached no local stream (a server-side registration outliving its stream shows here). */
    public long unrouted() {
        return unrouted;
    }

    /** The SetWatches2 packets that restore every registration after a reconnect; empty if there are none. */
    public List<SetWatches2> setWatches(long relativeZxid) {
        Set<String> data = new LinkedHashSet<>();
        Set<String> exist = new LinkedHashSet<>();
        Set<String> child = new LinkedHashSet<>();
        for (Kind k : List.of(Kind.DATA, Kind.CHILDREN)) {
            for (Map.Entry<String, Set<Listener>> e : byKind.get(k).entrySet()) {
                for (Listener l : e.getValue()) {
                    switch (l.armed()) {
                        case DATA -> data.add(e.getKey());
                        case EXIST -> exist.add(e.getKey());
                        case CHILD -> child.add(e.getKey());
                        default -> {
                        }
                    }
                }
            }
        }
        List<List<String>> lists = List.of(new ArrayList<>(data), new ArrayList<>(exist), new ArrayList<>(child),
                new ArrayList<>(byKind.get(Kind.PERSISTENT).keySet()), new ArrayList<>(byKind.get(Kind.RECURSIVE).keySet()));
        List<SetWatches2> out = new ArrayList<>();
        List<List<String>> batch = emptyBatch();
        int bytes = 0;
        for (int i = 0; i < lists.size(); i++) {
            for (String p : lists.get(i)) {
                if (bytes + p.length() > SET_WATCHES_MAX_BYTES && bytes > 0) {
                    out.add(packet(relativeZxid, batch));
                    batch = emptyBatch();
                    bytes = 0;
                }
                batch.get(i).add(p);
                bytes += p.length();
            }
        }
        if (bytes > 0) {
            out.add(packet(relativeZxid, batch));
        }
        return out;
    }

    private static List<List<String>> emptyBatch() {
        List<List<String>> b = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            b.add(new ArrayList<>());
        }
        return b;
    }

    private static SetWatches2 packet(long zxid, List<List<String>> b) {
        return new SetWatches2(zxid, b.get(0), b.get(1), b.get(2), b.get(3), b.get(4));
    }

    /** Every listener, once (for connected / end notices). */
    public List<Listener> all() {
        Set<Listener> all = new LinkedHashSet<>();
        for (Map<String, Set<Listener>> m : byKind.values()) {
            for (Set<Listener> s : m.values()) {
                all.addAll(s);
            }
        }
        return new ArrayList<>(all);
    }
}
