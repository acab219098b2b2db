package io.tributary.client.kafka.internal;

import io.tributary.client.internal.FrameReader;
import io.tributary.client.internal.Loop;
import io.tributary.client.kafka.KafkaClientOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ResponseHeader;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;

/**
 * One TCP connection to one Kafka broker, on the client's loop. Requests are framed with kafka-clients' generated
 * writers and answered strictly in order (Kafka's per-connection ordering), so the pending requests are a FIFO whose
 * head must carry the response's correlation id; a mismatch is a protocol violation and closes the connection.
 *
 * <p>On connect the connection sends ApiVersions (v3, falling back to the version range the broker answers with, as
 * KIP-511 asks) and from then on uses, per API, the highest version both sides support. At most
 * {@code maxInFlightPerConnection} requests are on the wire; later ones wait here in order. A request that gets no
 * answer within the request timeout closes the connection (as kafka-clients does: the connection's state is unknown
 * after that) and every pending request fails with a retriable {@link DisconnectException}.
 */
public final class BrokerConnection {
    private static final short APIVERSIONS_V = 3;

    private final Loop loop;
    private final Vertx vertx;
    private final KafkaClientOptions options;
    private final String host;
    private final int port;
    private final int nodeId;
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private final Map<ApiKeys, Short> versions = new EnumMap<>(ApiKeys.class);
    private final Promise<Void> closed = Promise.promise();
    private NetSocket socket;
    private int nextCorrelationId;
    private boolean isClosed;

    private BrokerConnection(Loop loop, KafkaClientOptions options, String host, int port, int nodeId) {
        this.loop = loop;
        this.vertx = loop.context().owner();
        this.options = options;
        this.host = host;
        this.port = port;
        this.nodeId = nodeId;
    }

    /** Connects and negotiates API versions; completes on the loop. */
    public static Future<BrokerConnection> connect(Loop loop, NetClient net, KafkaClientOptions options,
                                                   String host, int port, int nodeId) {
        loop.check();
        BrokerConnection c = new BrokerConnection(loop, options, host, port, nodeId);
        return net.connect(port, host).compose(s -> {
            c.attach(s);
            return c.negotiate().map(c);
        });
    }

    private void attach(NetSocket s) {
        this.socket = s;
        new FrameReader(s, options.maxResponseBytes(), this::onFrame, this::fail);
        s.closeHandler(v -> fail(new DisconnectException("connection to " + this + " closed")));
        s.exceptionHandler(this::fail);
    }

    private Future<Void> negotiate() {
        ApiVersionsRequestData req = new ApiVersionsRequestData()
                .setClientSoftwareName("tributary-rx").setClientSoftwareVersion("0.1.0");
        return this.<ApiVersionsResponseData>callAt(ApiKeys.API_VERSIONS, APIVERSIONS_V, req).compose(resp -> {
            Errors e = Errors.forCode(resp.errorCode());
            if (e == Errors.UNSUPPORTED_VERSION) {
                // KIP-511: the broker answers with its own range at v0; retry at the highest it has.
                ApiVersionsResponseData.ApiVersion av = resp.apiKeys().find(ApiKeys.API_VERSIONS.id);
                short v = av == null ? 0 : (short) Math.min(av.maxVersion(), APIVERSIONS_V);
                ApiVersionsRequestData retry = v >= 3 ? req : new ApiVersionsRequestData();
                return this.<ApiVersionsResponseData>callAt(ApiKeys.API_VERSIONS, v, retry).compose(this::record);
            }
            return record(resp);
        });
    }

    private Future<Void> record(ApiVersionsResponseData resp) {
        Errors e = Errors.forCode(resp.errorCode());
        if (e != Errors.NONE) {
            close();
            return Future.failedFuture(e.exception("ApiVersions refused by " + this));
        }
        for (ApiVersionsResponseData.ApiVersion av : resp.apiKeys()) {
            if (!ApiKeys.hasId(av.apiKey())) {
                continue;
            }
            ApiKeys key = ApiKeys.forId(av.apiKey());
            short max = (short) Math.min(av.maxVersion(), key.latestVersion());
            short min = (short) Math.max(av.minVersion(), key.oldestVersion());
            if (max >= min) {
                versions.put(key, max);
            }
        }
        return Future.succeededFuture();
    }

    /** The version this connection speaks for {@code key}: the highest both sides support. */
    public short version(ApiKeys key) {
        Short v = versions.get(key);
        if (v == null) {
            throw new UnsupportedVersionException("broker " + this + " does not support " + key);
        }
        return v;
    }

    /** True if the broker supports {@code key} at {@code minVersion} or newer. */
    public boolean supports(ApiKeys key, int minVersion) {
        Short v = versions.get(key);
        return v != null && v >= minVersion;
    }

    /** Sends {@code body} at the negotiated version; completes with the response body on the loop. */
    public <T extends ApiMessage> Future<T> call(ApiKeys key, ApiMessage body) {
        return callAt(key, version(key), body);
    }

    /** Sends {@code body} at {@code version}; completes with the response body on the loop. */
    public <T extends ApiMessage> Future<T> callAt(ApiKeys key, short version, ApiMessage body) {
        return callAt(key, version, body, options.requestTimeoutMs());
    }

