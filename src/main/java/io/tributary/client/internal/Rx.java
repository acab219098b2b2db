package io.tributary.client.internal;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.Future;

import java.util.function.Supplier;

/**
 * Adapters from Vert.x futures to RxJava3 types. The Rx types are cold: the supplier runs once per subscription,
 * so an operation starts when it is subscribed to, as an Rx user expects, not when the method is called. A
 * disposal cannot cancel a request already on the wire; its outcome is then dropped.
 */
public final class Rx {
    private Rx() {
    }

    /** A Single that runs {@code start} on subscription and succeeds with its (non-null) result. */
    public static <T> Single<T> single(Supplier<Future<T>> start) {
        return Single.create(emitter -> {
            Future<T> f;
            try {
                f = start.get();
            } catch (Throwable t) {
                emitter.tryOnError(t);
                return;
            }
            f.onComplete(ar -> {
                if (ar.failed()) {
                    emitter.tryOnError(ar.cause());
                } else if (ar.result() == null) {
                    emitter.tryOnError(new NullPointerException("the operation completed without a value"));
                } else {
                    emitter.onSuccess(ar.result());
                }
            });
        });
    }

    /** A Maybe that runs {@code start} on subscription: a null result completes it empty. */
    public static <T> Maybe<T> maybe(Supplier<Future<T>> start) {
        return Maybe.create(emitter -> {
            Future<T> f;
            try {
                f = start.get();
            } catch (Throwable t) {
                emitter.tryOnError(t);
                return;
            }
            f.onComplete(ar -> {
                if (ar.failed()) {
                    emitter.tryOnError(ar.cause());
                } else if (ar.result() == null) {
                    emitter.onComplete();
                } else {
                    emitter.onSuccess(ar.result());
                }
            });
        });
    }

    /** A Completable that runs {@code start} on subscription; the result, if any, is ignored. */
    public static Completable completable(Supplier<? extends Future<?>> start) {
        return Completable.create(emitter -> {
            Future<?> f;
            try {
                f = start.get();
            } catch (Throwable t) {
                emitter.tryOnError(t);
                return;
            }
            f.onComplete(ar -> {
                if (ar.failed()) {
                    emitter.tryOnError(ar.cause());
                } else {
                    emitter.onComplete();
                }
            });
        });
    }
}
