package io.tributary.kafka;

import io.tributary.testing.TestNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static io.tributary.kafka.KafkaClientsSupport.producer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, items 1 and 2: what Apache Kafka accepts from real clients. Bytes after a request body are
 * ignored (librdkafka >= 2.1 sends 3 after an all-topics MetadataRequest v13); a batch refused because of
 * some records names them in record_errors, so clients fail only those with INVALID_RECORD.
 */
class LenientRequestsTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir);
        createTopic(node.bootstrap(), "listed", 1, Map.of());
        createTopic(node.bootstrap(), "keyed", 1, Map.of("cleanup.policy", "compact"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void allTopicsMetadataV13WithLibrdkafkasThreeStrayBytesIsAnswered() throws Exception {
        short version = 13;
        byte[] f = RawKafka.frame(ApiKeys.METADATA, version, 9, new MetadataRequestData().setTopics(null));
        // librdkafka 2.1+: three zero bytes after the topic-count placeholder, inside the frame.
        ByteBuffer padded = ByteBuffer.allocate(f.length + 3).putInt(f.length - 4 + 3).put(f, 4, f.length - 4).put(new byte[3]);
        try (Socket s = new Socket("127.0.0.1", node.kafkaPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(padded.array());
            ByteBuffer resp = RawKafka.readFrame(s);
            ResponseHeaderData h = new ResponseHeaderData(new ByteBufferAccessor(resp), ApiKeys.METADATA.responseHeaderVersion(version));
            assertEquals(9, h.correlationId());
            MetadataResponseData body = new MetadataResponseData(new ByteBufferAccessor(resp), version);
            assertTrue(body.topics().stream().anyMatch(t -> "listed".equals(t.name())), "all topics listed: " + body.topics());
            // and the connection stays usable
            s.getOutputStream().write(padded.array());
            assertTrue(RawKafka.readFrame(s).remaining() > 0);
        }
    }

    @Test
    void keylessRecordsInACompactedBatchAreNamedInRecordErrors() throws Exception {
        List<SimpleRecord> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] key = i % 10 == 3 ? null : ("k" + i).getBytes();
            records.add(new SimpleRecord(System.currentTimeMillis(), key, ("v" + i).getBytes()));
        }
        MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, records.toArray(new SimpleRecord[0]));
        ProduceRequestData req = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName("keyed");
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch));
        req.topicData().add(td);
        try (RawKafka raw = new RawKafka(node.kafkaPort())) {
            ProduceResponseData resp = raw.call(ApiKeys.PRODUCE, (short) 9, req);
            ProduceResponseData.PartitionProduceResponse pr = resp.responses().iterator().next().partitionResponses().get(0);
            assertEquals(Errors.INVALID_RECORD.code(), pr.errorCode());
            List<Integer> indexes = pr.recordErrors().stream().map(ProduceResponseData.BatchIndexAndErrorMessage::batchIndex).toList();
            assertEquals(List.of(3, 13, 23, 33, 43, 53, 63, 73, 83, 93), indexes, "each keyless record by its index");
            assertTrue(pr.recordErrors().get(0).batchIndexErrorMessage().startsWith("Compacted topic cannot accept message without key"),
                    pr.recordErrors().get(0).batchIndexErrorMessage());
            assertTrue(pr.errorMessage().startsWith("One or more records have been rejected due to 10 record errors"), pr.errorMessage());
        }
        assertEquals(0L, node.node().logManager().partition(new org.apache.kafka.common.TopicPartition("keyed", 0)).logEndOffset(),
                "nothing of the refused batch was written");
    }

    @Test
    void theJavaProducerFailsOnlyTheKeylessRecordsWithInvalidRecord() throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        // One batch: a long linger and a large batch.size hold all ten records together.
        try (KafkaProducer<String, String> p = producer(node.bootstrap(), Map.of("linger.ms", 500, "batch.size", 1 << 20,
                "retries", 0, "enable.idempotence", false))) {
            for (int i = 0; i < 10; i++) {
                sent.add(p.send(new ProducerRecord<>("keyed", 0, i % 4 == 1 ? null : "k" + i, "v" + i)));
            }
            p.flush();
        }
        for (int i = 0; i < 10; i++) {
            ExecutionException e = assertThrows(ExecutionException.class, sent.get(i)::get);
            if (i % 4 == 1) {
                assertInstanceOf(InvalidRecordException.class, e.getCause(), "record " + i + " has no key");
            } else {
                assertInstanceOf(KafkaException.class, e.getCause());
                assertFalse(e.getCause() instanceof InvalidRecordException,
                        "record " + i + " only shared the batch: " + e.getCause());
            }
        }
    }
}
