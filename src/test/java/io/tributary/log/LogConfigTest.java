package io.tributary.log;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class LogConfigTest {
    @Test
    void kafkaDefaults() {
        LogConfig c = LogConfig.defaults();
        assertEquals(1073741824L, c.segmentBytes());
        assertEquals(604800000L, c.segmentMs());
        assertEquals(604800000L, c.retentionMs());
        assertEquals(-1L, c.retentionBytes());
        assertEquals(1048588, c.maxMessageBytes());
        assertEquals(Long.MAX_VALUE, c.flushMessages());
        assertEquals(4096, c.indexIntervalBytes());
        assertEquals(10485760, c.segmentIndexBytes());
        assertEquals(60000L, c.fileDeleteDelayMs());
        assertEquals(3600000L, c.timestampAfterMaxMs());
        assertEquals(TimestampType.CREATE_TIME, c.timestampType());
        assertTrue(c.delete());
        assertFalse(c.compact());
        assertEquals("producer", c.compressionType());
        assertEquals("delete", c.valueAsString(TopicConfig.CLEANUP_POLICY_CONFIG));
        assertTrue(c.isDefault(TopicConfig.RETENTION_MS_CONFIG));
        assertEquals(LogConfig.CONFIG_DEF.names(), c.values().keySet());
    }

    @Test
    void brokerPropertiesUseKafkaNamesAndTimeUnitFallbacks() {
        LogConfig c = LogConfig.brokerDefaults(Map.of("log.retention.hours", "1", "log.roll.hours", "2",
            "log.segment.bytes", "2097152", "message.max.bytes", "5000", "log.cleanup.policy", "compact,delete"));
        assertEquals(3_600_000L, c.retentionMs());
        assertEquals(7_200_000L, c.segmentMs());
        assertEquals(2097152L, c.segmentBytes());
        assertEquals(5000, c.maxMessageBytes());
        assertTrue(c.compact() && c.delete());
        assertEquals("compact,delete", c.valueAsString(TopicConfig.CLEANUP_POLICY_CONFIG));
        assertEquals(60_000L, LogConfig.brokerDefaults(Map.of("log.retention.minutes", "1", "log.retention.hours", "5")).retentionMs());
        assertEquals(5L, LogConfig.brokerDefaults(Map.of("log.retention.ms", "5", "log.retention.minutes", "1")).retentionMs());
        assertEquals("log.retention.ms", LogConfig.BROKER_SYNONYMS.get("retention.ms"));
        assertEquals("log.roll.ms", LogConfig.BROKER_SYNONYMS.get("segment.ms"));
    }

    @Test
    void overridesAreValidatedAndTracked() {
        LogConfig d = LogConfig.defaults();
        LogConfig c = LogConfig.fromOverrides(d, Map.of("retention.ms", "1000", "message.timestamp.type", "LogAppendTime"));
        assertEquals(1000L, c.retentionMs());
        assertFalse(c.isDefault("retention.ms"));
        assertTrue(c.isDefault("segment.ms"));
        assertEquals(TimestampType.LOG_APPEND_TIME, c.timestampType());
        assertThrows(ConfigException.class, () -> LogConfig.fromOverrides(d, Map.of("no.such.config", "1")));
        assertThrows(ConfigException.class, () -> LogConfig.fromOverrides(d, Map.of("retention.ms", "abc")));
        assertThrows(ConfigException.class, () -> LogConfig.fromOverrides(d, Map.of("cleanup.policy", "shred")));
        assertThrows(ConfigException.class, () -> LogConfig.fromOverrides(d, Map.of("min.cleanable.dirty.ratio", "2")));
    }

    @Test
    void smallSegmentsOnlyWithTestEscapeHatch() {
        assertThrows(ConfigException.class, () -> LogConfig.fromOverrides(LogConfig.defaults(), Map.of("segment.bytes", "1024")));
        LogConfig unsafe = LogConfig.brokerDefaults(Map.of(LogConfig.UNSAFE_SMALL_SEGMENTS, "true"));
        assertEquals(1024L, LogConfig.fromOverrides(unsafe, Map.of("segment.bytes", "1024")).segmentBytes());
        assertThrows(ConfigException.class, () -> LogConfig.fromOverrides(unsafe, Map.of("segment.bytes", "1023")));
    }

    @Test
    void kafkasOtherTopicConfigsAreAcceptedWithKafkasRules() {
        LogConfig d = LogConfig.defaults();
        LogConfig c = LogConfig.fromOverrides(d, Map.of("leader.replication.throttled.replicas", "0:1,1:1",
            "follower.replication.throttled.replicas", "*", "local.retention.ms", "5", "remote.log.copy.disable", "true"));
        assertEquals("0:1,1:1", c.valueAsString("leader.replication.throttled.replicas"));
        assertEquals("-2", d.valueAsString("local.retention.bytes"));
        ConfigException throttled = assertThrows(ConfigException.class,
            () -> LogConfig.fromOverrides(d, Map.of("leader.replication.throttled.replicas", "abc")));
        assertEquals("Invalid value [abc] for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas "
            + "must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...",
            throttled.getMessage());
        assertEquals("Invalid value 12 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1",
            assertThrows(ConfigException.class, () -> LogConfig.fromOverrides(d, Map.of("compression.gzip.level", "12"))).getMessage());
        assertEquals(9, (Integer) LogConfig.fromOverrides(d, Map.of("compression.gzip.level", "9")).values().get("compression.gzip.level"));
        assertEquals("Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.",
            assertThrows(ConfigException.class, () -> LogConfig.fromOverrides(d, Map.of("remote.storage.enable", "true"))).getMessage());
        assertEquals("Unknown topic config name: foo.bar",
            assertThrows(ConfigException.class, () -> LogConfig.fromOverrides(d, Map.of("foo.bar", "1"))).getMessage());
    }

    @Test
    void negativeBrokerRetentionMeansUnlimitedAsInKafka() {
        assertEquals(-1L, LogConfig.brokerDefaults(Map.of("log.retention.ms", "-5")).retentionMs());
        assertEquals(-1L, LogConfig.brokerDefaults(Map.of("log.retention.hours", "-1")).retentionMs());
    }
}
