package io.tributary.server;

import io.tributary.log.BrokerConfigLayers;
import io.tributary.log.DynamicBrokerConfigStore;
import io.tributary.log.LogCleaner;
import io.tributary.log.LogConfig;
import io.tributary.log.LogManager;
import io.tributary.log.LogService;
import io.tributary.txn.ProducerIdManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;

/**
 * The log: recovers every partition on a worker before any listener opens (with the node's identity,
 * producer-id blocks and dynamic broker configs, which live beside it), then starts the partition owners.
 * Stop lets the owners drain, then flushes and closes every log and marks the shutdown clean.
 */
final class LogPart implements Part {
    private static final Logger LOG = LoggerFactory.getLogger(LogPart.class);

    private final Vertx vertx;
    private final NodeConfig config;
    private final Time time;
    private final ExecutorService ioExecutor;
    private LogManager manager;
    private LogService service;
    private String clusterId;
    private ProducerIdManager producerIds;

    LogPart(Vertx vertx, NodeConfig config, Time time, ExecutorService ioExecutor) {
        this.vertx = vertx;
        this.config = config;
        this.time = time;
        this.ioExecutor = ioExecutor;
    }

    @Override
    public String name() {
        return "log";
    }

    @Override
    public Future<Void> start() {
        return vertx.executeBlocking(() -> {
            clusterId = ClusterIdentity.loadOrCreate(config.dataDir(), config.nodeId());
            DynamicBrokerConfigStore dynamicStore = new DynamicBrokerConfigStore(config.dataDir());
            BrokerConfigLayers layers = dynamicStore.load(config.all());
            LogConfig defaults = LogConfig.brokerDefaults(layers.effective());
            // log.cleaner.* (Kafka's names): the cleaner's own threads are started and stopped by the log manager
            manager = new LogManager(config.dataDir(), defaults, time, ioExecutor,
                    LogCleaner.Config.fromBrokerProps(config.all()));
            manager.startup();
            producerIds = new ProducerIdManager(config.dataDir());
            service = new LogService(vertx, manager, config.getInt(NodeConfig.NUM_LOG_THREADS), layers, dynamicStore);
            return null;
        }).compose(v -> service.start());
    }

    @Override
    public Future<Void> stop() {
        Future<Void> owners = service == null ? Future.succeededFuture() : service.stop();
        return owners.transform(ignored -> vertx.executeBlocking(() -> {
            LOG.debug("partition owners stopped");
            if (manager != null) {
                manager.shutdown();
            }
            return null;
        }));
    }

    LogManager manager() {
        return manager;
    }

    LogService service() {
        return service;
    }

    /** This node's cluster id (meta.properties). */
    String clusterId() {
        return clusterId;
    }

    ProducerIdManager producerIds() {
        return producerIds;
    }
}
