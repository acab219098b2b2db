package io.tributary.server;

import io.tributary.cluster.Cluster;
import io.tributary.group.GroupConfig;
import io.tributary.group.GroupCoordinatorVerticle;
import io.tributary.group.GroupService;
import io.tributary.coord.CoordOptions;
import io.tributary.coord.CoordinatorVerticle;
import io.tributary.http.Health;
import io.tributary.http.HttpFrontDoor;
import io.tributary.http.HttpServerVerticle;
import io.tributary.http.HttpSettings;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.KafkaServerVerticle;
import io.tributary.log.BrokerConfigLayers;
import io.tributary.log.DynamicBrokerConfigStore;
import io.tributary.log.LogCleaner;
import io.tributary.log.LogConfig;
import io.tributary.log.LogManager;
import io.tributary.log.LogService;
import io.tributary.metrics.NodeMetrics;
import io.tributary.txn.ProducerIdManager;
import io.tributary.zk.ZkServer;
import io.tributary.zk.ZkServerVerticle;
import io.vertx.core.DeploymentOptions;
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
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Tributary node: wires the engines to the front doors and owns their lifecycle. Start recovers the
 * log on a worker before any listener opens; stop closes listeners first, lets the partition owners
 * drain, then flushes and closes every log and marks the shutdown clean.
 */
public final class Node {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    private final NodeConfig config;
    private final Time time;
    private Vertx vertx;
    private ExecutorService ioExecutor;
    private LogManager logManager;
    private LogService logService;
    private String kafkaDeployment;
    private GroupCoordinatorVerticle groupCoordinator;
    private GroupService groupService;
    private CoordinatorVerticle coordinator;
    private String coordinatorDeployment;
    private Cluster cluster;
    private String zkDeployment;
    private String httpDeployment;
    private String clusterId;
    private KafkaBroker kafkaBroker;
    /** The one metrics registry, injected into the parts (null when tributary.metrics.enabled=false). */
    private NodeMetrics metrics;
    /** Each part's state for GET /ready. */
    private final Health health = new Health("log", "coordination", "groups", "kafka", "zookeeper", "http");
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

    /** What start-up recovered from the data directory before any listener opens. */
    private record Recovered(String clusterId, ProducerIdManager producerIds, BrokerConfigLayers brokerConfig,
                             DynamicBrokerConfigStore dynamicStore) {
    }

