package io.tributary.client.zk.recipes;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.disposables.CompositeDisposable;
import io.reactivex.rxjava3.disposables.SerialDisposable;
import io.reactivex.rxjava3.subjects.CompletableSubject;
import io.tributary.client.zk.CreateMode;
import io.tributary.client.zk.SessionState;
import io.tributary.client.zk.WatchMode;
import io.tributary.client.zk.ZkClient;
import io.tributary.client.zk.ZkException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * One contender in a queue of ephemeral-sequential nodes under {@code base}, named as Curator names them
 * ({@code _c_<uuid>-<lockName>NNNNNNNNNN}, so Curator's InterProcessMutex ({@code lock-}) and LeaderLatch
 * ({@code latch-}) contend in the same queue): sorted by the sequence after {@code lockName}, the first holds; every
 * other one watches only its predecessor and checks again when it goes (no herd).
 *
 * <p>A create that fails with a lost connection may have happened: the {@code _c_<uuid>} prefix (Curator's
 * protection mode) finds it again instead of leaving an orphan that would block the queue for the whole session.
 * Runs on the client's loop: every callback of the client arrives there, and {@link #start} hops there.
 */
final class Contender {
    interface Events {
        /** The node is first in the queue (again, after a reconnect that kept the session). */
        void first(String node);

        /** It may no longer be first: the connection was lost (the session may still keep the node). */
        void suspended();

        void failed(Throwable e);
    }

    private final ZkClient zk;
    private final String base;
    private final String lockName;
    private final byte[] data;
    private final Events events;
    private final String protection = "_c_" + UUID.randomUUID();
    // The session-state subscription, and the current step (a create, a read, a predecessor watch): each step
    // replaces the previous one, so nothing accumulates over a long participation.
    private final CompositeDisposable running = new CompositeDisposable();
    private final SerialDisposable step = new SerialDisposable();
    private String node;
    private boolean stopped;
    private boolean isFirst;
    private final CompletableSubject left = CompletableSubject.create();

    Contender(ZkClient zk, String base, String lockName, byte[] data, Events events) {
        this.zk = zk;
        this.base = base;
        this.lockName = lockName;
        this.data = data;
        this.events = events;
    }

    void start() {
        zk.context().runOnContext(v -> {
            running.add(zk.sessionStates().skip(1).subscribe(this::onState, e -> { }));
            running.add(step);
            create();
        });
    }

    private void create() {
        if (stopped) {
            return;
        }
        String prefix = Nodes.join(base, protection + "-" + lockName);
        step.set(Nodes.createWithParents(zk, prefix, data, CreateMode.EPHEMERAL_SEQUENTIAL).subscribe(
                c -> {
                    node = c.path();
                    check();
                },
                e -> {
                    if (e instanceof ZkException z && z.isConnectionLoss()) {
                        step.set(zk.connected().subscribe(this::findOrCreate, this::fail));
                    } else {
                        fail(e);
                    }
                }));
    }

    private void findOrCreate() {
        step.set(zk.getChildren(base).subscribe(children -> {
            for (String c : children) {
                if (c.startsWith(protection)) {
                    node = Nodes.join(base, c);
                    check();
                    return;
                }
            }
            create();
        }, e -> retryOrFail(e)));
    }

    private void check() {
        if (stopped) {
            return;
        }
        step.set(zk.getChildren(base).subscribe(children -> {
            if (stopped) {
                return;
            }
            List<String> sorted = sorted(children, lockName);
            String ours = node.substring(node.lastIndexOf('/') + 1);
            int index = sorted.indexOf(ours);
            if (index < 0) {
                fail(new ZkException(ZkException.NONODE, node, "this contender's node is gone"));
            } else if (index == 0) {
                isFirst = true;
                events.first(node);
            } else {
                watchPredecessor(Nodes.join(base, sorted.get(index - 1)));
            }
        }, e -> retryOrFail(e)));
    }

    private void watchPredecessor(String predecessor) {
        // The initial state tells whether it is still there; then its DELETED re-checks.
        step.set(zk.watch(predecessor, WatchMode.DATA, true).filter(e -> !e.exists()).firstElement()
                .subscribe(e -> check(), e -> retryOrFail(e)));
    }

    private void onState(SessionState s) {
        if (stopped) {
            return;
        }
        if (s == SessionState.DISCONNECTED && isFirst) {
            isFirst = false;
            events.suspended();
        } else if (s == SessionState.CONNECTED && node != null) {
            check();
        } else if (s.isTerminal()) {
            fail(new ZkException(s == SessionState.EXPIRED ? ZkException.SESSIONEXPIRED : ZkException.CONNECTIONLOSS,
                    node, "session " + s));
        }
    }

    private void retryOrFail(Throwable e) {
        if (e instanceof ZkException z && z.isConnectionLoss()) {
            return; // CONNECTED triggers a new check
        }
        fail(e);
    }

    private void fail(Throwable e) {
        if (!stopped) {
            leave();
            events.failed(e);
        }
    }

    /** Leaves the queue: deletes the node (if it was made) and stops watching; on any thread. */
    void stop() {
        zk.context().runOnContext(v -> leave());
    }

    private void leave() {
        if (stopped) {
            return;
        }
        stopped = true;
        running.dispose();
        if (node != null) {
            zk.delete(node, -1).onErrorComplete().subscribe(left::onComplete);
            return;
        }
        // The create may still be on its way (answered before this read, ZooKeeper's FIFO): remove whatever
        // carries our protection prefix.
        zk.getChildren(base).flatMapCompletable(children -> Completable.merge(children.stream()
                        .filter(c -> c.startsWith(protection))
                        .map(c -> zk.delete(Nodes.join(base, c), -1).onErrorComplete()).toList()))
                .onErrorComplete().subscribe(left::onComplete);
    }

    /** Completes once the node is deleted after {@link #stop}. */
    Completable left() {
        return left.hide();
    }

    /** The queue's order: by the sequence after {@code lockName}, as Curator's StandardLockInternalsDriver sorts. */
    static List<String> sorted(List<String> children, String lockName) {
        List<String> l = new ArrayList<>(children);
        l.sort(Comparator.comparing(c -> sequence(c, lockName)));
        return l;
    }

    private static String sequence(String child, String lockName) {
        int i = child.lastIndexOf(lockName);
        return i < 0 ? child : child.substring(i + lockName.length());
    }
}
