package io.tributary.zk;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper listener (client protocol and four-letter words on one port). Deployed with several
 * instances sharing the port; each frames, decodes and encodes on its own event loop and reaches the
 * engine only through {@link io.tributary.coord.CoordinatorVerticle}.
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
        net = vertx.createNetServer(options);
        net.connectHandler(socket -> new ZkConnection(socket, context, server).start());
        return net.listen().onSuccess(s -> LOG.debug("ZooKeeper listener instance on port {}", s.actualPort()));
    }

    @Override
    public Future<?> stop() {
        return net == null ? Future.succeededFuture() : net.close();
    }
}
