package io.tributary.kafka;

import io.tributary.testing.TestNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static io.tributary.kafka.KafkaClientsSupport.producer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile or broken clients get protocol errors or a closed connection; the node keeps serving. */
class BadInputTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir);
        createTopic(node.bootstrap(), "victim", 1, Map.of());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", node.kafkaPort());
        s.setSoTimeout(10_000);
        return s;
    }

    private static boolean closedByPeer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException e) {
            return true; // connection reset
        }
    }

    private static byte[] frame(ApiKeys key, short version, int correlationId, ApiMessage body) {
        return RawKafka.frame(key, version, correlationId, body);
    }

    private static ByteBuffer readResponse(Socket s) throws IOException {
        return RawKafka.readFrame(s);
    }

    @Test
    void randomBytesCloseTheConnection() throws Exception {
        Random rnd = new Random(42);
        for (int i = 0; i < 20; i++) {
            try (Socket s = connect()) {
                byte[] junk = new byte[64 + rnd.nextInt(512)];
                rnd.nextBytes(junk);
                // Keep the size plausible half of the time so the header decoder sees garbage too.
                if (i % 2 == 0) {
                    ByteBuffer.wrap(junk).putInt(junk.length - 4);
                }
                s.getOutputStream().write(junk);
                // A garbage size below the limit makes the server wait for the rest of that frame, as
                // Kafka would; ending our side must then make it close the connection too.
                s.shutdownOutput();
                assertTrue(closedByPeer(s), "garbage closes the connection (round " + i + ")");
            }
        }
        assertNodeStillServes();
    }

    @Test
    void twoGibLengthPrefixIsRejectedBeforeAllocating() throws Exception {
        long before = usedHeapAfterGc();
        for (int i = 0; i < 50; i++) {
            try (Socket s = connect()) {
                new DataOutputStream(s.getOutputStream()).writeInt(Integer.MAX_VALUE);
                s.getOutputStream().write(new byte[1024]);
                assertTrue(closedByPeer(s), "an oversized frame closes the connection");
            }
        }
        long after = usedHeapAfterGc();
        assertTrue(after - before < 64L * 1024 * 1024,
                "heap must not grow with oversized length prefixes: before=" + before + " after=" + after);
        assertNodeStillServes();
    }

    @Test
    void unknownApiKeyClosesTheConnection() throws Exception {
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(12);
            out.writeShort(9999);
            out.writeShort(0);
            out.writeInt(7);
            out.writeShort(-1);
            out.writeShort(0);
            assertTrue(closedByPeer(s));
        }
        assertNodeStillServes();
    }

    @Test
    void unsupportedApiVersionsVersionGetsUnsupportedVersionWithOurRanges() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(frame(ApiKeys.API_VERSIONS, (short) 3, 11, new ApiVersionsRequestData()
                    .setClientSoftwareName("x").setClientSoftwareVersion("1")));
            // Patch nothing: send a second request whose version is beyond what we support.
            byte[] f = frame(ApiKeys.API_VERSIONS, (short) 3, 12, new ApiVersionsRequestData()
                    .setClientSoftwareName("x").setClientSoftwareVersion("1"));
            ByteBuffer.wrap(f).putShort(6, (short) 99);
            s.getOutputStream().write(f);
            ByteBuffer first = readResponse(s);
            assertEquals(11, ResponseHeaderData.class.cast(readHeader(first)).correlationId());
            ByteBuffer second = readResponse(s);
            ResponseHeaderData h = readHeader(second);
            assertEquals(12, h.correlationId());
            ApiVersionsResponseData body = new ApiVersionsResponseData(new ByteBufferAccessor(second), (short) 0);
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), body.errorCode());
            assertTrue(body.apiKeys().find(ApiKeys.PRODUCE.id) != null, "our ranges come with the error");
        }
    }

    private static ResponseHeaderData readHeader(ByteBuffer buf) {
        return new ResponseHeaderData(new ByteBufferAccessor(buf), (short) 0);
    }

    @Test
    void unsupportedVersionOfAnotherApiClosesTheConnection() throws Exception {
        try (Socket s = connect()) {
            byte[] f = frame(ApiKeys.API_VERSIONS, (short) 0, 1, new ApiVersionsRequestData());
            ByteBuffer.wrap(f).putShort(4, ApiKeys.METADATA.id).putShort(6, (short) 77);
            s.getOutputStream().write(f);
            assertTrue(closedByPeer(s));
        }
        assertNodeStillServes();
    }

    @Test
    void batchWithBadCrcGetsCorruptMessage() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(org.apache.kafka.common.compress.Compression.NONE, new SimpleRecord("k".getBytes(), "v".getBytes()));
        ByteBuffer b = records.buffer();
        b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 0x5a)); // flip a byte inside the CRC-covered area
        ProduceRequestData req = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName("victim");
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.readableRecords(b)));
        req.topicData().add(td);
        short version = 9;
        try (Socket s = connect()) {
            s.getOutputStream().write(frame(ApiKeys.PRODUCE, version, 5, req));
            ByteBuffer resp = readResponse(s);
            new ResponseHeaderData(new ByteBufferAccessor(resp), ApiKeys.PRODUCE.responseHeaderVersion(version));
            ProduceResponseData body = new ProduceResponseData(new ByteBufferAccessor(resp), version);
            short code = body.responses().iterator().next().partitionResponses().get(0).errorCode();
            assertEquals(Errors.CORRUPT_MESSAGE.code(), code, "bad CRC is CORRUPT_MESSAGE, got " + Errors.forCode(code));
        }
        assertEquals(0L, endOffset(), "nothing was appended");
        assertNodeStillServes();
    }

    private long endOffset() {
        return node.node().logManager().partition(new org.apache.kafka.common.TopicPartition("victim", 0)).logEndOffset();
    }

    private void assertNodeStillServes() throws Exception {
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of())) {
            p.send(new ProducerRecord<>("still-alive", "ok")).get();
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

}
