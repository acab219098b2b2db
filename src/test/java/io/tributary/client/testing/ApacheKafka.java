package io.tributary.client.testing;

import io.tributary.testing.Poll;
import io.tributary.testing.Processes;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka 4.x broker (KRaft, combined broker + controller, single node) in a child JVM, run from the
 * Kafka server jars Maven already put on the test classpath (kafka_2.13 and its modules, the same artifacts
 * {@code bench/fetch-kafka.sh} assembles), configured as {@code bench/start-apache-kafka.sh} configures it. One broker
 * per test JVM at a time, started on first use and stopped by {@link #stopShared} (or at the latest when the JVM
 * exits); its data directory is fresh each time.
 */
public final class ApacheKafka {
    private static ApacheKafka instance;

    private final Process process;
    private final int port;
    private final Path dir;

    private ApacheKafka(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** The shared broker, started if it is not running yet. */
    public static synchronized ApacheKafka get() {
        if (instance == null || !instance.process.isAlive()) {
            instance = start();
            ApacheKafka k = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(k::stop, "apache-kafka-stop"));
        }
        return instance;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    private static ApacheKafka start() {
        try {
            Path dir = Files.createTempDirectory("apache-kafka");
            int port = TestNode.freePort();
            int ctrl = TestNode.freePort();
            Path conf = dir.resolve("server.properties");
            Files.writeString(conf, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + ctrl,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    "controller.quorum.bootstrap.servers=127.0.0.1:" + ctrl,
                    "log.dirs=" + dir.resolve("data"),
                    "num.partitions=1",
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=4",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "num.network.threads=2",
                    "num.io.threads=2",
                    ""));
            Processes.Result fmt = Processes.java("kafka.tools.StorageTool",
                    List.of("format", "--standalone", "-t", uuid(), "-c", conf.toString()), null, 120);
            if (fmt.exitCode() != 0) {
                throw new IllegalStateException("kafka-storage format failed: " + fmt.all());
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx512m");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("kafka.Kafka");
            cmd.add(conf.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("server.log").toFile()).start();
            ApacheKafka k = new ApacheKafka(p, port, dir);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrap(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000))) {
                Poll.until(Duration.ofSeconds(120), "Apache Kafka on port " + port + " to answer (log: "
                        + dir.resolve("server.log") + ")", () -> {
                    if (!p.isAlive()) {
                        throw new AssertionError("Apache Kafka exited: " + k.log());
                    }
                    try {
                        return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 1;
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String uuid() {
        // A Kafka cluster id is a base64 UUID; kafka-storage random-uuid prints one.
        return org.apache.kafka.common.Uuid.randomUuid().toString();
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the shared broker (the next {@link #get} starts a fresh one). */
    public static synchronized void stopShared() {
        if (instance != null) {
            instance.stop();
            instance = null;
        }
    }

    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
