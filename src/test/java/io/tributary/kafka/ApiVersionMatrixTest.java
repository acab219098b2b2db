package io.tributary.kafka;

import io.tributary.testing.TestNode;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every API at every version we advertise: a request serialized by kafka-clients' own writer is
 * answered, and the answer parses with kafka-clients' own reader at that version with the right
 * correlation id. Catches fields set at versions that do not have them, and advertised versions we
 * cannot actually serve.
 */
class ApiVersionMatrixTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static void send(Socket s, ApiKeys key, short version, int correlationId, ApiMessage body) throws IOException {
        s.getOutputStream().write(RawKafka.frame(key, version, correlationId, body));
    }

    private static ByteBuffer receive(Socket s) throws IOException {
        return RawKafka.readFrame(s);
    }

    @Test
    void everyAdvertisedVersionAnswersParseably() throws Exception {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (Socket s = new Socket("127.0.0.1", node.kafkaPort())) {
            s.setSoTimeout(10_000);
            send(s, ApiKeys.API_VERSIONS, (short) 3, 1, new ApiVersionsRequestData()
                    .setClientSoftwareName("matrix").setClientSoftwareVersion("1.0"));
            ByteBuffer r = receive(s);
            new ResponseHeaderData(new ByteBufferAccessor(r), (short) 0);
            ApiVersionsResponseData versions = new ApiVersionsResponseData(new ByteBufferAccessor(r), (short) 3);
            int correlation = 100;
            for (ApiVersionsResponseData.ApiVersion v : versions.apiKeys()) {
                ApiKeys key = ApiKeys.forId(v.apiKey());
                for (short version = (short) Math.max(v.minVersion(), key.oldestVersion()); version <= v.maxVersion(); version++) {
                    ApiMessage request = ApiMessageType.fromApiKey(key.id).newRequest();
                    if (request instanceof ApiVersionsRequestData av) {
                        av.setClientSoftwareName("matrix").setClientSoftwareVersion("1.0");
                    }
                    if (request instanceof org.apache.kafka.common.message.ProduceRequestData pr) {
                        pr.setAcks((short) 1); // the default, acks=0, has no response
                    }
                    if (key == ApiKeys.INIT_PRODUCER_ID) {
                        ((org.apache.kafka.common.message.InitProducerIdRequestData) request).setTransactionalId(null)
                                .setTransactionTimeoutMs(60000);
                    }
                    int id = correlation++;
                    try {
                        send(s, key, version, id, request);
                        ByteBuffer resp = receive(s);
                        ResponseHeaderData h = new ResponseHeaderData(new ByteBufferAccessor(resp), key.responseHeaderVersion(version));
                        AbstractResponse.parseResponse(key, new ByteBufferAccessor(resp), version);
                        if (h.correlationId() != id) {
                            failures.add(key + " v" + version + ": correlation " + h.correlationId() + " != " + id);
                        }
                        checked++;
                    } catch (Exception e) {
                        failures.add(key + " v" + version + ": " + e);
                        break;
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), "failures: " + failures);
        assertTrue(checked > 50, "checked " + checked + " api/version pairs");
    }

    @Test
    void produceV0ToV2AreAdvertisedButRefused() throws Exception {
        // librdkafka looks for a Produce range starting at 0; Kafka 4 advertises it and refuses the request.
        try (Socket s = new Socket("127.0.0.1", node.kafkaPort())) {
            s.setSoTimeout(10_000);
            send(s, ApiKeys.API_VERSIONS, (short) 0, 1, new ApiVersionsRequestData());
            ByteBuffer r = receive(s);
            new ResponseHeaderData(new ByteBufferAccessor(r), (short) 0);
            ApiVersionsResponseData versions = new ApiVersionsResponseData(new ByteBufferAccessor(r), (short) 0);
            assertEquals(0, versions.apiKeys().find(ApiKeys.PRODUCE.id).minVersion());
            assertTrue(versions.apiKeys().find(ApiKeys.PRODUCE.id).maxVersion() >= 8,
                    "kafka-python 2.0.2 needs Produce >= 8 advertised to guess a modern broker");
        }
    }
}
