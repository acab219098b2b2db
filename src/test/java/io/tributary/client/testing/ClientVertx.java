package io.tributary.client.testing;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Vert.x instance a client test runs its clients on: its own (not the node's), with a strict blocked-thread
 * checker — an event-loop task over {@link #MAX_EXECUTE_MS} is recorded, and {@link #close} fails the test if any
 * was. The instance has only the client's event loops on it, so a record means the client blocked a loop.
 */
public final class ClientVertx {
    public static final long MAX_EXECUTE_MS = 200;
    private static final Map<Vertx, Queue<String>> BLOCKED = new ConcurrentHashMap<>();

    private ClientVertx() {
    }

    public static Vertx create() {
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false).setEventLoopPoolSize(2)
                .setBlockedThreadCheckInterval(50).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
                .setMaxEventLoopExecuteTime(MAX_EXECUTE_MS).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
                .setWarningExceptionTime(MAX_EXECUTE_MS).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS));
        Queue<String> blocked = new ConcurrentLinkedQueue<>();
        BLOCKED.put(vertx, blocked);
        ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(e -> {
            StringBuilder sb = new StringBuilder(e.thread().getName() + " blocked for "
                    + TimeUnit.NANOSECONDS.toMillis(e.duration()) + " ms at");
            for (StackTraceElement el : e.thread().getStackTrace()) {
                sb.append("\n    ").append(el);
            }
            blocked.add(sb.toString());
            System.err.println("BLOCKED EVENT LOOP: " + sb);
        });
        return vertx;
    }

    /**
     * The largest number of threads the instance's worker pool and internal blocking pool have ever had: a client
     * that handed a blocking call to a worker raises one. (Thread names cannot tell: every Vert.x instance of the
     * JVM names its workers {@code vert.x-worker-thread-N}, and a test node's pool replaces idle threads at any
     * time.)
     */
    public static String workerThreadsEver(Vertx vertx) {
        VertxInternal v = (VertxInternal) vertx;
        return "worker " + largest(v.workerPool().executor()) + ", internal blocking "
                + largest(v.internalWorkerPool().executor());
    }

    private static int largest(java.util.concurrent.ExecutorService executor) {
        if (executor instanceof java.util.concurrent.ThreadPoolExecutor t) {
            return t.getLargestPoolSize();
        }
        throw new AssertionError("cannot read the pool size of " + executor.getClass());
    }

    /** What the checker has recorded so far for {@code vertx}. */
    public static List<String> blocked(Vertx vertx) {
        return List.copyOf(BLOCKED.getOrDefault(vertx, new ConcurrentLinkedQueue<>()));
    }

    /** Closes the instance and fails if any of its event loops was blocked while it ran. */
    public static void close(Vertx vertx) {
        try {
            vertx.close().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("vertx did not close", e);
        }
        Queue<String> blocked = BLOCKED.remove(vertx);
        assertEquals(List.of(), blocked == null ? List.of() : List.copyOf(blocked),
                "client event loops blocked beyond " + MAX_EXECUTE_MS + " ms");
    }
}
