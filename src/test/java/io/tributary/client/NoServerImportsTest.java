package io.tributary.client;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The client must ship on its own later: no source file under io/tributary/client may refer to any other
 * io.tributary package (imports, static imports or fully qualified names), nor to kafka-clients' KafkaProducer,
 * KafkaConsumer, or ZooKeeper's client object, which would put blocking threads under the reactive API.
 */
class NoServerImportsTest {
    private static final Path ROOT = Path.of("src/main/java/io/tributary/client");
    private static final Pattern SERVER_REF = Pattern.compile("\\bio\\.tributary\\.(?!client\\b)[a-z]\\w*");
    private static final Pattern BLOCKING_CLIENT = Pattern.compile(
            "\\borg\\.apache\\.kafka\\.clients\\.(producer\\.KafkaProducer|consumer\\.KafkaConsumer|admin\\.)"
                    + "|\\borg\\.apache\\.zookeeper\\.(ZooKeeper\\b|ClientCnxn|admin\\.)");

    @Test
    void clientSourcesReferToNoServerPackageAndNoBlockingClient() throws IOException {
        List<String> offences = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(ROOT)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertFalse(files.isEmpty(), "no client sources found under " + ROOT.toAbsolutePath());
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                for (Pattern p : List.of(SERVER_REF, BLOCKING_CLIENT)) {
                    Matcher m = p.matcher(line);
                    if (m.find()) {
                        offences.add(ROOT.relativize(f) + ":" + (i + 1) + ": " + m.group());
                    }
                }
            }
        }
        assertEquals(List.of(), offences, "the client refers to the server or to a blocking client");
    }

    @Test
    void theCheckWouldCatchAServerImport() {
        // Guards the guard: the patterns match what they are meant to.
        assertFalse(!SERVER_REF.matcher("import io.tributary.log.PartitionLog;").find());
        assertFalse(!SERVER_REF.matcher("io.tributary.server.Node n;").find());
        assertFalse(SERVER_REF.matcher("import io.tributary.client.kafka.RxProducer;").find());
        assertFalse(!BLOCKING_CLIENT.matcher("import org.apache.kafka.clients.consumer.KafkaConsumer;").find());
        assertFalse(!BLOCKING_CLIENT.matcher("import org.apache.zookeeper.ZooKeeper;").find());
        assertFalse(BLOCKING_CLIENT.matcher("import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;").find());
    }
}
