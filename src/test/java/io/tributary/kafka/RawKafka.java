package io.tributary.kafka;

import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ResponseHeader;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * One raw Kafka connection for tests that need a specific API version (the Admin client always picks
 * the newest) or an API the Admin client no longer sends. Requests are written with kafka-clients' own
 * message classes and responses parsed by kafka-clients, so both directions are checked by the reference
 * codec.
 */
public final class RawKafka implements AutoCloseable {
    private final Socket socket;
    private int correlationId;

    public RawKafka(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
    }

    /** Sends {@code body} at {@code version} and returns the parsed response body. */
    @SuppressWarnings("unchecked")
    public <T extends ApiMessage> T call(ApiKeys key, short version, ApiMessage body) throws IOException {
        int cid = ++correlationId;
        socket.getOutputStream().write(frame(key, version, cid, body));
        ByteBuffer rb = readFrame(socket);
        ResponseHeader rh = ResponseHeader.parse(rb, key.responseHeaderVersion(version));
        assertEquals(cid, rh.correlationId(), "correlation id");
        AbstractResponse parsed = AbstractResponse.parseResponse(key, new ByteBufferAccessor(rb), version);
        assertFalse(rb.hasRemaining(), key + " v" + version + " response has trailing bytes");
        return (T) parsed.data();
    }

    /** A whole request frame (size, header, body) written by kafka-clients' own serializers. */
    static byte[] frame(ApiKeys key, short version, int correlationId, ApiMessage body) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("raw-kafka-test");
        short hv = key.requestHeaderVersion(version);
        int size = header.size(cache, hv) + body.size(cache, version);
        ByteBuffer buf = ByteBuffer.allocate(4 + size);
        buf.putInt(size);
        ByteBufferAccessor w = new ByteBufferAccessor(buf);
        header.write(w, cache, hv);
        body.write(w, cache, version);
        return buf.array();
    }

    /** Reads one size-prefixed response frame; the buffer holds header and body. */
    static ByteBuffer readFrame(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return ByteBuffer.wrap(b);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
