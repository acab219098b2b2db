package io.tributary.http;

import io.tributary.kafka.KafkaClientsSupport;
import io.tributary.testing.InteractiveProcess;
import io.tributary.testing.TestNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real browser on the two live pages: headless Chromium (Debian's {@code chromium}, driven by
 * {@code playwright-core} from npm, both installed by {@code bin/install-test-deps}) shows a znode the
 * ZooKeeper Java client creates and changes, and records a {@code KafkaProducer} writes, each within a
 * deadline. Screenshots are kept in {@code target/live-watch.png} and {@code target/live-tail.png}.
 */
class HttpLivePagesBrowserTest {
    static final Path PLAYWRIGHT = Path.of(".cache/playwright/node_modules");

    @TempDir
    Path dir;

    @Test
    void theWatchAndTailPagesShowChangesMadeByRealClients() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "chromium is installed by bin/install-test-deps");
        assertTrue(Files.isDirectory(PLAYWRIGHT.resolve("playwright-core")), "playwright-core is installed by bin/install-test-deps");
        Files.createDirectories(Path.of("target"));
        try (TestNode node = TestNode.start(dir.resolve("node"), Map.of("offsets.topic.num.partitions", "1"))) {
            CountDownLatch up = new CountDownLatch(1);
            ZooKeeper zk = new ZooKeeper(node.zkConnect(), 30_000, e -> {
                if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                    up.countDown();
                }
            });
            assertTrue(up.await(20, TimeUnit.SECONDS));
            zk.create("/browser", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            KafkaClientsSupport.createTopic(node.bootstrap(), "browser-tail", 2, Map.of());

            List<String> cmd = List.of("env", "NODE_PATH=" + PLAYWRIGHT.toAbsolutePath(), "node",
                    Path.of("src/test/node/live-pages.js").toAbsolutePath().toString(), node.httpBase(), "/browser",
                    "browser-tail", Path.of("target").toAbsolutePath().toString(), dir.resolve("profile").toString());
            try (InteractiveProcess browser = InteractiveProcess.start(cmd);
                 KafkaProducer<String, String> producer = KafkaClientsSupport.producer(node.bootstrap(), Map.of())) {
                Duration deadline = Duration.ofSeconds(60);
                await(browser, "WATCH_READY", deadline);
                zk.create("/browser/item", "hello-from-zk".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
                await(browser, "WATCH_SAW_CREATE", deadline);
                zk.setData("/browser/item", "changed-by-zk".getBytes(StandardCharsets.UTF_8), -1);
                await(browser, "WATCH_SAW_CHANGE", deadline);

                await(browser, "TAIL_READY", deadline);
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>("browser-tail", "key-" + i, "record-from-kafka-" + i)).get();
                }
                await(browser, "TAIL_SAW_RECORDS", deadline);
                assertEquals(0, browser.awaitExit(Duration.ofSeconds(30)), browser.output());
            } finally {
                zk.close();
            }
        }
        assertTrue(Files.size(Path.of("target/live-watch.png")) > 1000, "watch screenshot");
        assertTrue(Files.size(Path.of("target/live-tail.png")) > 1000, "tail screenshot");
    }

    private static void await(InteractiveProcess browser, String marker, Duration timeout) {
        browser.awaitSince(0, timeout, marker + " (browser output so far below)",
                out -> out.contains(marker + "\n") || out.contains("FAILED"));
        if (!browser.output().contains(marker + "\n")) {
            throw new AssertionError("the browser failed before " + marker + ":\n" + browser.output());
        }
    }
}
