package io.tributary.client.zk.recipes;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.subjects.CompletableSubject;
import io.tributary.client.zk.CreateMode;
import io.tributary.client.zk.WatchEvent;
import io.tributary.client.zk.WatchMode;
import io.tributary.client.zk.ZkClient;
import io.tributary.client.zk.ZkException;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ZooKeeper's recipes as reactive primitives over one {@link ZkClient}, laid out as Apache Curator lays them out, so
 * this client and Curator's InterProcessMutex and LeaderLatch contend in the same queues.
 *
 * <ul>
 *   <li>{@link #lock}: a mutex, {@code Single<ZkLock>} released by dispose;</li>
 *   <li>{@link #leadership}: leader election, {@code Flowable<Boolean>};</li>
 *   <li>{@link #membership} / {@link #members}: a group of ephemeral members, {@code Flowable<Set<String>>};</li>
 *   <li>{@link #config}: a configuration value, {@code Flowable<byte[]>}.</li>
 * </ul>
 */
public final class Recipes {
    static final String LOCK_NAME = "lock-";
    static final String LATCH_NAME = "latch-";

    private final ZkClient zk;

    private Recipes(ZkClient zk) {
        this.zk = zk;
    }

    public static Recipes of(ZkClient zk) {
        return new Recipes(Objects.requireNonNull(zk, "zk"));
    }

    /**
     * Acquires the mutex at {@code lockPath} (Curator's InterProcessMutex layout: an ephemeral-sequential
     * {@code _c_<uuid>-lock-} node under it, missing parents created as containers). Succeeds once this contender's
     * node is first; disposing the Single before that leaves the queue. The {@link ZkLock} releases on dispose.
     */
    public Single<ZkLock> lock(String lockPath) {
        return Single.<Held>create(emitter -> {
            checkPath(lockPath);
            CompletableSubject lost = CompletableSubject.create();
            AtomicReference<Held> held = new AtomicReference<>();
            Contender[] self = new Contender[1];
            self[0] = new Contender(zk, lockPath, LOCK_NAME, new byte[0], new Contender.Events() {
                @Override
                public void first(String node) {
                    if (held.get() == null) {
                        Held h = new Held(self[0], node, lost);
                        held.set(h);
                        emitter.onSuccess(h);
                    }
                }

                @Override
                public void suspended() {
                }

                @Override
                public void failed(Throwable e) {
                    if (held.get() != null) {
                        lost.onComplete();
                    } else {
                        emitter.tryOnError(e);
                    }
                }
            });
            // Runs on disposal, and also right after a success is delivered: only an undelivered lock is given up.
            emitter.setCancellable(() -> {
                Held h = held.get();
                if (h == null || !h.delivered) {
                    self[0].stop();
                }
            });
            self[0].start();
        }).doOnSuccess(h -> h.delivered = true).map(h -> h);
    }

    /**
     * Takes part in the election at {@code latchPath} (Curator's LeaderLatch layout: an ephemeral-sequential
     * {@code _c_<uuid>-latch-} node whose data is {@code participantId}) while subscribed. Emits false first, true
     * when this participant leads, false again when the connection is lost (leadership cannot be assumed then; it
     * comes back as true if the session survived and the node is still first). Disposal deletes the node, which
     * hands leadership to the next. Fails if the session expires.
     */
    public Flowable<Boolean> leadership(String latchPath, String participantId) {
        return Flowable.<Boolean>create(emitter -> {
            checkPath(latchPath);
            Contender c = new Contender(zk, latchPath, LATCH_NAME,
                    Objects.requireNonNull(participantId, "participantId").getBytes(StandardCharsets.UTF_8),
                    new Contender.Events() {
                        @Override
                        public void first(String node) {
                            emitter.onNext(true);
                        }

                        @Override
                        public void suspended() {
                            emitter.onNext(false);
                        }

                        @Override
                        public void failed(Throwable e) {
                            emitter.tryOnError(e);
                        }
                    });
            emitter.setCancellable(c::stop);
            emitter.onNext(false);
            c.start();
        }, io.reactivex.rxjava3.core.BackpressureStrategy.LATEST).distinctUntilChanged();
    }

    /**
     * Joins the group at {@code groupPath} as {@code memberId} (an ephemeral child with {@code data}, parents created
     * as containers) while subscribed, and emits the member set: at once, then after every change (latest-collapsed
     * for a slow subscriber). Disposal leaves the group. NODEEXISTS if another session holds that member id.
     */
    public Flowable<Set<String>> membership(String groupPath, String memberId, byte[] data) {
        return Flowable.defer(() -> {
            checkPath(groupPath);
            String node = groupPath.equals("/") ? "/" + memberId : groupPath + "/" + memberId;
            Completable join = Nodes.createWithParents(zk, node, data == null ? new byte[0] : data, CreateMode.EPHEMERAL)
                    .ignoreElement().onErrorResumeNext(e -> {
                        // An ambiguous earlier create of our own session: the node is ours already.
                        if (e instanceof ZkException z && z.code() == ZkException.NODEEXISTS) {
                            return zk.exists(node).toSingle().flatMapCompletable(st -> st.getEphemeralOwner() == zk.sessionId()
                                    ? Completable.complete() : Completable.error(e));
                        }
                        return Completable.error(e);
                    });
            // Leave only what this subscription joined: a NODEEXISTS of another session's member must stay.
            AtomicBoolean joined = new AtomicBoolean();
            return join.doOnComplete(() -> joined.set(true)).andThen(members(groupPath))
                    .doFinally(() -> {
                        if (joined.get()) {
                            zk.delete(node, -1).onErrorComplete().subscribe();
                        }
                    });
        });
    }

    /** The member set of the group at {@code groupPath}: at once (empty if absent), then after every change. */
    public Flowable<Set<String>> members(String groupPath) {
        return zk.watch(groupPath, WatchMode.CHILDREN, true).map(e -> {
            Set<String> s = new TreeSet<>();
            if (e.children() != null) {
                s.addAll(e.children());
            }
            return (Set<String>) java.util.Collections.unmodifiableSet(s);
        });
    }

    /**
     * The value of the configuration node {@code path}: its current data, then every new value (latest-collapsed for
     * a slow subscriber, so a burst of writes yields the newest). Nothing is emitted while the node is absent; the last
     * value stays in force across a deletion.
     */
    public Flowable<byte[]> config(String path) {
        return zk.watch(path, WatchMode.DATA, true).filter(WatchEvent::exists).map(e -> e.data() == null ? new byte[0] : e.data());
    }

    private static void checkPath(String p) {
        if (p == null || !p.startsWith("/")) {
            throw new IllegalArgumentException("a recipe path must start with '/': " + p);
        }
    }

    private static final class Held implements ZkLock {
        private final Contender contender;
        private final String node;
        private final CompletableSubject lost;
        private final AtomicBoolean released = new AtomicBoolean();
        volatile boolean delivered;

        Held(Contender contender, String node, CompletableSubject lost) {
            this.contender = contender;
            this.node = node;
            this.lost = lost;
        }

        @Override
        public String node() {
            return node;
        }

        @Override
        public Completable release() {
            return Completable.defer(() -> {
                released.set(true);
                contender.stop();
                return contender.left();
            });
        }

        @Override
        public Completable lost() {
            return lost.hide();
        }

        @Override
        public void dispose() {
            if (released.compareAndSet(false, true)) {
                contender.stop();
            }
        }

        @Override
        public boolean isDisposed() {
            return released.get();
        }
    }
}
