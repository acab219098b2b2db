package io.tributary.kafka;

import io.tributary.testing.Poll;
import io.tributary.testing.Processes;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tributary.kafka.KafkaClientsSupport.createTopic;
import static org.junit.jupiter.api.Assertions.*;

/**
 * read_committed against transactional data written the way a coordinator-driven producer writes it: transactional
 * batches through Produce, markers through our WriteTxnMarkers, read back by a real kafka-clients KafkaConsumer at
 * both isolation levels, by ListOffsets and by kcat (librdkafka).
 */
class TransactionalReadTest {
    static final short PRODUCE_V = 11; // names topics (v13 uses ids)
    @TempDir
    static Path dir;
    static TestNode node;
    static RawKafka raw;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(dir);
        raw = new RawKafka(node.kafkaPort());
    }

    @AfterAll
    static void stop() throws Exception {
        if (raw != null) raw.close();
        if (node != null) node.close();
    }

    record Producer(long id, short epoch) {}

    static Producer initProducer() throws Exception {
        InitProducerIdResponseData r = raw.call(ApiKeys.INIT_PRODUCER_ID, (short) 4,
                new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000)
                        .setProducerId(-1).setProducerEpoch((short) -1));
        assertEquals(Errors.NONE.code(), r.errorCode());
        return new Producer(r.producerId(), r.producerEpoch());
    }

    static MemoryRecords txnBatch(Producer p, int seq, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), ("k-" + values[i]).getBytes(StandardCharsets.UTF_8),
                    values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, p.id(), p.epoch(), seq, records);
    }

    /** One Produce of {@code records} to partition 0; the partition's error. */
    static Errors produce(String topic, MemoryRecords records) throws Exception {
        ProduceRequestData req = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000).setTransactionalId("raw-txn");
        req.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        ProduceResponseData resp = raw.call(ApiKeys.PRODUCE, PRODUCE_V, req);
        return Errors.forCode(resp.responses().iterator().next().partitionResponses().get(0).errorCode());
    }

    static WriteTxnMarkersRequestData.WritableTxnMarker marker(Producer p, short epoch, int coordinatorEpoch, boolean commit,
                                                              String topic, Integer... partitions) {
        return new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(p.id()).setProducerEpoch(epoch)
                .setCoordinatorEpoch(coordinatorEpoch).setTransactionResult(commit)
                .setTopics(List.of(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(topic)
                        .setPartitionIndexes(List.of(partitions))));
    }

    /** One WriteTxnMarkers with the given markers; every (topic, partition) error, in request order. */
    static List<Errors> writeMarkers(WriteTxnMarkersRequestData.WritableTxnMarker... markers) throws Exception {
        WriteTxnMarkersResponseData resp = raw.call(ApiKeys.WRITE_TXN_MARKERS, ApiKeys.WRITE_TXN_MARKERS.latestVersion(),
                new WriteTxnMarkersRequestData().setMarkers(List.of(markers)));
        List<Errors> out = new ArrayList<>();
        resp.markers().forEach(m -> m.topics().forEach(t -> t.partitions().forEach(p -> out.add(Errors.forCode(p.errorCode())))));
        return out;
    }

    static void writeMarker(Producer p, boolean commit, String topic) throws Exception {
        assertEquals(List.of(Errors.NONE), writeMarkers(marker(p, p.epoch(), 0, commit, topic, 0)));
    }

    static KafkaConsumer<String, String> consumer(String isolation) {
        return KafkaClientsSupport.consumer(node.bootstrap(), Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
    }

    /** Polls until the consumer's position reaches {@code position}; the values delivered meanwhile. */
    static List<String> pollTo(KafkaConsumer<String, String> c, TopicPartition tp, long position, List<String> into) {
        Poll.until(Duration.ofSeconds(20), "position " + position + " (values so far " + into + ")", () -> {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) into.add(r.value());
            return c.position(tp) >= position;
        });
        return into;
    }

    @Test
    void readCommittedSeesExactlyTheCommittedRecordsAndStopsAtTheOpenTransaction() throws Exception {
        String topic = "txn-read";
        createTopic(node.bootstrap(), topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        Producer p1 = initProducer(), p2 = initProducer();
        assertEquals(Errors.NONE, produce(topic, txnBatch(p1, 0, "c1", "c2")));   // 0-1
        assertEquals(Errors.NONE, produce(topic, txnBatch(p2, 0, "x1", "x2")));   // 2-3
        writeMarker(p1, true, topic);                                             // 4
        writeMarker(p2, false, topic);                                            // 5
        assertEquals(Errors.NONE, produce(topic, txnBatch(p1, 2, "c3")));         // 6
        writeMarker(p1, true, topic);                                             // 7
        assertEquals(Errors.NONE, produce(topic, txnBatch(p2, 2, "o1")));         // 8: stays open
        assertEquals(Errors.NONE, produce(topic, txnBatch(p1, 3, "c4")));         // 9
        writeMarker(p1, true, topic);                                             // 10

        try (KafkaConsumer<String, String> committed = consumer("read_committed");
             KafkaConsumer<String, String> uncommitted = consumer("read_uncommitted")) {
            assertEquals(8L, committed.endOffsets(List.of(tp)).get(tp), "ListOffsets read_committed: the last stable offset");
            assertEquals(11L, uncommitted.endOffsets(List.of(tp)).get(tp), "ListOffsets read_uncommitted: the high watermark");

            committed.assign(List.of(tp));
            List<String> seen = pollTo(committed, tp, 8, new ArrayList<>());
            assertEquals(List.of("c1", "c2", "c3"), seen, "aborted x1, x2 filtered; nothing at or past the open transaction");

            uncommitted.assign(List.of(tp));
            assertEquals(List.of("c1", "c2", "x1", "x2", "c3", "o1", "c4"), pollTo(uncommitted, tp, 11, new ArrayList<>()));

            writeMarker(p2, false, topic);                                        // 11: the open transaction aborts
            assertEquals(12L, committed.endOffsets(List.of(tp)).get(tp));
            assertEquals(List.of("c1", "c2", "c3", "c4"), pollTo(committed, tp, 12, seen), "c4 is released, o1 filtered");
        }

        assertTrue(Processes.onPath("kcat"), "kcat must be installed (bin/install-test-deps installs it)");
        Processes.Result kcat = Processes.run(List.of("kcat", "-C", "-b", node.bootstrap(), "-t", topic, "-p", "0", "-o", "beginning",
                "-e", "-q", "-X", "isolation.level=read_committed", "-f", "%s\n"), null, 60);
        assertEquals(0, kcat.exitCode(), kcat.all());
        assertEquals(List.of("c1", "c2", "c3", "c4"), kcat.stdout().lines().toList(), "librdkafka's read_committed agrees");
    }

    @Test
    void badMarkersAndControlBatchesAreRefusedWithKafkasErrorsAndWriteNothing() throws Exception {
        String topic = "txn-bad";
        createTopic(node.bootstrap(), topic, 1, Map.of());
        Producer p = initProducer();
        InitProducerIdResponseData bumped = raw.call(ApiKeys.INIT_PRODUCER_ID, (short) 4, new InitProducerIdRequestData()
                .setTransactionalId(null).setTransactionTimeoutMs(60_000).setProducerId(p.id()).setProducerEpoch(p.epoch()));
        Producer current = new Producer(bumped.producerId(), bumped.producerEpoch());
        assertEquals(p.epoch() + 1, current.epoch());
        assertEquals(Errors.NONE, produce(topic, txnBatch(current, 0, "d1")));                                 // 0
        long end = node.node().logManager().partition(new TopicPartition(topic, 0)).logEndOffset();

        assertEquals(Errors.INVALID_PRODUCER_EPOCH, produce(topic, txnBatch(p, 0, "zombie")), "a fenced producer's data");
        MemoryRecords control = MemoryRecords.withEndTransactionMarker(current.id(), current.epoch(),
                new EndTransactionMarker(ControlRecordType.COMMIT, 0));
        assertEquals(Errors.INVALID_RECORD, produce(topic, control), "clients may not write control batches");
        assertEquals(List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION),
                writeMarkers(marker(current, current.epoch(), 0, true, "no-such-topic", 0),
                        marker(current, current.epoch(), 0, true, topic, 7)));
        assertEquals(List.of(Errors.INVALID_PRODUCER_EPOCH), writeMarkers(marker(current, p.epoch(), 0, true, topic, 0)),
                "a marker from before the epoch bump");
        assertEquals(List.of(Errors.NONE), writeMarkers(marker(current, current.epoch(), 3, false, topic, 0)));  // 1, coordinator epoch 3
        assertEquals(List.of(Errors.TRANSACTION_COORDINATOR_FENCED), writeMarkers(marker(current, current.epoch(), 2, true, topic, 0)),
                "a marker from an older coordinator");
        var log = node.node().logManager().partition(new TopicPartition(topic, 0));
        assertEquals(end + 1, log.logEndOffset(), "only the valid marker was written");
        assertEquals(end + 1, log.lastStableOffset());
        try (KafkaConsumer<String, String> c = consumer("read_committed")) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            assertEquals(List.of(), pollTo(c, tp, end + 1, new ArrayList<>()), "d1 was aborted");
        }
    }
}
