package io.tributary.http;

import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tail whose browser stops reading while 1 GiB is appended (issue 11, must-show 3; the size can be lowered
 * with -Dtributary.test.slowReaderMiB for a quick local run): the node pauses that tail's log reads at {@code http.ws.max.queued.bytes}, so its heap
 * does not grow with the backlog; another socket tailing the same topic receives every record meanwhile;
 * and when the slow client reads again it gets every record, in order, none twice.
 */
class WsSlowReaderTest {
    static final int VALUE_BYTES = 16 * 1024;
    static final int MIB = Integer.getInteger("tributary.test.slowReaderMiB", 1024);
    static final int RECORDS = MIB * 1024 * 1024 / VALUE_BYTES;

    @TempDir
    static Path dir;
    static TestNode node;
    static Vertx vertx;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of("offsets.topic.num.partitions", "1", "http.ws.max.queued.bytes", "1048576"));
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
        node.close();
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Reads {@code n} record frames of {@code id}, checking offsets run 0..n-1 with nothing kept in memory. */
    static void readAllInOrder(WsClient c, String id, int n) {
        long expected = 0;
        while (expected < n) {
            JsonObject f = c.nextFor(id);
            if (!"record".equals(f.getString("type"))) {
                continue;
            }
            assertEquals(expected, f.getLong("offset"), "in order, none missing, none twice");
            expected++;
        }
    }

    @Test
    void aSlowBrowserSlowsOnlyItselfAndGetsEveryRecordWhenItReadsAgain() throws Exception {
        KafkaClientsSupport.createTopic(node.bootstrap(), "firehose", 1, Map.of());
        JsonObject sub = new JsonObject().put("type", "subscribe").put("id", "t")
                .put("tail", new JsonObject().put("topic", "firehose").put("from", "earliest"));
        try (WsClient slow = WsClient.connect(vertx, node.httpPort()); WsClient fast = WsClient.connect(vertx, node.httpPort())) {
            slow.send(sub);
            fast.send(sub);
            slow.nextFor("t");
            fast.nextFor("t");
            slow.ws.pause();
            long before = usedHeapAfterGc();

            java.util.concurrent.atomic.AtomicReference<Throwable> fastFailure = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean fastDone = new java.util.concurrent.atomic.AtomicBoolean();
            Thread fastReader = new Thread(() -> {
                try {
                    readAllInOrder(fast, "t", RECORDS);
                    fastDone.set(true);
                } catch (Throwable t) {
                    fastFailure.set(t);
                }
            });
            fastReader.start();
            String value = "v".repeat(VALUE_BYTES);
            try (KafkaProducer<String, String> p = KafkaClientsSupport.producer(node.bootstrap(),
                    Map.of(ProducerConfig.BUFFER_MEMORY_CONFIG, 4 * 1024 * 1024L, ProducerConfig.LINGER_MS_CONFIG, 5))) {
                for (int i = 0; i < RECORDS; i++) {
                    p.send(new ProducerRecord<>("firehose", 0, null, value));
                }
                p.flush();
            }
            fastReader.join(600_000);
            if (fastFailure.get() != null) {
                throw new AssertionError("the fast socket", fastFailure.get());
            }
            assertTrue(fastDone.get(), "the fast socket received every record while the slow one was stalled");
            long during = usedHeapAfterGc();
            long growth = during - before;
            // MIB MiB are in the log and unread by the slow socket; the node holds at most its queue bound and a read
            System.out.println("heap growth with " + MIB + " MiB unread by a stalled socket: " + (growth >> 10) + " KiB");
            assertTrue(growth < 32L * 1024 * 1024, "heap grew by " + (growth >> 20) + " MiB with " + MIB + " MiB unread");

            slow.ws.resume();
            readAllInOrder(slow, "t", RECORDS);
        }
    }
}
