package io.tributary.coord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sessions and their expiry, as ZooKeeper's SessionTrackerImpl/ExpiryQueue: each session sits in the
 * bucket of the tick boundary after {@code now + timeout}; a touch moves it to a later bucket; a periodic
 * call to {@link #expired(long)} (every tick, from a timer) pops every bucket at or before now. Time is
 * always passed in, so tests drive it with a manual clock. Single-threaded: the coordinator thread only.
 */
public final class SessionTracker {
    /** One client session; {@code sink} is its current connection, null while disconnected. */
    public static final class Session {
        final long id;
        final int timeout;
        final byte[] password;
        long expireAt;
        WatchSink sink;
        /**
         * Cluster mode, replicated: the node whose clients may use the session (where it was created or last
         * reconnected); 0 when unknown (restored from a snapshot), then not checked.
         */
        int owner;
        /** Cluster mode, on the leader: the node whose connection last touched it, and when (leader's clock). */
        int ownerNode;
        long lastTouch;
        boolean closing;

        Session(long id, int timeout, byte[] password) {
            this.id = id;
            this.timeout = timeout;
            this.password = password;
        }

        public long id() {
            return id;
        }

        public int timeout() {
            return timeout;
        }

        public byte[] password() {
            return password.clone();
        }

        public WatchSink sink() {
            return sink;
        }
    }

    private final int tickTime;
    private final Map<Long, Session> sessions = new HashMap<>();
    private final TreeMap<Long, Set<Long>> buckets = new TreeMap<>();

    public SessionTracker(int tickTime) {
        this.tickTime = tickTime;
    }

    public int tickTime() {
        return tickTime;
    }

    public Session get(long id) {
        return sessions.get(id);
    }

    public Collection<Session> all() {
        return sessions.values();
    }

    public int count() {
        return sessions.size();
    }

    /** Adds a session (new, or recovered from the log) expiring one timeout from {@code now}. */
    public Session add(long id, int timeout, byte[] password, long now) {
        Session s = new Session(id, timeout, password);
        sessions.put(id, s);
        touch(s, now);
        return s;
    }

    /** Forgets every session (before a snapshot replaces the state). */
    public void clear() {
        sessions.clear();
        buckets.clear();
    }

    public Session remove(long id) {
        Session s = sessions.remove(id);
        if (s != null) {
            unbucket(s);
        }
        return s;
    }

    /** Any traffic from the client: push expiry out. Returns false for an unknown or closing session. */
    public boolean touch(long id, long now) {
        Session s = sessions.get(id);
        if (s == null || s.closing) {
            return false;
        }
        touch(s, now);
        return true;
    }

    private void touch(Session s, long now) {
        long at = roundUp(now + s.timeout);
        if (at == s.expireAt) {
            return;
        }
        unbucket(s);
        s.expireAt = at;
        buckets.computeIfAbsent(at, k -> new LinkedHashSet<>()).add(s.id);
    }

    private void unbucket(Session s) {
        Set<Long> b = buckets.get(s.expireAt);
        if (b != null) {
            b.remove(s.id);
            if (b.isEmpty()) {
                buckets.remove(s.expireAt);
            }
        }
    }

    /** The tick boundary strictly after {@code time}, so expiry is checked once per tick. */
    private long roundUp(long time) {
        return (time / tickTime + 1) * tickTime;
    }

    /** A new leader gives every session a full timeout from {@code now}, as ZooKeeper's new leader does. */
    public void renewAll(long now) {
        for (Session s : new ArrayList<>(sessions.values())) {
            s.closing = false;
            touch(s, now);
        }
    }

    /** Sessions whose bucket is due; they are marked closing and must be closed by the caller. */
    public List<Session> expired(long now) {
        List<Session> out = new ArrayList<>();
        while (!buckets.isEmpty() && buckets.firstKey() <= now) {
            for (Long id : buckets.pollFirstEntry().getValue()) {
                Session s = sessions.get(id);
                if (s != null) {
                    s.closing = true;
                    out.add(s);
                }
            }
        }
        return out;
    }
}