    public Future<Void> start() {
        vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
        metrics = config.getBoolean(NodeConfig.METRICS_ENABLED) ? new NodeMetrics(vertx) : null;
        ioExecutor = newIoExecutor(config.getInt(NodeConfig.NUM_IO_THREADS));
        Path dataDir = config.dataDir();
        return vertx.executeBlocking(() -> {
            Files.createDirectories(dataDir);
            lockDataDir(dataDir);
            String clusterId = ClusterIdentity.loadOrCreate(dataDir, config.nodeId());
            DynamicBrokerConfigStore dynamicStore = new DynamicBrokerConfigStore(dataDir);
            BrokerConfigLayers layers = dynamicStore.load(config.all());
            LogConfig defaults = LogConfig.brokerDefaults(layers.effective());
            // log.cleaner.* (Kafka's names): the cleaner's own threads are started and stopped by the log manager
            logManager = new LogManager(dataDir, defaults, time, ioExecutor, LogCleaner.Config.fromBrokerProps(config.all()));
            logManager.startup();
            return new Recovered(clusterId, new ProducerIdManager(dataDir), layers, dynamicStore);
        }).compose(init -> {
            logService = new LogService(vertx, logManager, config.getInt(NodeConfig.NUM_LOG_THREADS),
                    init.brokerConfig(), init.dynamicStore());
            return logService.start().map(v -> {
                health.set("log", Health.State.UP);
                return init;
            });
        }).compose(init -> {
            // The group coordinator creates __consumer_offsets if needed, then loads it in the background
            // (group APIs answer COORDINATOR_LOAD_IN_PROGRESS until it is done).
            groupCoordinator = new GroupCoordinatorVerticle(logService, GroupConfig.from(config.all()), time);
            groupService = new GroupService(vertx, groupCoordinator);
            return vertx.deployVerticle(groupCoordinator).map(id -> {
                groupService.loaded().onComplete(ar -> health.set("groups", ar.succeeded() ? Health.State.UP
                        : Health.State.FAILED, ar.succeeded() ? null : String.valueOf(ar.cause())));
                return init;
            });
        }).compose(init -> {
            clusterId = init.clusterId();
            KafkaBroker broker = new KafkaBroker(vertx, config.nodeId(), init.clusterId(),
                    config.get(NodeConfig.HOST), config.kafkaPort(), config.get(NodeConfig.ADVERTISED_HOST),
                    config.getInt(NodeConfig.SOCKET_REQUEST_MAX_BYTES), config.getInt(NodeConfig.QUEUED_MAX_REQUESTS),
                    config.getBoolean(NodeConfig.AUTO_CREATE_TOPICS), config.getInt(NodeConfig.NUM_PARTITIONS),
                    config.getBoolean(NodeConfig.DELETE_TOPIC_ENABLE), logService, init.producerIds(),
                    groupService, config.all(), metrics == null ? null : metrics.kafka());
            kafkaBroker = broker;
            if (metrics != null) {
                metrics.bindKafka(logService, groupService, time, config.nodeId(), brokerAddress());
            }
            return vertx.deployVerticle(() -> new KafkaServerVerticle(broker),
                    new DeploymentOptions().setInstances(config.getInt(NodeConfig.NUM_NETWORK_THREADS)));
        }).compose(id -> {
            kafkaDeployment = id;
            health.set("kafka", Health.State.UP);
            // The coordination engine recovers its snapshot and log on a worker before the listener opens.
            // In an ensemble (cluster.members) the coordination log is Ratis; alone, the local log.
            cluster = Cluster.create(config.all(), config.nodeId(), config.getInt(NodeConfig.SNAP_COUNT), dataDir);
            coordinator = new CoordinatorVerticle(dataDir, coordOptions(), time,
                    cluster == null ? null : cluster.replication());
            if (metrics != null) {
                coordinator.timings(metrics.coordinationTimings());
            }
            return vertx.deployVerticle(coordinator);
        }).compose(id -> {
            coordinatorDeployment = id;
            health.set("coordination", Health.State.UP);
            if (cluster != null) {
                cluster.startViews(coordinator);
            }
            Set<String> words = Arrays.stream(config.get(NodeConfig.FOUR_LETTER_WHITELIST).split(","))
                    .map(String::trim).filter(w -> !w.isEmpty()).collect(Collectors.toSet());
            ZkServer zk = new ZkServer(coordinator, config.get(NodeConfig.HOST), config.zkPort(),
                    config.getInt(NodeConfig.JUTE_MAXBUFFER), config.getInt(NodeConfig.MAX_CLIENT_CNXNS),
                    config.getInt(NodeConfig.QUEUED_MAX_REQUESTS), words, config.get(NodeConfig.SUPER_DIGEST),
                    config.getBoolean(NodeConfig.RECONFIG_ENABLED), config.all());
            if (metrics != null) {
                metrics.bindZooKeeper(zk, coordinator);
            }
            return vertx.deployVerticle(() -> new ZkServerVerticle(zk),
                    new DeploymentOptions().setInstances(config.getInt(NodeConfig.ZK_NETWORK_THREADS)));
        }).compose(id -> {
            zkDeployment = id;
            health.set("zookeeper", Health.State.UP);
            HttpSettings http = HttpSettings.from(config);
            HttpFrontDoor door = new HttpFrontDoor(vertx, http, logService, groupService, coordinator,
                    new io.tributary.kafka.LocalKafkaApis(kafkaBroker), health, clusterId, config.nodeId(),
                    config.get(NodeConfig.SUPER_DIGEST));
            if (metrics != null) {
                metrics.bindHttp(door);
                door.metrics(metrics);
            }
            return vertx.deployVerticle(() -> new HttpServerVerticle(door), new DeploymentOptions().setInstances(http.instances()));
        }).map(id -> {
            httpDeployment = id;
            health.set("http", Health.State.UP);
            LOG.info("Tributary node {} started: Kafka protocol on {}:{}, ZooKeeper protocol on {}:{}, HTTP on {}:{}, data in {}",
                    config.nodeId(), config.get(NodeConfig.HOST), config.kafkaPort(), config.get(NodeConfig.HOST),
                    config.zkPort(), config.get(NodeConfig.HOST), config.httpPort(), dataDir.toAbsolutePath().normalize());
            return (Void) null;
        }).recover(t -> {
            LOG.error("node failed to start", t);
            return stop().transform(ignored -> Future.failedFuture(t));
        });
    }

