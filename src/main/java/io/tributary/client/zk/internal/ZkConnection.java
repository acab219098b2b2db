package io.tributary.client.zk.internal;

import io.tributary.client.internal.FrameReader;
import io.tributary.client.internal.Loop;
import io.tributary.client.zk.ZkException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.WatcherEvent;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * One TCP connection of a session to one ZooKeeper server, on the client's loop. The first frame each way is the
 * handshake (ConnectRequest / ConnectResponse); then requests are answered strictly in order (ZooKeeper's
 * per-connection FIFO), so the pending requests are a queue whose head must carry the reply's xid, except for the
 * special xids: notifications (-1) go to the listener, pings (-2) only prove the server alive, auth replies (-4)
 * answer the auth queue. A mismatch is a protocol violation and closes the connection.
 *
 * <p>Liveness as ClientCnxn keeps it: a ping every third of the negotiated session timeout, and a connection that
 * has received nothing for two thirds of it is considered dead and closed (the session then reconnects elsewhere
 * well before the server would expire it). Closing fails every pending request with CONNECTIONLOSS.
 */
public final class ZkConnection {
    /** What the owning session hears from a connection. */
    public interface Listener {
        void onNotification(WatcherEvent event, long zxid);

        void onClosed(ZkConnection connection, Throwable cause);
    }

    private final Loop loop;
    private final Vertx vertx;
    private final String server;
    private final int maxFrameBytes;
    private final ArrayDeque<Request> pending = new ArrayDeque<>();
    private final ArrayDeque<Promise<Void>> auths = new ArrayDeque<>();
    private Listener listener;
    private Promise<ZkConnection> handshake;
    private NetSocket socket;
    private boolean closed;
    private long pingTimer = -1;
    private long lastReceived;
    private int negotiatedTimeout;
    private long sessionId;
    private byte[] password;

