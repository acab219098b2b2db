package io.tributary.zk;

import io.tributary.coord.Caller;
import io.tributary.coord.Codes;
import io.tributary.coord.CoordinatorVerticle.Connected;
import io.tributary.coord.Result;
import io.tributary.coord.WatchSink;
import io.tributary.net.Framer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.apache.jute.BinaryInputArchive;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.WatcherEvent;
import org.apache.zookeeper.proto.ReplyHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * One ZooKeeper client connection, on one event loop.
 *
 * <p>Framer: a 4-byte length, checked against {@code jute.maxbuffer} before any buffer for the frame
 * exists (so "GET " from an HTTP client, read as a length, closes the connection at once). Before the
 * handshake the length may instead be a four-letter word. The first frame must be a ConnectRequest
 * (protocol version 0, with or without the trailing read-only flag); anything else closes the
 * connection. After it, each frame is a RequestHeader and a jute body that must be consumed exactly;
 * an unknown op code closes the connection with a log line, as ZooKeeper does. The handshake's format
 * is in {@link Handshake}.
 *
 * <p>Replies leave in request order through a FIFO of slots; reading pauses when too many requests are
 * in flight or the socket cannot keep up. Watch notifications (xid -1) are written as the engine
 * delivers them, which is always before the reply of any later read (the engine's outbox orders them).
 * Implements {@link WatchSink} for the engine; those calls hop onto this connection's event loop.
 * Authentication (auth packets, whoAmI, the ids sent with each request) is {@link ZkAuth}'s.
 */
final class ZkConnection implements WatchSink {
    private static final Logger LOG = LoggerFactory.getLogger(ZkConnection.class);

    private static final class Slot {
        Buffer reply;
        boolean closeAfter;
    }

    private final NetSocket socket;
    private final Context context;
    private final ZkServer server;
    private final Framer parser;
    private final ArrayDeque<Slot> pending = new ArrayDeque<>();
    final String clientAddress;
    private final String clientIp;
    private final ZkAuth auth;
    private boolean handshakeStarted;
    private boolean connected;
    private boolean closed;
    private boolean admitted;
    private boolean pausedForInFlight;
    private boolean pausedForWrites;
    private boolean pausedForHandshake;
    volatile long sessionId;
    volatile int timeout;
    volatile long received;
    volatile long sent;
    volatile long lastZxid;
    volatile String lastOp = "NA";
    final long established = System.currentTimeMillis();

    ZkConnection(NetSocket socket, Context context, ZkServer server) {
        this.socket = socket;
        this.context = context;
        this.server = server;
        this.clientAddress = String.valueOf(socket.remoteAddress());
        this.clientIp = socket.remoteAddress().hostAddress();
        this.auth = new ZkAuth(clientIp, server.superDigest);
        this.parser = new Framer(socket, this::onSize, this::onFrame, t -> closeWith("read failed: " + t));
    }

    void start() {
        socket.closeHandler(v -> onClosed());
        socket.drainHandler(v -> {
            pausedForWrites = false;
            maybeResume();
        });
        if (!server.admit(clientIp)) {
            closed = true;
            LOG.warn("closing ZooKeeper connection from {}: too many connections from {} - max is {} (maxClientCnxns)",
                    clientAddress, clientIp, server.maxClientCnxns);
            socket.close();
            return;
        }
        admitted = true;
        server.connections.add(this);
        parser.start();
    }

    private void onClosed() {
        closed = true;
        pending.clear();
        if (admitted) {
            admitted = false;
            server.release(clientIp);
            server.connections.remove(this);
        }
        if (sessionId != 0) {
            server.coordinator.disconnected(sessionId, this);
        }
    }

    // ---- framing ----

    /** A packet's size prefix (or, first thing on the connection, a four-letter word). */
    private boolean onSize(int size) {
        if (closed) {
            return false;
        }
        if (!handshakeStarted) {
            String word = FourLetterWords.word(size);
            if (word != null) {
                handshakeStarted = true;
                closed = true; // the answer is all this connection gets
                FourLetterWords.run(word, server, this, socket);
                return false;
            }
        }
        if (size <= 0 || size > server.maxBuffer) {
            closeWith("packet length " + size + " is outside 1.." + server.maxBuffer
                    + " (jute.maxbuffer); closing before reading it");
            return false;
        }
        return true;
    }

    private void onFrame(Buffer frame) {
        if (closed) {
            return;
        }
        server.packetsReceived.increment();
        received++;
        if (connected) {
            onRequest(frame.getBytes());
        } else if (!handshakeStarted) {
            handshakeStarted = true;
            onConnect(frame.getBytes());
        } else {
            closeWith("request before the handshake completed");
        }
    }

    // ---- handshake ----

    private void onConnect(byte[] frame) {
        Handshake.Parsed parsed = Handshake.parse(frame, server.maxBuffer);
        if (parsed.problem() != null) {
            closeWith(parsed.problem());
            return;
        }
        ConnectRequest req = parsed.request();
        boolean withReadOnly = parsed.withReadOnly();
        parser.pause(); // the client pipelines SetWatches and auth right behind the handshake
        pausedForHandshake = true;
        if (req.getSessionId() == 0) {
            server.countOp(OpCodes.CREATE_SESSION);
        }
        server.coordinator.connect(req.getSessionId(), req.getPasswd(), req.getTimeOut(), req.getLastZxidSeen(), this)
                .onComplete(ar -> onConnected(ar, req, withReadOnly));
    }

    private void onConnected(AsyncResult<Connected> ar, ConnectRequest req, boolean withReadOnly) {
        if (closed) {
            if (ar.succeeded() && ar.result() != null) {
                server.coordinator.disconnected(ar.result().sessionId(), this);
            }
            return;
        }
        if (ar.failed()) {
            // As ZooKeeper: no answer, the client must try another server (or this one later).
            closeWith("refusing session request: " + ar.cause().getMessage());
            return;
        }
        Connected c = ar.result();
        if (c == null) {
            Buffer b = Handshake.response(0, 0, new byte[16], withReadOnly);
            LOG.info("session 0x{} from {} is expired or unknown; telling the client", Long.toHexString(req.getSessionId()), clientAddress);
            closed = true;
            socket.write(b).onComplete(v -> socket.close());
            return;
        }
        sessionId = c.sessionId();
        timeout = c.timeout();
        socket.write(Handshake.response(c.timeout(), c.sessionId(), c.password(), withReadOnly));
        sent++;
        connected = true;
        pausedForHandshake = false;
        maybeResume();
    }

    // ---- requests ----

    private void onRequest(byte[] frame) {
        ByteArrayInputStream bytes = new ByteArrayInputStream(frame);
        BinaryInputArchive in = archive(bytes);
        RequestHeader h = new RequestHeader();
        try {
            h.deserialize(in, "header");
        } catch (IOException e) {
            closeWith("malformed request header: " + e.getMessage());
            return;
        }
        int xid = h.getXid();
        int type = h.getType();
        server.countOp(type);
        switch (type) {
            case OpCodes.PING -> {
                server.coordinator.touch(sessionId);
                reply(new Slot(), JuteFrame.reply(OpCodes.XID_PING, lastZxid, 0, null));
                return;
            }
            case OpCodes.AUTH -> {
                authenticate(in);
                return;
            }
            case OpCodes.WHO_AM_I -> {
                reply(new Slot(), JuteFrame.reply(xid, lastZxid, 0, auth.whoAmI()));
                return;
            }
            case OpCodes.RECONFIG -> {
                // As a standalone ZooKeeper: RECONFIGDISABLED unless reconfigEnabled, and then UNIMPLEMENTED
                // (PrepRequestProcessor: reconfiguration needs a quorum leader).
                LOG.warn("reconfig requested by {} but {}", clientAddress, server.reconfigEnabled
                        ? "a single node has no ensemble to reconfigure" : "the reconfig feature is disabled");
                int err = server.reconfigEnabled ? Codes.UNIMPLEMENTED : Codes.RECONFIGDISABLED;
                reply(new Slot(), JuteFrame.reply(xid, lastZxid, err, null));
                return;
            }
            case OpCodes.SASL, OpCodes.DELETE_CONTAINER -> {
                // SASL is not offered. ZooKeeper answers a disabled feature with an error code rather
                // than dropping the client.
                reply(new Slot(), JuteFrame.reply(xid, lastZxid, Codes.UNIMPLEMENTED, null));
                return;
            }
            default -> {
            }
        }
        if (!ZkCodec.known(type)) {
            closeWith("unknown op code " + type + " (xid " + xid + ")");
            return;
        }
        ZkCodec.Request req;
        try {
            req = ZkCodec.decode(type, in);
        } catch (IOException | RuntimeException e) {
            closeWith("malformed request of type " + type + ": " + e.getMessage());
            return;
        }
        if (bytes.available() != 0 && LOG.isDebugEnabled()) {
            // ZooKeeper deserializes a request record and ignores what follows it (NettyServerCnxn /
            // FinalRequestProcessor read the record from the packet, never its end), so we do too.
            LOG.debug("request of type {} from {} has {} trailing bytes, ignored", type, clientAddress, bytes.available());
        }
        lastOp = OpCodes.shortName(type);
        Slot slot = new Slot();
        slot.closeAfter = type == OpCodes.CLOSE_SESSION;
        enqueue(slot);
        long startNanos = System.nanoTime();
        server.coordinator.execute(new Caller(sessionId, auth.ids(), this), req.op()).onComplete(ar -> {
            Buffer out;
            if (ar.failed()) {
                LOG.error("request of type {} from {} failed", type, clientAddress, ar.cause());
                out = JuteFrame.reply(xid, lastZxid, Codes.SYSTEMERROR, null);
            } else {
                Result r = ar.result();
                lastZxid = Math.max(lastZxid, r.zxid());
                out = r.err() == 0 ? JuteFrame.reply(xid, r.zxid(), 0, ZkCodec.encode(req, r))
                        : JuteFrame.reply(xid, r.zxid(), r.err(), null);
                if (r.err() == Codes.SESSIONEXPIRED) {
                    slot.closeAfter = true;
                }
            }
            server.recordLatency(type, (System.nanoTime() - startNanos) / 1_000_000);
            complete(slot, out);
        });
    }

    /**
     * A jute reader bounded by our {@code jute.maxbuffer} setting (not the JVM-wide system property
     * jute's static default reads), so a lying length inside a frame fails fast.
     */
    private BinaryInputArchive archive(ByteArrayInputStream bytes) {
        return new BinaryInputArchive(new java.io.DataInputStream(bytes), server.maxBuffer, 0);
    }

    private void authenticate(BinaryInputArchive in) {
        AuthPacket p = new AuthPacket();
        try {
            p.deserialize(in, "auth");
        } catch (IOException e) {
            closeWith("malformed auth packet: " + e.getMessage());
            return;
        }
        Slot slot = new Slot();
        if (auth.add(p.getScheme(), p.getAuth()) == Codes.OK) {
            reply(slot, JuteFrame.reply(OpCodes.XID_AUTH, 0, 0, null));
        } else {
            LOG.warn("authentication with unsupported scheme '{}' from {}", p.getScheme(), clientAddress);
            slot.closeAfter = true;
            reply(slot, JuteFrame.reply(OpCodes.XID_AUTH, 0, Codes.AUTHFAILED, null));
        }
    }

    private void reply(Slot slot, Buffer out) {
        enqueue(slot);
        complete(slot, out);
    }

    private void enqueue(Slot slot) {
        pending.addLast(slot);
        if (pending.size() >= server.maxInFlight && !pausedForInFlight) {
            pausedForInFlight = true;
            parser.pause();
        }
    }

    private void complete(Slot slot, Buffer out) {
        slot.reply = out;
        while (!pending.isEmpty() && pending.peekFirst().reply != null) {
            Slot s = pending.pollFirst();
            if (closed) {
                continue;
            }
            server.packetsSent.increment();
            sent++;
            if (s.closeAfter) {
                closed = true;
                socket.write(s.reply).onComplete(v -> socket.close());
                LOG.debug("session 0x{} closed by the client at {}", Long.toHexString(sessionId), clientAddress);
                return;
            }
            socket.write(s.reply);
        }
        if (pausedForInFlight && pending.size() < server.maxInFlight / 2 + 1) {
            pausedForInFlight = false;
            maybeResume();
        }
        if (!closed && socket.writeQueueFull() && !pausedForWrites) {
            pausedForWrites = true;
            parser.pause();
        }
    }

    private void maybeResume() {
        if (!pausedForInFlight && !pausedForWrites && !pausedForHandshake && !closed) {
            parser.resume();
        }
    }

    // ---- WatchSink (called on the coordinator thread) ----

    @Override
    public void event(int type, String path, long zxid) {
        context.runOnContext(v -> {
            if (!closed) {
                socket.write(new JuteFrame().add(new ReplyHeader(OpCodes.XID_NOTIFICATION, zxid, 0))
                        .add(new WatcherEvent(type, OpCodes.STATE_SYNC_CONNECTED, path)).toBuffer());
                server.packetsSent.increment();
                sent++;
            }
        });
    }

    @Override
    public java.util.List<org.apache.zookeeper.data.Id> readerIds() {
        return auth.ids(); // an immutable snapshot, published through a volatile field
    }

    @Override
    public void sessionClosed(String reason) {
        context.runOnContext(v -> closeWith(reason));
    }

    /** Closes the connection with a log line saying why; other connections are unaffected. */
    void closeWith(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        LOG.warn("closing ZooKeeper connection from {}: {}", clientAddress, reason);
        pending.clear();
        socket.close();
    }

    int queued() {
        return pending.size();
    }
}
