package io.tributary.client.zk.recipes;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.disposables.Disposable;

/**
 * A held lock ({@link Recipes#lock}). Held while this client's session lives and until released: {@link #release()}
 * deletes the lock node and completes when the server did; {@link #dispose()} does the same without waiting. If the
 * connection is lost the session (and so the lock) may still be alive; if it expires the lock is gone —
 * {@link #lost()} tells.
 */
public interface ZkLock extends Disposable {
    /** The lock node this holder owns ({@code <lockPath>/_c_<uuid>-lock-NNNNNNNNNN}). */
    String node();

    /** Deletes the lock node; completes once it is gone. */
    Completable release();

    /** Completes when the lock is lost without being released: the session expired or the client was closed. */
    Completable lost();
}
