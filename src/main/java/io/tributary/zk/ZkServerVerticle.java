package io.tributary.zk;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper listener (client protocol and four-letter words on one port), deployed with
 * {@code zk.network.threads} instances sharing the port. The first instance opens its listener from the
 * coordination engine's context, so its connections live on the engine's event loop: a request is
 * executed as soon as it is decoded and its reply written at once, and a watch event costs one hand-off
 * from the log's sync thread. Each further instance frames, decodes and encodes on an event loop of its
 * own and hands requests to the engine. Either way the engine is reached only through
 * {@link io.tributary.coord.CoordinatorVerticle}.
 */
public final class ZkServerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ZkServerVerticle.class);

    private final ZkServer server;
    private NetServer net;

    public ZkServerVerticle(ZkServer server) {
        this.server = server;
    }

    @Override
    public Future<?> start() {
        NetServerOptions options = new NetServerOptions()
                .setHost(server.host)
                .setPort(server.port)
                .setTcpNoDelay(true)
                .setReuseAddress(true);
        boolean onEngineLoop = server.instances.getAndIncrement() == 0;
        Context home = onEngineLoop ? server.coordinator.context() : context;
        Promise<NetServer> listening = Promise.promise();
        home.runOnContext(v -> {
            net = vertx.createNetServer(options);
            net.connectHandler(socket -> new ZkConnection(socket, home, server).start());
            net.listen().onComplete(listening);
        });
        return listening.future().onSuccess(s -> LOG.debug("ZooKeeper listener instance on port {}{}", s.actualPort(),
                onEngineLoop ? " (on the coordination engine's event loop)" : ""));
    }

    @Override
    public Future<?> stop() {
        return net == null ? Future.succeededFuture() : net.close();
    }
}