    /**
     * Sends {@code body} at {@code version}, waiting up to {@code timeoutMs} for the response once it is written (a
     * JoinGroup may legitimately wait for the whole rebalance timeout); completes with the response body on the loop.
     */
    public <T extends ApiMessage> Future<T> callAt(ApiKeys key, short version, ApiMessage body, long timeoutMs) {
        loop.check();
        if (isClosed) {
            return Future.failedFuture(new DisconnectException("connection to " + this + " is closed"));
        }
        Pending p = new Pending(key, version, body, true, timeoutMs);
        enqueue(p);
        @SuppressWarnings("unchecked")
        Future<T> f = (Future<T>) p.promise.future();
        return f;
    }

    /** Sends a request that gets no response (a produce with acks=0); completes once written. */
    public Future<Void> sendOneWay(ApiKeys key, ApiMessage body) {
        loop.check();
        if (isClosed) {
            return Future.failedFuture(new DisconnectException("connection to " + this + " is closed"));
        }
        Pending p = new Pending(key, version(key), body, false, options.requestTimeoutMs());
        enqueue(p);
        return p.promise.future().mapEmpty();
    }

    private void enqueue(Pending p) {
        if (inFlight.size() < options.maxInFlightPerConnection() && waiting.isEmpty()) {
            write(p);
        } else {
            waiting.add(p);
        }
    }

    private void write(Pending p) {
        int cid = nextCorrelationId++;
        p.correlationId = cid;
        Buffer frame = frame(p.key, p.version, cid, options.clientId(), p.body);
        if (p.expectResponse) {
            inFlight.add(p);
            p.timer = vertx.setTimer(p.timeoutMs, t -> {
                p.timer = -1;
                fail(new TimeoutException(p.key + " to " + this + " got no response within " + p.timeoutMs + " ms"));
            });
            socket.write(frame);
        } else {
            socket.write(frame).onComplete(ar -> {
                if (ar.succeeded()) {
                    p.promise.tryComplete(null);
                } else {
                    p.promise.tryFail(ar.cause());
                }
            });
        }
    }

    /** A whole request frame (size, header, body) written by kafka-clients' serializers. */
    static Buffer frame(ApiKeys key, short version, int correlationId, String clientId, ApiMessage body) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(clientId);
        short hv = key.requestHeaderVersion(version);
        int size = header.size(cache, hv) + body.size(cache, version);
        ByteBuffer buf = ByteBuffer.allocate(4 + size);
        buf.putInt(size);
        ByteBufferAccessor w = new ByteBufferAccessor(buf);
        header.write(w, cache, hv);
        body.write(w, cache, version);
        return Buffer.buffer(buf.array());
    }

    private void onFrame(Buffer frame) {
        Pending p = inFlight.poll();
        if (p == null) {
            fail(new IllegalStateException("unsolicited response from " + this));
            return;
        }
        if (p.timer >= 0) {
            vertx.cancelTimer(p.timer);
        }
        ApiMessage body;
        try {
            ByteBuffer bb = ByteBuffer.wrap(frame.getBytes());
            ResponseHeader rh = ResponseHeader.parse(bb, p.key.responseHeaderVersion(p.version));
            if (rh.correlationId() != p.correlationId) {
                throw new IllegalStateException("response correlation id " + rh.correlationId() + " from " + this
                        + ", expected " + p.correlationId + " (" + p.key + ")");
            }
            body = AbstractResponse.parseResponse(p.key, new ByteBufferAccessor(bb), p.version).data();
        } catch (RuntimeException e) {
            p.promise.tryFail(e);
            fail(e);
            return;
        }
        p.promise.tryComplete(body);
        while (!waiting.isEmpty() && inFlight.size() < options.maxInFlightPerConnection() && !isClosed) {
            write(waiting.poll());
        }
    }

    private void fail(Throwable cause) {
        if (isClosed) {
            return;
        }
        isClosed = true;
        Throwable retriable = cause instanceof DisconnectException || cause instanceof TimeoutException
                ? cause : new DisconnectException("connection to " + this + " failed: " + cause, cause);
        for (Pending p : inFlight) {
            if (p.timer >= 0) {
                vertx.cancelTimer(p.timer);
            }
            p.promise.tryFail(retriable);
        }
        for (Pending p : waiting) {
            p.promise.tryFail(retriable);
        }
        inFlight.clear();
        waiting.clear();
        if (socket != null) {
            socket.close();
        }
        closed.tryComplete();
    }

    /** Closes the connection; pending requests fail with a {@link DisconnectException}. */
    public void close() {
        loop.run(() -> fail(new DisconnectException("connection to " + this + " closed by the client")));
    }

    public boolean isClosed() {
        return isClosed;
    }

    /** Completes when the connection is closed, for whatever reason. */
    public Future<Void> closeFuture() {
        return closed.future();
    }

    /** True when the socket's write queue is full (the broker reads slower than we write). */
    public boolean writeQueueFull() {
        return socket != null && socket.writeQueueFull();
    }

    public int nodeId() {
        return nodeId;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public String toString() {
        return "broker " + nodeId + " (" + host + ":" + port + ")";
    }

    private static final class Pending {
        final ApiKeys key;
        final short version;
        final ApiMessage body;
        final boolean expectResponse;
        final long timeoutMs;
        final Promise<ApiMessage> promise = Promise.promise();
        int correlationId;
        long timer = -1;

        Pending(ApiKeys key, short version, ApiMessage body, boolean expectResponse, long timeoutMs) {
            this.key = key;
            this.version = version;
            this.body = body;
            this.expectResponse = expectResponse;
            this.timeoutMs = timeoutMs;
        }
    }
}
