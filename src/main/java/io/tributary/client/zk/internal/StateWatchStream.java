package io.tributary.client.zk.internal;

import io.tributary.client.internal.LoopStream;
import io.tributary.client.zk.WatchEvent;
import io.tributary.client.zk.ZkException;
import io.vertx.core.Future;
import org.apache.zookeeper.data.Stat;
import org.reactivestreams.Subscriber;

import java.util.ArrayList;
import java.util.List;

/**
 * A DATA or CHILDREN watch as a stream of states over ZooKeeper's one-shot watches. Each read (getData or
 * getChildren2, or exists while the node is absent) leaves a watch; its event marks the stream dirty, and the next
 * read re-arms the watch and yields the new state, which is compared with the last one delivered: a newer
 * {@code mzxid} (DATA) or {@code pzxid} (CHILDREN) is a change, a new {@code czxid} a re-creation, a missing node a
 * deletion; a read that finds nothing newer emits nothing.
 *
 * <p>Backpressure by collapse: a dirty stream reads again only while its subscriber has demand, and at most one
 * state waits to be delivered (a newer one replaces it), so a slow subscriber sees fewer, later states — the latest
 * always — and the stream holds O(1) memory whatever the write rate. zxids along the stream only grow.
 *
 * <p>Across a reconnect, the armed watch is restored with SetWatches2 (data, exist or child watch, relative to the
 * last zxid seen, so the server reports a change missed while disconnected); a read that failed with the connection
 * is repeated once CONNECTED.
 */
public final class StateWatchStream implements WatchRegistry.Listener {
    private final ZkSession session;
    private final Requests requests;
    private final String path;
    private final boolean children;
    private final boolean initial;
    private final LoopStream<WatchEvent> out;
    private WatchRegistry.Armed armed = WatchRegistry.Armed.NONE;
    private boolean dirty = true;
    private boolean reading;
    private boolean baseline;
    private boolean lastExists;
    private long lastCzxid;
    private long lastZxid;

    public StateWatchStream(ZkSession session, Subscriber<? super WatchEvent> down, String path, boolean children,
                            boolean initial) {
        this.session = session;
        this.requests = new Requests(session);
        this.path = path;
        this.children = children;
        this.initial = initial;
        this.out = new LoopStream<WatchEvent>(session.loop(), down, 1, LoopStream.Overflow.LATEST, () -> null)
                .onCancel(this::release).onRequest(this::maybeRead);
    }

    private WatchRegistry.Kind kind() {
        return children ? WatchRegistry.Kind.CHILDREN : WatchRegistry.Kind.DATA;
    }

    public void start() {
        out.start();
        if (out.isDone()) {
            return;
        }
        session.watches().add(kind(), path, this);
        maybeRead();
    }

    private void maybeRead() {
        if (!dirty || reading || out.isDone()) {
            return;
        }
        // The first read arms the watch at once; later ones wait for demand (that is the collapse).
        if (baseline && out.demand() <= out.queued()) {
            return;
        }
        reading = true;
        dirty = false;
        Future<State> read = children
                ? requests.getChildren2(path, true).map(r -> new State(r.value().stat(), null, r.value().names(), r.zxid()))
                : requests.getData(path, true).map(r -> new State(r.value().stat(), r.value().data(), null, r.zxid()));
        read.recover(e -> {
            if (e instanceof ZkException z && z.code() == ZkException.NONODE) {
                // Absent: leave an exist watch instead. If it appeared in between, read again.
                return requests.exists(path, true).map(r -> r.value() == null ? new State(null, null, null, z.zxid())
                        : null);
            }
            return Future.failedFuture(e);
        }).onComplete(ar -> {
            reading = false;
            if (out.isDone()) {
                return;
            }
            if (ar.failed()) {
                armed = WatchRegistry.Armed.NONE;
                dirty = true;
                if (!(ar.cause() instanceof ZkException z && z.isConnectionLoss())) {
                    out.error(ar.cause());
                }
                return; // a connection loss: read again on CONNECTED
            }
            State s = ar.result();
            if (s == null) {
                dirty = true;
                maybeRead();
                return;
            }
            if (!dirty) {
                armed = s.stat == null ? WatchRegistry.Armed.EXIST
                        : children ? WatchRegistry.Armed.CHILD : WatchRegistry.Armed.DATA;
            }
            apply(s);
            maybeRead();
        });
    }

    private void apply(State s) {
        boolean exists = s.stat != null;
        WatchEvent e = null;
        if (!baseline) {
            baseline = true;
            if (initial) {
                e = new WatchEvent(WatchEvent.Type.INITIAL, path, exists ? zxidOf(s.stat) : s.zxid, s.data, s.stat,
                        sorted(s.children));
            }
        } else if (exists && (!lastExists || s.stat.getCzxid() != lastCzxid)) {
            e = new WatchEvent(WatchEvent.Type.CREATED, path, zxidOf(s.stat), s.data, s.stat, sorted(s.children));
        } else if (exists && zxidOf(s.stat) > lastZxid) {
            e = new WatchEvent(children ? WatchEvent.Type.CHILDREN_CHANGED : WatchEvent.Type.DATA_CHANGED, path,
                    zxidOf(s.stat), s.data, s.stat, sorted(s.children));
        } else if (!exists && lastExists) {
            e = new WatchEvent(WatchEvent.Type.DELETED, path, Math.max(s.zxid, lastZxid), null, null, null);
        }
        lastExists = exists;
        if (exists) {
            lastCzxid = s.stat.getCzxid();
            lastZxid = zxidOf(s.stat);
        } else if (e != null) {
            lastZxid = e.zxid();
        }
        if (e != null) {
            out.offer(e);
        }
    }

    private long zxidOf(Stat st) {
        return children ? Math.max(st.getPzxid(), st.getCzxid()) : st.getMzxid();
    }

    private static List<String> sorted(List<String> names) {
        if (names == null) {
            return null;
        }
        List<String> l = new ArrayList<>(names);
        l.sort(null);
        return List.copyOf(l);
    }

    @Override
    public void onEvent(int type, String eventPath, long zxid) {
        armed = WatchRegistry.Armed.NONE;
        dirty = true;
        maybeRead();
    }

    @Override
    public void onConnected() {
        maybeRead();
    }

    @Override
    public WatchRegistry.Armed armed() {
        return dirty ? WatchRegistry.Armed.NONE : armed;
    }

    @Override
    public void onEnd(Throwable error) {
        if (error == null) {
            out.complete();
        } else {
            out.error(error);
        }
    }

    private void release() {
        session.watches().remove(kind(), path, this);
        // One-shot watches are not removed on the server: each fires at most once more, into no stream.
    }

    private record State(Stat stat, byte[] data, List<String> children, long zxid) {
    }
}
