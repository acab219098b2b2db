package io.tributary;

import io.tributary.server.Node;
import io.tributary.server.NodeConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Command-line entry point: {@code java -jar target/tributary.jar [options]}. */
@Command(name = "tributary", mixinStandardHelpOptions = true, version = "Tributary 0.1.0",
        description = "A commit log and coordination service that speaks the Kafka and ZooKeeper protocols.")
public final class Main implements Callable<Integer> {
    @Option(names = "--data-dir", description = "data directory (log.dirs), default ./data")
    Path dataDir;

    @Option(names = "--kafka-port", description = "Kafka protocol port, default 9092")
    Integer kafkaPort;

    @Option(names = "--zk-port", description = "ZooKeeper protocol port, default 2181")
    Integer zkPort;

    @Option(names = "--http-port", description = "HTTP port (REST, /ws, live pages, health), default 8080")
    Integer httpPort;

    @Option(names = "--config", description = "properties file, Kafka's names where they exist")
    Path configFile;

    @Option(names = {"-o", "--override"}, description = "NAME=VALUE, overrides any other source", mapFallbackValue = "")
    Map<String, String> overrides = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> cli = new HashMap<>(overrides);
        if (dataDir != null) {
            cli.put(NodeConfig.LOG_DIRS, dataDir.toString());
        }
        if (kafkaPort != null) {
            cli.put(NodeConfig.KAFKA_PORT, kafkaPort.toString());
        }
        if (zkPort != null) {
            cli.put(NodeConfig.ZK_PORT, zkPort.toString());
        }
        if (httpPort != null) {
            cli.put(NodeConfig.HTTP_PORT, httpPort.toString());
        }
        NodeConfig config = NodeConfig.load(configFile, System.getenv(), cli);
        Node node = new Node(config);
        try {
            node.start().await(10, TimeUnit.MINUTES);
        } catch (Exception e) {
            System.err.println("tributary: failed to start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM / SIGINT run the shutdown hooks: stop listeners, flush, close, mark clean.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.stop().await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("tributary: unclean shutdown: " + e);
            } finally {
                stopped.countDown();
            }
        }, "tributary-shutdown"));
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
