package io.tributary.server;

import io.tributary.group.GroupService;
import io.tributary.http.Health;
import io.tributary.log.LogManager;
import io.tributary.metrics.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Tributary node: composes its {@link Part}s and owns their lifecycle. Start locks the data directory,
 * then starts the parts one after the other in dependency order (the log recovers before any listener
 * opens); stop stops them in the reverse order, front doors first, the log last (it flushes, closes every
 * partition and marks the shutdown clean).
 */
public final class Node {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    private final NodeConfig config;
    private final Time time;
    private Vertx vertx;
    private ExecutorService ioExecutor;
    private LogPart log;
    private GroupsPart groups;
    /** In start order. */
    private final List<Part> parts = new ArrayList<>();
    /** The parts whose start was called, in start order. */
    private final List<Part> started = new ArrayList<>();
    /** The one metrics registry, injected into the parts (null when tributary.metrics.enabled=false). */
    private NodeMetrics metrics;
    /** Each part's state for GET /ready. */
    private final Health health = new Health("log", "groups", "coordination", "kafka", "zookeeper", "http");
    private FileChannel lockChannel;
    private FileLock lock;
    private volatile boolean stopped;

    public Node(NodeConfig config) {
        this(config, Time.SYSTEM);
    }

    /** @param time the clock used by the log (retention, rolling); tests inject a manual one */
    public Node(NodeConfig config, Time time) {
        this.config = config;
        this.time = time;
    }

    public Future<Void> start() {
        vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
        metrics = config.getBoolean(NodeConfig.METRICS_ENABLED) ? new NodeMetrics(vertx) : null;
        ioExecutor = newIoExecutor(config.getInt(NodeConfig.NUM_IO_THREADS));
        log = new LogPart(vertx, config, time, ioExecutor);
        CoordinationPart coordination = new CoordinationPart(vertx, config, time, metrics);
        groups = new GroupsPart(vertx, config, time, log, coordination);
        KafkaPart kafka = new KafkaPart(vertx, config, time, log, groups, coordination, metrics);
        // The ZooKeeper listener before the Kafka one: in a cluster the broker opens its listener only once it is
        // registered, which may wait for an earlier run's session to expire.
        parts.addAll(List.of(log, coordination, groups, new ZkPart(vertx, config, coordination, metrics), kafka,
                new HttpPart(vertx, config, log, groups, coordination, kafka, health, metrics)));
        Path dataDir = config.dataDir();
        Future<Void> chain = vertx.executeBlocking(() -> {
            Files.createDirectories(dataDir);
            lockDataDir(dataDir);
            return null;
        });
        for (Part part : parts) {
            chain = chain.compose(v -> startPart(part));
        }
        return chain.map(v -> {
            LOG.info("Tributary node {} started: Kafka protocol on {}:{}, ZooKeeper protocol on {}:{}, HTTP on {}:{}, data in {}",
                    config.nodeId(), config.get(NodeConfig.HOST), config.kafkaPort(), config.get(NodeConfig.HOST),
                    config.zkPort(), config.get(NodeConfig.HOST), config.httpPort(), dataDir.toAbsolutePath().normalize());
            return (Void) null;
        }).recover(t -> {
            LOG.error("node failed to start", t);
            return stop().transform(ignored -> Future.failedFuture(t));
        });
    }

    private Future<Void> startPart(Part part) {
        started.add(part);
        return part.start().onSuccess(v -> part.ready().onComplete(ar -> health.set(part.name(),
                ar.succeeded() ? Health.State.UP : Health.State.FAILED,
                ar.succeeded() ? null : String.valueOf(ar.cause()))));
    }

    public Future<Void> stop() {
        if (stopped || vertx == null) {
            return Future.succeededFuture();
        }
        stopped = true;
        for (Part part : parts) {
            health.set(part.name(), Health.State.STOPPING);
        }
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Future<Void> chain = Future.succeededFuture();
        for (int i = started.size() - 1; i >= 0; i--) {
            Part part = started.get(i);
            chain = chain.transform(ar -> {
                if (ar.failed()) {
                    LOG.error("error during shutdown", ar.cause());
                }
                LOG.debug("stopping {}", part.name());
                return part.stop();
            });
        }
        chain.transform(ar -> vertx.executeBlocking(() -> {
                    if (ar.failed()) {
                        LOG.error("error during shutdown", ar.cause());
                    }
                    releaseLock();
                    return null;
                }))
                .transform(ar -> {
                    if (ar.failed()) {
                        LOG.error("error during shutdown", ar.cause());
                    }
                    ioExecutor.shutdown();
                    if (metrics != null) {
                        metrics.close();
                    }
                    // Close Vert.x from a plain thread: a completion dispatched to one of its own
                    // contexts would never run once those contexts are gone.
                    Thread closer = new Thread(() -> vertx.close().onComplete(c -> {
                        LOG.info("Tributary node {} stopped cleanly", config.nodeId());
                        closed.complete(null);
                    }), "tributary-close");
                    closer.start();
                    return Future.succeededFuture();
                });
        return Future.fromCompletionStage(closed);
    }

    public NodeConfig config() {
        return config;
    }

    public LogManager logManager() {
        return log == null ? null : log.manager();
    }

    /** The group coordinator's asynchronous face (null before start). */
    public GroupService groups() {
        return groups == null ? null : groups.service();
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The node's metrics (null before start or when disabled). */
    public NodeMetrics metrics() {
        return metrics;
    }

    private void lockDataDir(Path dataDir) throws IOException {
        lockChannel = FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new IllegalStateException("data directory " + dataDir.toAbsolutePath() + " is in use by another node");
        }
    }

    private void releaseLock() throws IOException {
        if (lock != null) {
            lock.release();
        }
        if (lockChannel != null) {
            lockChannel.close();
        }
    }

    private static ExecutorService newIoExecutor(int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "tributary-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return pool;
    }
}
