package io.tributary.client.zk;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

/** Waits for the client's Rx results from a test thread, with a deadline, using no Rx scheduler (no extra threads). */
final class Await {
    static final long SECONDS = 30;

    private Await() {
    }

    static <T> T get(Single<T> s) {
        try {
            return s.toFuture().get(SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("operation failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no result within " + SECONDS + " s", e);
        }
    }

    static <T> T get(Maybe<T> m) {
        try {
            return m.toSingle().toFuture().get(SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("operation failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no result within " + SECONDS + " s", e);
        }
    }

    /** The Maybe's value or null when it completed empty. */
    static <T> T orNull(Maybe<T> m) {
        try {
            return m.toFuture().get(SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("operation failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no result within " + SECONDS + " s", e);
        }
    }

    static void done(Completable c) {
        get(c.toSingleDefault(true));
    }

    /** The error {@code s} fails with (the test fails if it succeeds). */
    static Throwable error(Single<?> s) {
        try {
            Object v = s.toFuture().get(SECONDS, TimeUnit.SECONDS);
            return fail("expected a failure, got " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no result within " + SECONDS + " s", e);
        }
    }

    static Throwable error(Completable c) {
        return error(c.toSingleDefault(true));
    }

    /** Asserts {@code s} fails with a ZkException of {@code code} for {@code path}, and returns it. */
    static ZkException zkError(int code, String path, Single<?> s) {
        Throwable t = error(s);
        ZkException z = assertInstanceOf(ZkException.class, t, "expected ZkException " + ZkException.codeName(code));
        assertEquals(ZkException.codeName(code), ZkException.codeName(z.code()), "error code of " + z.getMessage());
        if (path != null) {
            assertEquals(path, z.path(), "path of " + z.getMessage());
        }
        return z;
    }

    static ZkException zkError(int code, String path, Completable c) {
        return zkError(code, path, c.toSingleDefault(true));
    }
}
