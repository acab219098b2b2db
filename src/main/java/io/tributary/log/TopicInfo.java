package io.tributary.log;

import org.apache.kafka.common.Uuid;

import java.util.Map;

/** Catalog entry of a topic: id, partition count, topic-level overrides and the effective config. Immutable. */
public record TopicInfo(String name, Uuid topicId, int partitions, Map<String, String> configOverrides, LogConfig config) {
    public TopicInfo {
        configOverrides = Map.copyOf(configOverrides);
    }
}
