package io.tributary.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DynamicBrokerConfigStoreTest {
    @Test
    void savedLayersLoadBackOverTheStaticProperties(@TempDir Path dir) throws Exception {
        DynamicBrokerConfigStore store = new DynamicBrokerConfigStore(dir);
        store.save(new BrokerConfigLayers(Map.of("log.retention.ms", "1000"), Map.of("log.segment.bytes", "2097152"), Map.of()));
        BrokerConfigLayers loaded = store.load(Map.of("num.partitions", "3"));
        assertEquals(Map.of("log.retention.ms", "1000"), loaded.node());
        assertEquals(Map.of("log.segment.bytes", "2097152"), loaded.clusterDefault());
        assertEquals(Map.of("num.partitions", "3"), loaded.staticProps());
    }

    @Test
    void entriesThatWouldBeRefusedTodayAreDroppedAtLoadInsteadOfStoppingTheNode(@TempDir Path dir) throws Exception {
        // Earlier versions accepted these (a cluster-wide value hidden by this node's, the coarse time units).
        Files.createDirectories(dir.resolve("meta"));
        Files.writeString(dir.resolve("meta").resolve("dynamic-broker.properties"),
                "cluster.log.retention.ms=abc\ncluster.log.segment.bytes=2097152\nnode.log.retention.hours=2\nnode.log.roll.ms=0\n"
                        + "node.message.max.bytes=5000\n");
        BrokerConfigLayers loaded = new DynamicBrokerConfigStore(dir).load(Map.of());
        assertEquals(Map.of("log.segment.bytes", "2097152"), loaded.clusterDefault());
        assertEquals(Map.of("message.max.bytes", "5000"), loaded.node());
        LogConfig.brokerDefaults(loaded.effective()); // what the node derives its topic defaults from at start
    }
}
