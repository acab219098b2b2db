package io.tributary.client.zk.internal;

import io.tributary.client.internal.LoopStream;
import io.tributary.client.zk.WatchEvent;
import io.tributary.client.zk.WatchOverflowException;
import io.tributary.client.zk.ZkException;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.reactivestreams.Subscriber;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A PERSISTENT or PERSISTENT_RECURSIVE watch as a stream of events (AddWatch, opcode 106). The registration is
 * recorded locally before AddWatch is sent, so a reconnect at any point restores it with SetWatches2; disposal
 * removes it locally and, when no other local stream shares it, on the server (RemoveWatches, opcode 18, watcher type
 * Persistent / PersistentRecursive).
 *
 * <p>Order and duplicates: events carry their transaction's zxid and are passed on in the order the server sent
 * them; an event with a zxid below the last one delivered, or equal to it with the same type and path (one
 * transaction — a multi — may cause several events), is dropped as a replay. With {@code initial}, the node's state
 * is read right after AddWatch; events that arrive before that read's answer with a zxid at or below the read's are
 * already part of the initial state and are dropped.
 *
 * <p>What ZooKeeper itself cannot give: SetWatches2 restores a persistent watch without replaying what happened while
 * the client had no connection, so a change another client makes between this client losing its connection and the
 * server acknowledging the re-registration is not reported (the session announces CONNECTED only after that
 * acknowledgement). Backpressure: at most {@code watchBufferSize} events wait for demand; one more fails the stream
 * with {@link WatchOverflowException}.
 */
public final class PersistentWatchStream implements WatchRegistry.Listener {
    private final ZkSession session;
    private final Requests requests;
    private final String path;
    private final boolean recursive;
    private final boolean initial;
    private final LoopStream<WatchEvent> out;
    private final List<WatchEvent> early = new ArrayList<>();
    private final Set<String> deliveredAtZxid = new HashSet<>();
    private boolean live;
    private long delivered = -1;
    private boolean ended;

    public PersistentWatchStream(ZkSession session, Subscriber<? super WatchEvent> down, String path,
                                 boolean recursive, boolean initial) {
        this.session = session;
        this.requests = new Requests(session);
        this.path = path;
        this.recursive = recursive;
        this.initial = initial;
        int capacity = session.options().watchBufferSize();
        this.out = new LoopStream<WatchEvent>(session.loop(), down, capacity, LoopStream.Overflow.ERROR,
                () -> new WatchOverflowException(path, capacity)).onCancel(this::release);
    }

    private WatchRegistry.Kind kind() {
        return recursive ? WatchRegistry.Kind.RECURSIVE : WatchRegistry.Kind.PERSISTENT;
    }

    /** Registers and starts; on the loop. */
    public void start() {
        out.start();
        if (out.isDone()) {
            return;
        }
        session.watches().add(kind(), path, this);
        session.submit(Wire.ADD_WATCH, new AddWatchRequest(path, recursive ? 1 : 0), null, path).onFailure(e -> {
            // A connection loss is repaired by SetWatches2 on the reconnect; anything else ends the stream.
            if (!(e instanceof ZkException z && z.isConnectionLoss())) {
                out.error(e);
            }
        });
        if (initial) {
            readInitial();
        } else {
            live = true;
        }
    }

    private void readInitial() {
        requests.getData(path, false).onComplete(ar -> {
            if (out.isDone()) {
                return;
            }
            if (ar.succeeded()) {
                var r = ar.result();
                emitInitial(r.value().data(), r.value().stat(), r.zxid());
            } else if (ar.cause() instanceof ZkException z && z.code() == ZkException.NONODE) {
                emitInitial(null, null, z.zxid());
            } else if (ar.cause() instanceof ZkException z && z.isConnectionLoss()) {
                session.whenConnected().onSuccess(v -> readInitial());
            } else {
                out.error(ar.cause());
            }
        });
    }

    private void emitInitial(byte[] data, org.apache.zookeeper.data.Stat stat, long zxid) {
        live = true;
        delivered = zxid;
        out.offer(new WatchEvent(WatchEvent.Type.INITIAL, path, zxid, data, stat, null));
        for (WatchEvent e : early) {
            if (e.zxid() > zxid) {
                deliver(e);
            }
        }
        early.clear();
    }

    @Override
    public void onEvent(int type, String eventPath, long zxid) {
        if (ended || out.isDone()) {
            return;
        }
        WatchEvent.Type t = switch (type) {
            case Wire.EVENT_CREATED -> WatchEvent.Type.CREATED;
            case Wire.EVENT_DELETED -> WatchEvent.Type.DELETED;
            case Wire.EVENT_DATA_CHANGED -> WatchEvent.Type.DATA_CHANGED;
            case Wire.EVENT_CHILDREN_CHANGED -> WatchEvent.Type.CHILDREN_CHANGED;
            default -> null;
        };
        if (t == null || recursive && t == WatchEvent.Type.CHILDREN_CHANGED) {
            return;
        }
        WatchEvent e = new WatchEvent(t, eventPath, zxid, null, null, null);
        if (!live) {
            if (early.size() >= session.options().watchBufferSize()) {
                out.error(new WatchOverflowException(path, session.options().watchBufferSize()));
                return;
            }
            early.add(e);
            return;
        }
        deliver(e);
    }

    private void deliver(WatchEvent e) {
        if (e.zxid() >= 0) {
            if (e.zxid() < delivered) {
                return;
            }
            String key = e.type() + " " + e.path();
            if (e.zxid() == delivered && !deliveredAtZxid.add(key)) {
                return;
            }
            if (e.zxid() > delivered) {
                delivered = e.zxid();
                deliveredAtZxid.clear();
                deliveredAtZxid.add(key);
            }
        }
        out.offer(e);
    }

    @Override
    public void onConnected() {
    }

    @Override
    public void onEnd(Throwable error) {
        ended = true;
        if (error == null) {
            out.complete();
        } else {
            out.error(error);
        }
    }

    private void release() {
        boolean last = session.watches().remove(kind(), path, this);
        if (last && session.isConnected()) {
            int type = recursive ? Wire.WATCHER_PERSISTENT_RECURSIVE : Wire.WATCHER_PERSISTENT;
            // NOWATCHER (the server lost it, e.g. across a restart before re-registration) is fine: it is gone.
            session.submit(Wire.REMOVE_WATCHES, new RemoveWatchesRequest(path, type), null, path);
        }
    }
}