    private ZkConnection(Loop loop, String server, int maxFrameBytes) {
        this.loop = loop;
        this.vertx = loop.context().owner();
        this.server = server;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Connects to {@code host:port} and performs the handshake within {@code timeoutMs}; completes on the loop with
     * the connection, whose {@link #negotiatedTimeout()} is 0 or less if the server said the session expired.
     */
    public static Future<ZkConnection> open(Loop loop, NetClient net, String hostPort, ConnectRequest hello,
                                            long timeoutMs, int maxFrameBytes) {
        loop.check();
        ZkConnection c = new ZkConnection(loop, hostPort, maxFrameBytes);
        c.handshake = Promise.promise();
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            return Future.failedFuture(new IllegalArgumentException("bad server address " + hostPort));
        }
        long timer = c.vertx.setTimer(Math.max(1, timeoutMs), t -> c.fail(new ZkException(ZkException.CONNECTIONLOSS,
                null, "no handshake with " + hostPort + " within " + timeoutMs + " ms")));
        net.connect(port, host).onComplete(ar -> {
            if (ar.failed()) {
                c.fail(new ZkException(ZkException.CONNECTIONLOSS, null, "connect to " + hostPort + ": " + ar.cause()));
                return;
            }
            if (c.closed) {
                ar.result().close();
                return;
            }
            c.attach(ar.result());
            c.socket.write(Wire.frame(hello));
        });
        return c.handshake.future().onComplete(ar -> c.vertx.cancelTimer(timer));
    }

    private void attach(NetSocket s) {
        socket = s;
        lastReceived = System.nanoTime();
        new FrameReader(s, maxFrameBytes, this::onFrame, this::fail);
        s.closeHandler(v -> fail(new ZkException(ZkException.CONNECTIONLOSS, null, "connection to " + server + " closed")));
        s.exceptionHandler(this::fail);
    }

    /** Starts pinging and handing events to {@code listener}; call once the session accepted the handshake. */
    public void activate(Listener listener) {
        loop.check();
        this.listener = listener;
        if (closed) {
            listener.onClosed(this, new ZkException(ZkException.CONNECTIONLOSS, null, "connection to " + server + " closed"));
            return;
        }
        long period = Math.max(10, negotiatedTimeout / 3);
        long readTimeoutNanos = (long) negotiatedTimeout * 2 / 3 * 1_000_000L;
        pingTimer = vertx.setPeriodic(period, t -> {
            if (System.nanoTime() - lastReceived > readTimeoutNanos) {
                fail(new ZkException(ZkException.CONNECTIONLOSS, null, "nothing heard from " + server + " for "
                        + negotiatedTimeout * 2 / 3 + " ms"));
                return;
            }
            socket.write(Wire.request(Wire.XID_PING, Wire.PING, null));
        });
    }

    /** Writes {@code r}; its promise completes with the reply (failing on an error code or a closed connection). */
    public void send(Request r) {
        loop.check();
        if (closed) {
            r.promise.tryFail(new ZkException(ZkException.CONNECTIONLOSS, r.path, "connection to " + server + " closed"));
            return;
        }
        pending.add(r);
        socket.write(Wire.request(r.xid, r.type, r.body));
    }

    /** Sends an auth packet (xid -4); the promise fails with AUTHFAILED if the server refuses it. */
    public void sendAuth(AuthPacket auth, Promise<Void> done) {
        loop.check();
        if (closed) {
            done.tryFail(new ZkException(ZkException.CONNECTIONLOSS, null, "connection to " + server + " closed"));
            return;
        }
        auths.add(done);
        socket.write(Wire.request(Wire.XID_AUTH, Wire.AUTH, auth));
    }

    private void onFrame(Buffer frame) {
        lastReceived = System.nanoTime();
        try {
            Wire.Input in = Wire.input(frame, maxFrameBytes);
            if (handshake != null) {
                readHandshake(in);
                return;
            }
            ReplyHeader h = new ReplyHeader();
            h.deserialize(in.archive(), "header");
            switch (h.getXid()) {
                case Wire.XID_NOTIFICATION -> {
                    WatcherEvent e = new WatcherEvent();
                    e.deserialize(in.archive(), "event");
                    if (listener != null) {
                        listener.onNotification(e, h.getZxid());
                    }
                }
                case Wire.XID_PING -> {
                }
                case Wire.XID_AUTH -> {
                    Promise<Void> p = auths.poll();
                    if (p != null) {
                        if (h.getErr() == 0) {
                            p.tryComplete();
                        } else {
                            p.tryFail(new ZkException(h.getErr(), null, "auth refused by " + server));
                        }
                    }
                }
                default -> reply(h, in);
            }
        } catch (IOException | RuntimeException e) {
            fail(new ZkException(ZkException.MARSHALLINGERROR, null, "bad frame from " + server + ": " + e));
        }
    }

    private void readHandshake(Wire.Input in) throws IOException {
        // ConnectResponse: protocolVersion timeOut sessionId passwd [readOnly] (servers before 3.4 omit readOnly)
        in.archive().readInt("protocolVersion");
        negotiatedTimeout = in.archive().readInt("timeOut");
        sessionId = in.archive().readLong("sessionId");
        password = in.archive().readBuffer("passwd");
        Promise<ZkConnection> p = handshake;
        handshake = null;
        p.tryComplete(this);
    }

    private void reply(ReplyHeader h, Wire.Input in) throws IOException {
        Request r = pending.poll();
        if (r == null || r.xid != h.getXid()) {
            throw new IOException("reply xid " + h.getXid() + ", expected " + (r == null ? "none" : r.xid));
        }
        if (h.getErr() != 0) {
            r.promise.tryFail(new ZkException(h.getErr(), r.path).withZxid(h.getZxid()));
            return;
        }
        if (r.response != null && in.remaining() > 0) {
            r.response.deserialize(in.archive(), "response");
        }
        r.promise.tryComplete(new Request.Reply(h.getZxid(), r.response));
    }

    private void fail(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        if (pingTimer >= 0) {
            vertx.cancelTimer(pingTimer);
        }
        ZkException loss = cause instanceof ZkException z && z.code() == ZkException.CONNECTIONLOSS ? z
                : new ZkException(ZkException.CONNECTIONLOSS, null, "connection to " + server + " failed: " + cause);
        for (Request r : pending) {
            r.promise.tryFail(new ZkException(ZkException.CONNECTIONLOSS, r.path, loss.getMessage()));
        }
        pending.clear();
        for (Promise<Void> p : auths) {
            p.tryFail(loss);
        }
        auths.clear();
        if (socket != null) {
            socket.close();
        }
        if (handshake != null) {
            handshake.tryFail(loss);
            handshake = null;
        } else if (listener != null) {
            listener.onClosed(this, loss);
        }
    }

    /** Closes the connection; pending requests fail with CONNECTIONLOSS. */
    public void close() {
        loop.run(() -> fail(new ZkException(ZkException.CONNECTIONLOSS, null, "closed by the client")));
    }

    public boolean isClosed() {
        return closed;
    }

    public int negotiatedTimeout() {
        return negotiatedTimeout;
    }

    public long sessionId() {
        return sessionId;
    }

    public byte[] password() {
        return password;
    }

    public String server() {
        return server;
    }

    @Override
    public String toString() {
        return "zookeeper connection to " + server;
    }
}