    public Future<Void> stop() {
        if (stopped || vertx == null) {
            return Future.succeededFuture();
        }
        stopped = true;
        for (String part : new String[]{"http", "kafka", "zookeeper", "groups", "coordination", "log"}) {
            health.set(part, Health.State.STOPPING);
        }
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Future<?> zkListener = zkDeployment == null ? Future.succeededFuture() : vertx.undeploy(zkDeployment);
        Future<?> listeners = Future.all(zkListener,
                kafkaDeployment == null ? Future.succeededFuture() : vertx.undeploy(kafkaDeployment),
                httpDeployment == null ? Future.succeededFuture() : vertx.undeploy(httpDeployment));
        listeners
                .transform(ignored -> cluster == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
                    cluster.stopViews();
                    return null;
                }))
                .transform(ignored -> coordinatorDeployment == null ? Future.succeededFuture()
                        : vertx.undeploy(coordinatorDeployment))
                .transform(ignored -> {
                    LOG.debug("listeners closed");
                    // The coordinator stops before the log: its last appends are then already queued on the owners.
                    return groupCoordinator == null || groupCoordinator.deploymentID() == null
                            ? Future.succeededFuture() : vertx.undeploy(groupCoordinator.deploymentID());
                })
                .transform(ignored -> logService == null ? Future.succeededFuture() : logService.stop())
                .transform(ignored -> vertx.executeBlocking(() -> {
                    LOG.debug("partition owners stopped");
                    if (logManager != null) {
                        logManager.shutdown();
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

    /** kafka_broker_info's address: what Metadata advertises (the bind host, or this host's name for 0.0.0.0). */
    private String brokerAddress() {
        String host = config.get(NodeConfig.ADVERTISED_HOST);
        if (host == null || host.isBlank()) {
            host = config.get(NodeConfig.HOST);
        }
        if (host == null || host.isBlank() || "0.0.0.0".equals(host)) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "localhost";
            }
        }
        return host + ":" + config.kafkaPort();
    }

    /** The node's metrics (null before start or when disabled). */
    public NodeMetrics metrics() {
        return metrics;
    }

    private CoordOptions coordOptions() {
        int tick = config.getInt(NodeConfig.TICK_TIME);
        return new CoordOptions(tick, config.getInt(NodeConfig.MIN_SESSION_TIMEOUT, 2 * tick),
                config.getInt(NodeConfig.MAX_SESSION_TIMEOUT, 20 * tick), config.getInt(NodeConfig.JUTE_MAXBUFFER),
                config.getInt(NodeConfig.SNAP_COUNT), config.getInt(NodeConfig.CONTAINER_CHECK_INTERVAL_MS),
                config.nodeId(), config.getBoolean(NodeConfig.ENFORCE_QUOTA), config.getYesNo(NodeConfig.SKIP_ACL));
    }

    public NodeConfig config() {
        return config;
    }

    public LogManager logManager() {
        return logManager;
    }

    /** The group coordinator's asynchronous face (null before start). */
    public GroupService groups() {
        return groupService;
    }

    public Vertx vertx() {
        return vertx;
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
