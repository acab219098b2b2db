package io.tributary.cluster.replica;

import io.tributary.net.Framer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One Kafka-protocol connection from this broker to another (a follower to its leader), on Vert.x's
 * {@link NetClient}: requests serialized by kafka-clients' own classes, responses matched to requests in
 * order (Kafka answers a connection's requests in order), a response frame bounded before it is buffered.
 * A closed or failed connection fails every request in flight; the owner opens a new channel.
 *
 * <p>Threading: the owner's context (the fetcher verticle); Vert.x delivers socket events there.
 */
final class BrokerChannel {
    private record InFlight(RequestHeader header, Promise<AbstractResponse> promise) {
    }

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final String clientId;
    private final int maxResponseBytes;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private NetClient client;
    private NetSocket socket;
    private int correlation;
    private boolean closed;

    BrokerChannel(Vertx vertx, String host, int port, String clientId, int maxResponseBytes) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
        this.clientId = clientId;
        this.maxResponseBytes = maxResponseBytes;
    }

    Future<Void> connect(int timeoutMs) {
        client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(timeoutMs).setTcpNoDelay(true));
        return client.connect(port, host).map(s -> {
            socket = s;
            Framer framer = new Framer(s, size -> size > 0 && size <= maxResponseBytes, this::onFrame, this::fail);
            s.closeHandler(v -> fail(new IOException("connection to " + host + ":" + port + " closed")));
            s.exceptionHandler(this::fail);
            framer.start();
            return null;
        });
    }

    /** Sends a request; the response arrives on the owner's context. */
    Future<AbstractResponse> send(AbstractRequest request) {
        if (closed || socket == null) {
            return Future.failedFuture(new IOException("no connection to " + host + ":" + port));
        }
        ApiKeys api = request.apiKey();
        RequestHeader header = new RequestHeader(api, request.version(), clientId, ++correlation);
        ByteBuffer body = request.serializeWithHeader(header);
        Buffer frame = Buffer.buffer(4 + body.remaining()).appendInt(body.remaining());
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        frame.appendBytes(bytes);
        Promise<AbstractResponse> p = Promise.promise();
        inFlight.add(new InFlight(header, p));
        socket.write(frame);
        return p.future();
    }

    private void onFrame(Buffer frame) {
        InFlight next = inFlight.poll();
        if (next == null) {
            fail(new IOException("a response from " + host + ":" + port + " that no request asked for"));
            return;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(frame.getBytes());
            next.promise().complete(AbstractResponse.parseResponse(b, next.header()));
        } catch (RuntimeException e) {
            next.promise().fail(e);
            fail(e);
        }
    }

    private void fail(Throwable t) {
        if (closed) {
            return;
        }
        closed = true;
        InFlight f;
        while ((f = inFlight.poll()) != null) {
            f.promise().tryFail(t);
        }
        if (socket != null) {
            socket.close();
        }
        if (client != null) {
            client.close();
        }
    }

    boolean open() {
        return !closed && socket != null;
    }

    void close() {
        fail(new IOException("channel to " + host + ":" + port + " closed"));
    }
}
