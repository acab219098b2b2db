package io.tributary.cluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/** What the Kafka-on-a-cluster tests share: a deadline-bounded poll that prints the nodes' logs, and describe. */
final class KafkaOnCluster {
    private KafkaOnCluster() {
    }

    /** Polls {@code probe} until it answers non-null (exceptions count as "not yet"), or fails after {@code timeout}. */
    static <T> T await(LocalCluster cluster, String what, Duration timeout, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                T v = probe.get();
                if (v != null) {
                    return v;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(100); // polling interval of a deadline-bounded poll, not a synchronization
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out waiting for " + what + (last == null ? "" : ": " + last) + "\n" + cluster.logs());
    }

    /** One replica's log of a partition in a {@link LocalCluster} under {@code clusterDir}: its segments' bytes in offset order. */
    static byte[] replicaBytes(java.nio.file.Path clusterDir, int node, String topic, int partition) {
        java.nio.file.Path d = clusterDir.resolve("node-" + node).resolve("data").resolve(topic + "-" + partition);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(d)) {
            for (java.nio.file.Path f : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                out.write(java.nio.file.Files.readAllBytes(f));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static TopicDescription describe(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        } catch (InterruptedException | ExecutionException e) {
            throw new RuntimeException(e);
        }
    }
}
