package io.tributary.group;

import io.tributary.kafka.KafkaClientsSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * A real kafka-clients consumer in a group, polling on its own thread (KafkaConsumer is single-threaded)
 * and recording what the rebalance listener tells it: the partitions it owns now, and every partition
 * ever revoked from it. Work that must run on the consumer's thread (commits) goes through {@link #run}.
 */
final class GroupMember implements AutoCloseable {
    static final Map<String, Object> FAST = Map.of(
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3000,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

    final String name;
    private final Thread thread;
    private volatile boolean running = true;
    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    final List<TopicPartition> revoked = Collections.synchronizedList(new ArrayList<>());
    final List<ConsumerRecord<String, String>> records = Collections.synchronizedList(new ArrayList<>());
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile KafkaConsumer<String, String> consumer;
    private volatile Throwable failure;

    GroupMember(String name, String bootstrap, String group, String topic, Map<String, Object> extra) {
        this.name = name;
        Map<String, Object> props = new HashMap<>(FAST);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        props.putAll(extra);
        thread = new Thread(() -> loop(bootstrap, topic, props), "member-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(String bootstrap, String topic, Map<String, Object> props) {
        try (KafkaConsumer<String, String> c = KafkaClientsSupport.consumer(bootstrap, props)) {
            consumer = c;
            c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    revoked.addAll(partitions);
                    owned.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    owned.addAll(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    owned.removeAll(partitions);
                }
            });
            while (running) {
                c.poll(Duration.ofMillis(100)).forEach(records::add);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Runs {@code work} on the consumer's thread and waits for its result. */
    <T> T run(Function<KafkaConsumer<String, String>, T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(work.apply(consumer));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(name + ": task failed", e);
        }
    }

    /** The partitions this member owns now (a sorted copy). */
    Set<TopicPartition> owned() {
        Set<TopicPartition> s = new TreeSet<>(Comparators.TP);
        s.addAll(owned);
        return s;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static final class Comparators {
        static final java.util.Comparator<TopicPartition> TP =
                java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

        private Comparators() {
        }
    }
}
