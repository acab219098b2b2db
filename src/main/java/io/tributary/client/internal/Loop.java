package io.tributary.client.internal;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.Supplier;

/**
 * The one event loop a client object's state lives on. Calls from other threads hop onto it; results come back
 * on it. This is what makes the client's classes lock-free: each field is only touched on its loop.
 */
public final class Loop {
    private final Context context;

    public Loop(Context context) {
        if (!context.isEventLoopContext()) {
            throw new IllegalArgumentException("the client needs an event-loop context, not " + context);
        }
        this.context = context;
    }

    public Context context() {
        return context;
    }

    /** True on the loop's own thread. */
    public boolean inLoop() {
        return Context.isOnEventLoopThread() && io.vertx.core.Vertx.currentContext() == context;
    }

    /** Runs {@code action} on the loop: at once if already there, else queued. */
    public void run(Runnable action) {
        if (inLoop()) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }

    /** Starts {@code op} on the loop and completes with its outcome. */
    public <T> Future<T> call(Supplier<Future<T>> op) {
        if (inLoop()) {
            try {
                return op.get();
            } catch (Throwable t) {
                return Future.failedFuture(t);
            }
        }
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> {
            try {
                op.get().onComplete(p);
            } catch (Throwable t) {
                p.fail(t);
            }
        });
        return p.future();
    }

    /** Asserts that the caller is on the loop (the state it is about to touch has no other guard). */
    public void check() {
        if (!inLoop()) {
            throw new IllegalStateException("not on the client's event loop: " + Thread.currentThread().getName());
        }
    }
}
