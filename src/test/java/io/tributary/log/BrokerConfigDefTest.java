package io.tributary.log;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerConfigDefTest {
    private static String refused(Map<String, String> layer) {
        return assertThrows(ConfigException.class, () -> BrokerConfigDef.validateDynamic(layer)).getMessage();
    }

    @Test
    void onlyTheTopicDefaultsChangeAtRuntimeAsInKafka() {
        assertTrue(BrokerConfigDef.DYNAMIC.containsAll(LogConfig.BROKER_SYNONYMS.values()));
        assertFalse(BrokerConfigDef.DYNAMIC.contains("log.retention.hours"), "Kafka refuses the coarse units at runtime");
        assertEquals("Cannot update these configs dynamically: [log.dirs, log.retention.hours]",
            refused(Map.of("log.retention.hours", "2", "log.dirs", "/x", "log.retention.ms", "1")));
        assertEquals("Cannot update these configs dynamically: [no.such.config]", refused(Map.of("no.such.config", "1")));
    }

    @Test
    void valuesAreCheckedAgainstKafkasBrokerDefinitions() {
        assertEquals("Invalid value abc for configuration log.retention.ms: Not a number of type LONG",
            refused(Map.of("log.retention.ms", "abc")));
        assertEquals("Invalid value 100 for configuration log.segment.bytes: Value must be at least 1048576",
            refused(Map.of("log.segment.bytes", "100")));
        assertEquals("Invalid value bogus for configuration log.cleanup.policy: String must be one of: compact, delete",
            refused(Map.of("log.cleanup.policy", "bogus")));
        // Kafka's broker properties are looser than the topic configs in places: no bound on log.retention.ms.
        assertDoesNotThrow(() -> BrokerConfigDef.validateDynamic(Map.of("log.retention.ms", "-5", "log.cleanup.policy", "compact,delete")));
    }

    @Test
    void kafkasSynonymsAndDefaults() {
        assertEquals(List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours"), BrokerConfigDef.synonyms("log.retention.hours"));
        assertEquals(List.of("log.roll.ms", "log.roll.hours"), BrokerConfigDef.synonyms("log.roll.ms"));
        assertEquals(List.of("log.flush.interval.ms", "log.flush.scheduler.interval.ms"), BrokerConfigDef.synonyms("log.flush.interval.ms"));
        assertEquals(List.of("message.max.bytes"), BrokerConfigDef.synonyms("message.max.bytes"));
        assertNull(BrokerConfigDef.setting("log.retention.ms").kafkaDefault());
        assertEquals("168", BrokerConfigDef.setting("log.retention.hours").kafkaDefault());
        assertEquals("delete", BrokerConfigDef.setting("log.cleanup.policy").kafkaDefault());
        assertEquals("134217728", BrokerConfigDef.setting("log.cleaner.dedupe.buffer.size").kafkaDefault());
        assertEquals(Long.toString(LogCleaner.Config.DEFAULT_DEDUPE_BUFFER_SIZE),
            BrokerConfigDef.setting("log.cleaner.dedupe.buffer.size").tributaryDefault());
    }
}
