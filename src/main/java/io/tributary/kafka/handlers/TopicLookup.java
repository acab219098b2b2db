package io.tributary.kafka.handlers;

import io.tributary.log.TopicInfo;
import org.apache.kafka.common.Uuid;

import java.util.Map;

/** Topic-id to topic lookups over a catalog snapshot (newer protocol versions address topics by id). */
final class TopicLookup {
    private TopicLookup() {
    }

    static TopicInfo byId(Map<String, TopicInfo> catalog, Uuid id) {
        for (TopicInfo t : catalog.values()) {
            if (t.topicId().equals(id)) {
                return t;
            }
        }
        return null;
    }
}
