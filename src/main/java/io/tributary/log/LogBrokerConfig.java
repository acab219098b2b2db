package io.tributary.log;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker configuration side of {@link LogService}: the layers in force (static, cluster default, this
 * node), the broker-level settings the log's timers read, and dynamic changes of the topic defaults
 * (persisted through {@link DynamicBrokerConfigStore}, applied to every partition by {@link LogManager}).
 *
 * <p>Threading: {@link #layers()} and the settings read a volatile; {@link #alter} runs on a worker and is
 * serialized on this object.
 */
final class LogBrokerConfig {
    private static final Logger LOG = LoggerFactory.getLogger(LogBrokerConfig.class);

    private final Vertx vertx;
    private final LogManager manager;
    private final DynamicBrokerConfigStore store;
    private volatile BrokerConfigLayers layers;

    LogBrokerConfig(Vertx vertx, LogManager manager, BrokerConfigLayers layers, DynamicBrokerConfigStore store) {
        this.vertx = vertx;
        this.manager = manager;
        this.layers = layers;
        this.store = store;
    }

    BrokerConfigLayers layers() {
        return layers;
    }

    /** A broker setting in milliseconds (0 or more), or {@code fallback} when absent or not a number. */
    long millis(String name, long fallback) {
        String v = layers.effective().get(name);
        try {
            return v == null ? fallback : Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            LOG.warn("{}={} is not a number of milliseconds; using {}", name, v, fallback);
            return fallback;
        }
    }

    /** See {@link LogService#alterBrokerConfig}. */
    Future<Void> alter(boolean clusterWide, java.util.Map<String, String> dynamic, boolean validateOnly) {
        return vertx.executeBlocking(() -> {
            synchronized (this) {
                BrokerConfigLayers next = layers.withDynamic(clusterWide, dynamic);
                LogConfig defaults;
                try {
                    BrokerConfigDef.validateDynamic(dynamic);
                    defaults = LogConfig.brokerDefaults(next.effective());
                } catch (ConfigException e) {
                    throw new InvalidRequestException(e.getMessage());
                }
                if (store == null) {
                    throw new InvalidRequestException("Dynamic broker configuration is disabled");
                }
                manager.updateBrokerDefaults(defaults, true);
                if (!validateOnly) {
                    store.save(next);
                    layers = next;
                    manager.updateBrokerDefaults(defaults, false);
                }
                return null;
            }
        });
    }
}
