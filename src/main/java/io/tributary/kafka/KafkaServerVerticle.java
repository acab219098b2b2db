package io.tributary.kafka;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka listener. Deployed with one instance per network thread; Vert.x shares the port between
 * instances and spreads connections over their event loops. Frames, decodes, dispatches and encodes;
 * never touches files (the log is reached through {@link KafkaBroker}).
 */
public final class KafkaServerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaServerVerticle.class);

    private final KafkaBroker broker;
    private NetServer server;

    public KafkaServerVerticle(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<?> start() {
        SupportedApis apis = KafkaApis.create(broker);
        NetServerOptions options = new NetServerOptions()
                .setHost(broker.bindHost())
                .setPort(broker.kafkaPort())
                .setTcpNoDelay(true)
                .setReuseAddress(true)
                .setReceiveBufferSize(1024 * 1024)
                .setSendBufferSize(1024 * 1024);
        server = vertx.createNetServer(options);
        server.connectHandler(socket -> new KafkaConnection(socket, context, apis,
                broker.maxRequestBytes(), broker.maxInFlightPerConnection(), broker.metrics()).start());
        return server.listen().onSuccess(s -> LOG.debug("Kafka listener instance on port {}", s.actualPort()));
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    public int actualPort() {
        return server.actualPort();
    }
}
