package io.tributary.group;

import io.tributary.kafka.KafkaClientsSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A group consumer in its own JVM, so a test can kill -9 it and watch the coordinator notice only
 * through the missing heartbeats. Prints "ASSIGNED [...]" after every rebalance.
 * Usage: GroupConsumerMain BOOTSTRAP GROUP TOPIC SESSION_TIMEOUT_MS
 */
public final class GroupConsumerMain {
    private GroupConsumerMain() {
    }

    public static void main(String[] args) {
        Map<String, Object> props = Map.of(ConsumerConfig.GROUP_ID_CONFIG, args[1],
                ConsumerConfig.CLIENT_ID_CONFIG, "victim",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.parseInt(args[3]),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
        try (KafkaConsumer<String, String> c = KafkaClientsSupport.consumer(args[0], props)) {
            c.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    System.out.println("ASSIGNED " + c.assignment());
                    System.out.flush();
                }
            });
            while (true) {
                c.poll(Duration.ofMillis(100));
            }
        }
    }
}
