package io.tributary.kafka;

import io.netty.buffer.ByteBufAllocator;
import io.tributary.net.Framer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One client connection: framing, header decoding, dispatch, and responses written in request order.
 *
 * <p>Three stages, as the conventions ask: the framer reads a 4-byte size and rejects anything above
 * {@code socket.request.max.bytes} (or negative) <em>before</em> buffering the frame; the header decoder
 * answers unknown or unsupported API versions the way Kafka does; dispatch hands the parsed request to
 * the API's handler. Handlers complete asynchronously, so each request gets a slot in a FIFO and
 * responses leave strictly in arrival order. Reading pauses when too many requests are in flight or the
 * socket's write queue is full. Everything runs on the connection's event loop.
 */
public final class KafkaConnection {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnection.class);

    private final NetSocketInternal socket;
    private final Context context;
    private final SupportedApis apis;
    private final int maxRequestBytes;
    private final int maxInFlight;
    private final io.tributary.metrics.KafkaMetrics metrics;
    private final Framer parser;
    private final ArrayDeque<Slot> pending = new ArrayDeque<>();
    private final String clientAddress;
    private final String localHost;
    private final int localPort;
    private boolean closed;
    private boolean pausedForInFlight;
    private boolean pausedForWrites;

    private static final class Slot {
        final int correlationId;
        final short headerVersion;
        final short version;
        ApiMessage response;
        boolean done;

        Slot(int correlationId, short headerVersion, short version) {
            this.correlationId = correlationId;
            this.headerVersion = headerVersion;
            this.version = version;
        }
    }

    KafkaConnection(NetSocket socket, Context context, SupportedApis apis, int maxRequestBytes, int maxInFlight,
                    io.tributary.metrics.KafkaMetrics metrics) {
        this.metrics = metrics;
        this.socket = (NetSocketInternal) socket;
        this.context = context;
        this.apis = apis;
        this.maxRequestBytes = maxRequestBytes;
        this.maxInFlight = maxInFlight;
        this.clientAddress = String.valueOf(socket.remoteAddress());
        this.localHost = socket.localAddress().hostAddress();
        this.localPort = socket.localAddress().port();
        this.parser = new Framer(socket, this::onFrameSize, frame -> {
            if (!closed) {
                onFrame(ByteBuffer.wrap(frame.getBytes()));
            }
        }, t -> closeWith("read failed: " + t));
    }

    void start() {
        socket.closeHandler(v -> closed = true);
        socket.drainHandler(v -> {
            pausedForWrites = false;
            maybeResume();
        });
        parser.start();
    }

    public String clientAddress() {
        return clientAddress;
    }

    public boolean isClosed() {
        return closed;
    }

    /** A request's size prefix: read it only if within socket.request.max.bytes. */
    private boolean onFrameSize(int size) {
        if (closed) {
            return false;
        }
        if (size <= 0 || size > maxRequestBytes) {
            closeWith("request size " + size + " is outside 1.." + maxRequestBytes
                    + " (socket.request.max.bytes); closing before reading it");
            return false;
        }
        return true;
    }

    private void onFrame(ByteBuffer frame) {
        if (frame.remaining() < 8) {
            closeWith("request of " + frame.remaining() + " bytes is shorter than a request header");
            return;
        }
        short keyId = frame.getShort(0);
        short version = frame.getShort(2);
        int correlationId = frame.getInt(4);
        if (!ApiKeys.hasId(keyId)) {
            closeWith("unknown API key " + keyId);
            return;
        }
        ApiKeys key = ApiKeys.forId(keyId);
        if (key == ApiKeys.API_VERSIONS && !apis.isAdvertised(key, version)) {
            // KIP-511: answer an unknown ApiVersions version at v0 with our ranges so the client can pick.
            Slot slot = enqueue(correlationId, (short) 0, (short) 0);
            complete(slot, new ApiVersionsResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                    .setApiKeys(apis.toApiVersions()));
            return;
        }
        ApiHandler handler = apis.handler(key);
        if (handler == null || !apis.isAdvertised(key, version) || !SupportedApis.parsable(key, version)) {
            closeWith("unsupported " + key + " version " + version);
            return;
        }
        RequestHeader header;
        AbstractRequest request;
        try {
            header = RequestHeader.parse(frame);
            RequestAndSize parsed = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(frame));
            request = parsed.request;
        } catch (RuntimeException e) {
            closeWith("malformed " + key + " v" + version + " request: " + e.getMessage());
            return;
        }
        if (frame.hasRemaining() && LOG.isDebugEnabled()) {
            // Apache Kafka ignores bytes after a request body, and real clients send them: librdkafka >= 2.1
            // puts 3 zero bytes after an all-topics MetadataRequest v13's topic count (issue 8).
            LOG.debug("{} v{} request from {} has {} trailing bytes, ignored", key, version, clientAddress, frame.remaining());
        }
        long arrived = System.nanoTime();
        Slot slot = enqueue(correlationId, key.responseHeaderVersion(version), version);
        RequestContext ctx = new RequestContext(header, clientAddress, localHost, localPort, context, this);
        Future<ApiMessage> response;
        try {
            response = handler.handle(ctx, request);
        } catch (Throwable e) {
            // As Kafka's request handler: whatever a handler throws becomes an error response
            // (UNKNOWN_SERVER_ERROR unless it is an ApiException), never a request left unanswered.
            response = Future.failedFuture(e);
        }
        response.onComplete(ar -> {
            metrics.request(key, System.nanoTime() - arrived);
            if (ar.succeeded()) {
                complete(slot, ar.result());
                return;
            }
            Throwable cause = ar.cause();
            if (!(cause instanceof org.apache.kafka.common.errors.ApiException)) {
                LOG.error("{} v{} from {} failed", key, version, clientAddress, cause);
            }
            ApiMessage error;
            try {
                error = request.getErrorResponse(0, cause).data();
            } catch (RuntimeException e) {
                closeWith("no error response for a failed " + key + " v" + version + ": " + e);
                return;
            }
            complete(slot, error);
        });
    }

    private Slot enqueue(int correlationId, short headerVersion, short version) {
        Slot slot = new Slot(correlationId, headerVersion, version);
        pending.addLast(slot);
        if (pending.size() >= maxInFlight && !pausedForInFlight) {
            pausedForInFlight = true;
            parser.pause();
        }
        return slot;
    }

    private void complete(Slot slot, ApiMessage response) {
        slot.response = response;
        slot.done = true;
        flush();
    }

    private void flush() {
        while (!pending.isEmpty() && pending.peekFirst().done) {
            Slot slot = pending.pollFirst();
            if (!closed && slot.response != ApiHandler.NO_RESPONSE) {
                write(slot);
            }
        }
        if (pausedForInFlight && pending.size() < maxInFlight / 2 + 1) {
            pausedForInFlight = false;
            maybeResume();
        }
        if (!closed && socket.writeQueueFull() && !pausedForWrites) {
            pausedForWrites = true;
            parser.pause();
        }
    }

    private void maybeResume() {
        if (!pausedForInFlight && !pausedForWrites && !closed) {
            parser.resume();
        }
    }

    private void write(Slot slot) {
        List<Object> parts;
        try {
            parts = ResponseWriter.frame(ByteBufAllocator.DEFAULT, slot.correlationId, slot.headerVersion, slot.response, slot.version);
        } catch (RuntimeException e) {
            LOG.error("cannot serialize response for {} to {}", slot.response.getClass().getSimpleName(), clientAddress, e);
            closeWith("response serialization failed");
            return;
        }
        for (Object part : parts) {
            Object msg = part instanceof RecordsRegion region ? new SegmentFileRegion(region) : part;
            socket.writeMessage(msg).onFailure(t -> closeWith("write failed: " + t.getMessage()));
        }
    }

    /** Closes the connection with a log line saying why; other connections are unaffected. */
    public void closeWith(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        LOG.warn("closing Kafka connection from {}: {}", clientAddress, reason);
        pending.clear();
        socket.close();
    }
}
