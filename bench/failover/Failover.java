import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Failover probe: one partition (RF 3, min.insync.replicas 2), an idempotent acks=all producer sending one
 * record at a time. It writes the partition's leader id to LEADER_FILE; the script kills that broker and writes
 * the kill's CLOCK_MONOTONIC time to MARK_FILE. Prints the longest wait for an acknowledgement after the kill:
 * how long produce stalled.
 *
 * usage: Failover BOOTSTRAP LEADER_FILE MARK_FILE SECONDS
 */
public class Failover {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        Path leaderFile = Path.of(args[1]);
        Path mark = Path.of(args[2]);
        long seconds = Long.parseLong(args[3]);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic("failover", 1, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(60, TimeUnit.SECONDS);
            int leader = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                var p = admin.describeTopics(List.of("failover")).allTopicNames().get().get("failover").partitions().get(0);
                if (p.leader() != null && p.isr().size() == 3) {
                    leader = p.leader().id();
                    break;
                }
                Thread.sleep(100);
            }
            Files.writeString(leaderFile, Integer.toString(leader));
        }
        Map<String, Object> cfg = Map.of("bootstrap.servers", bootstrap, "acks", "all", "enable.idempotence", true,
                "linger.ms", 0, "delivery.timeout.ms", 120000, "request.timeout.ms", 5000,
                "metadata.max.age.ms", 1000, "retry.backoff.ms", 50, "retry.backoff.max.ms", 500);
        long markAt = -1;
        long lastAck = -1;
        long worst = 0;
        long sent = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(cfg, new StringSerializer(), new StringSerializer())) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                producer.send(new ProducerRecord<>("failover", "r" + sent++)).get(120, TimeUnit.SECONDS);
                long now = System.nanoTime();
                if (markAt < 0 && Files.exists(mark)) {
                    String m = Files.readString(mark).trim();
                    markAt = m.isEmpty() ? -1 : Long.parseLong(m); // empty while the script is writing it
                }
                if (markAt > 0 && lastAck > 0) {
                    worst = Math.max(worst, now - Math.max(lastAck, markAt));
                }
                lastAck = now;
                Thread.sleep(5);
            }
        }
        System.out.printf("RESULT records=%d produce_stall_ms=%d%n", sent, TimeUnit.NANOSECONDS.toMillis(worst));
    }
}
