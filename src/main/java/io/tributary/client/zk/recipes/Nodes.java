package io.tributary.client.zk.recipes;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.tributary.client.zk.CreateMode;
import io.tributary.client.zk.Created;
import io.tributary.client.zk.ZkClient;
import io.tributary.client.zk.ZkException;

/** Creating a node with its missing ancestors as containers, as Curator's {@code creatingParentContainersIfNeeded}. */
final class Nodes {
    private Nodes() {
    }

    static Single<Created> createWithParents(ZkClient zk, String path, byte[] data, CreateMode mode) {
        return zk.create(path, data, mode).onErrorResumeNext(e -> {
            if (e instanceof ZkException z && z.code() == ZkException.NONODE) {
                return parents(zk, parentOf(path)).andThen(zk.create(path, data, mode));
            }
            return Single.error(e);
        });
    }

    private static Completable parents(ZkClient zk, String path) {
        if (path.equals("/")) {
            return Completable.complete();
        }
        Completable self = zk.create(path, new byte[0], CreateMode.CONTAINER).ignoreElement()
                .onErrorResumeNext(e -> e instanceof ZkException z && z.code() == ZkException.NODEEXISTS
                        ? Completable.complete() : Completable.error(e));
        return self.onErrorResumeNext(e -> e instanceof ZkException z && z.code() == ZkException.NONODE
                ? parents(zk, parentOf(path)).andThen(self) : Completable.error(e));
    }

    static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String join(String parent, String child) {
        return parent.equals("/") ? "/" + child : parent + "/" + child;
    }
}
