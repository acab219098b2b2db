package io.tributary.kafka.handlers;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.LogLevelConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The BROKER_LOGGER resource: this process's logback loggers, described and changed at runtime as Kafka's
 * RuntimeLoggerManager does for log4j ({@code kafka-configs --entity-type broker-loggers --entity-name 1
 * --alter --add-config io.tributary.kafka=DEBUG}). Every logger that exists is listed with its effective
 * level; SET gives an existing logger a level (Kafka's level names; FATAL is logback's ERROR), DELETE
 * removes it so the logger inherits again (not for root). Like Kafka's, the changes last until the process
 * stops. Thread-safe (logback's level changes are).
 */
final class BrokerLoggers {
    private static final String ROOT = "root";
    private static final String VALID_LEVELS = String.join(", ", new TreeSet<>(LogLevelConfig.VALID_LOG_LEVELS));

    private BrokerLoggers() {
    }

    private static LoggerContext context() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext c) {
            return c;
        }
        throw new InvalidRequestException("Broker loggers cannot be described or changed: logging is not logback");
    }

    /** Every existing logger with its effective level, root first as Kafka lists it by name. */
    static List<TopicConfigs.Entry> describe() {
        List<TopicConfigs.Entry> entries = new ArrayList<>();
        for (Logger logger : context().getLoggerList()) {
            String name = logger.getName().equals(Logger.ROOT_LOGGER_NAME) ? ROOT : logger.getName();
            entries.add(new TopicConfigs.Entry(name, logger.getEffectiveLevel().toString(),
                    ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG, null, null, List.of(), false));
        }
        return entries;
    }

    /** Kafka's checks of a BROKER_LOGGER change, in its order and with its messages; nothing is changed. */
    static void validate(Collection<AlterableConfig> configs) {
        for (AlterableConfig c : configs) {
            OpType op = OpType.forId(c.configOperation());
            if (op == null) {
                throw new InvalidRequestException("Unknown operation type " + c.configOperation()
                        + " is not allowed for the " + ConfigResource.Type.BROKER_LOGGER + " resource");
            }
            switch (op) {
                case SET -> {
                    requireExists(c.name());
                    if (!LogLevelConfig.VALID_LOG_LEVELS.contains(c.value())) {
                        throw new InvalidConfigurationException("Cannot set the log level of " + c.name() + " to " + c.value()
                                + " as it is not a supported log level. Valid log levels are " + VALID_LEVELS);
                    }
                }
                case DELETE -> {
                    requireExists(c.name());
                    if (c.name().equals(ROOT)) {
                        throw new InvalidRequestException("Removing the log level of the root logger is not allowed");
                    }
                }
                case APPEND, SUBTRACT -> throw new InvalidRequestException(op + " operation is not allowed for the "
                        + ConfigResource.Type.BROKER_LOGGER + " resource");
            }
        }
    }

    /** Applies changes that passed {@link #validate}. */
    static void apply(Collection<AlterableConfig> configs) {
        org.slf4j.Logger audit = LoggerFactory.getLogger(BrokerLoggers.class);
        for (AlterableConfig c : configs) {
            Logger logger = logger(c.name());
            if (OpType.forId(c.configOperation()) == OpType.SET) {
                logger.setLevel(c.value().equals(LogLevelConfig.FATAL_LOG_LEVEL) ? Level.ERROR : Level.toLevel(c.value()));
                audit.warn("Updated the log level of {} to {}", c.name(), c.value());
            } else {
                logger.setLevel(null);
                audit.warn("Unset the log level of {}", c.name());
            }
        }
    }

    private static void requireExists(String name) {
        if (!name.equals(ROOT) && context().exists(name) == null) {
            throw new InvalidConfigurationException("Logger " + name + " does not exist!");
        }
    }

    private static Logger logger(String name) {
        return name.equals(ROOT) ? context().getLogger(Logger.ROOT_LOGGER_NAME) : context().exists(name);
    }
}
