package io.tributary.log;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The log cleaner's threads ({@code log.cleaner.threads}, named {@code tributary-cleaner-N}), each with
 * its own {@link Cleaner} and offset map ({@code log.cleaner.dedupe.buffer.size} split between them).
 *
 * <p>Scheduling differs from Kafka's: Kafka's cleaner threads pick the "filthiest" log across the
 * broker; here each compacted {@link PartitionLog} decides on its own owner thread (every
 * {@code log.cleaner.backoff.ms} while it has nothing to clean) whether its dirty ratio calls for a
 * round, and submits a snapshot. Requests queue FIFO; a partition has at most one in the queue, so the
 * queue is bounded by the number of compacted partitions. The result comes back as a
 * {@link CompletableFuture} completed on the cleaner thread; the owner polls it from {@code tick()}
 * and swaps the cleaned segments in itself, so the owner never waits for the cleaner.
 *
 * <p>Cleaner threads are never interrupted: an interrupt during a {@code FileChannel} read would
 * close the source segment's channel under its owner. Shutdown sets a flag the cleaner checks between
 * chunks, then joins the threads.
 *
 * <p>Threading: {@link #submit} from any owner thread; {@link #close} from the shutdown worker.
 */
public final class LogCleaner implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogCleaner.class);

    public static final String ENABLE_CONFIG = "log.cleaner.enable";
    public static final String THREADS_CONFIG = "log.cleaner.threads";
    public static final String BACKOFF_MS_CONFIG = "log.cleaner.backoff.ms";
    public static final String DEDUPE_BUFFER_SIZE_CONFIG = "log.cleaner.dedupe.buffer.size";
    public static final String IO_BUFFER_SIZE_CONFIG = "log.cleaner.io.buffer.size";

    /**
     * Broker-level cleaner settings, Kafka's names. The dedupe buffer defaults to 32 MiB rather than
     * Kafka's 128 MiB: a single Tributary node runs in small heaps beside other services, and 32 MiB
     * still maps ~1.2 million distinct keys per round (24 bytes each at load factor 0.9); a dirty section
     * with more keys is cleaned over several rounds, as in Kafka.
     */
    public record Config(boolean enable, int threads, long backoffMs, long dedupeBufferSize, int ioBufferSize) {
        public static final long DEFAULT_DEDUPE_BUFFER_SIZE = 32L * 1024 * 1024;

        public Config {
            if (threads < 1) throw new ConfigException(THREADS_CONFIG, threads, "must be at least 1");
            if (backoffMs < 0) throw new ConfigException(BACKOFF_MS_CONFIG, backoffMs, "must be at least 0");
            if (dedupeBufferSize / threads < 2L * OffsetMap.BYTES_PER_ENTRY) {
                throw new ConfigException(DEDUPE_BUFFER_SIZE_CONFIG, dedupeBufferSize, "too small to map two keys per cleaner thread");
            }
            if (ioBufferSize < 1024) throw new ConfigException(IO_BUFFER_SIZE_CONFIG, ioBufferSize, "must be at least 1024");
        }

        public static Config defaults() { return fromBrokerProps(Map.of()); }

        public static Config fromBrokerProps(Map<String, String> props) {
            return new Config(
                bool(props, ENABLE_CONFIG, true),
                (int) num(props, THREADS_CONFIG, 1),
                num(props, BACKOFF_MS_CONFIG, 15_000),
                num(props, DEDUPE_BUFFER_SIZE_CONFIG, DEFAULT_DEDUPE_BUFFER_SIZE),
                (int) num(props, IO_BUFFER_SIZE_CONFIG, 512 * 1024));
        }

        /** Per thread, capped to what one array can hold. */
        int dedupeBytesPerThread() { return (int) Math.min(dedupeBufferSize / threads, Integer.MAX_VALUE - 64); }

        private static boolean bool(Map<String, String> p, String name, boolean dflt) {
            String v = p.get(name);
            if (v == null) return dflt;
            if (!v.trim().equalsIgnoreCase("true") && !v.trim().equalsIgnoreCase("false")) throw new ConfigException(name, v, "must be true or false");
            return Boolean.parseBoolean(v.trim());
        }

        private static long num(Map<String, String> p, String name, long dflt) {
            String v = p.get(name);
            if (v == null) return dflt;
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(name, v, "must be a number");
            }
        }
    }

    private record Task(Cleaner.Request request, CompletableFuture<Cleaner.Result> result) {}

    private final Config config;
    private final Time time;
    private final boolean manual;
    private final LinkedBlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Deque<Task> manualQueue = new ArrayDeque<>();
    private Cleaner manualCleaner;
    private volatile boolean shuttingDown;

    private LogCleaner(Config config, Time time, boolean manual) {
        this.config = config;
        this.time = time;
        this.manual = manual;
    }

    /** Starts {@code log.cleaner.threads} daemon threads. */
    public static LogCleaner start(Config config, Time time) {
        LogCleaner c = new LogCleaner(config, time, false);
        for (int i = 0; i < config.threads(); i++) {
            Thread t = new Thread(c::runLoop, "tributary-cleaner-" + i);
            t.setDaemon(true);
            c.threads.add(t);
            t.start();
        }
        return c;
    }

    /** Tests: no threads; submitted rounds run on the caller of {@link #runPending()}. */
    static LogCleaner manual(Config config, Time time) {
        return new LogCleaner(config, time, true);
    }

    public Config config() { return config; }
    long backoffMs() { return config.backoffMs(); }

    /** Queues a round; the future completes on a cleaner thread (or in {@link #runPending()}). */
    CompletableFuture<Cleaner.Result> submit(Cleaner.Request request) {
        Task t = new Task(request, new CompletableFuture<>());
        if (shuttingDown) {
            t.result().completeExceptionally(new Cleaner.AbortedException("cleaner is shut down"));
        } else if (manual) {
            synchronized (manualQueue) {
                manualQueue.add(t);
            }
        } else {
            queue.add(t);
        }
        return t.result();
    }

    /** Manual mode: runs every queued round on the calling thread; returns how many ran. */
    int runPending() {
        if (!manual) throw new IllegalStateException("not a manual cleaner");
        int n = 0;
        while (true) {
            Task t;
            synchronized (manualQueue) {
                t = manualQueue.poll();
            }
            if (t == null) return n;
            if (manualCleaner == null) manualCleaner = newCleaner();
            run(manualCleaner, t);
            n++;
        }
    }

    private Cleaner newCleaner() {
        return new Cleaner(config.dedupeBytesPerThread(), config.ioBufferSize(), time, () -> shuttingDown);
    }

    private void runLoop() {
        Cleaner cleaner = newCleaner();
        while (!shuttingDown) {
            Task t;
            try {
                t = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (t != null) run(cleaner, t);
        }
    }

    private static void run(Cleaner cleaner, Task t) {
        try {
            t.result().complete(cleaner.clean(t.request()));
        } catch (Throwable e) {
            if (!(e instanceof Cleaner.AbortedException)) {
                log.warn("{}: cleaning failed: {}", t.request().tp(), e.toString(), e);
            }
            t.result().completeExceptionally(e);
        }
    }

    /** Stops the threads after their current chunk; queued rounds fail with {@link Cleaner.AbortedException}. */
    @Override public void close() {
        shuttingDown = true;
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Task t;
        while ((t = queue.poll()) != null) t.result().completeExceptionally(new Cleaner.AbortedException("cleaner shut down"));
        synchronized (manualQueue) {
            while ((t = manualQueue.poll()) != null) t.result().completeExceptionally(new Cleaner.AbortedException("cleaner shut down"));
        }
    }
}
