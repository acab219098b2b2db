package io.tributary.client.kafka.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * What a producer knows of one topic: its metadata (null until the first lookup answers), the sends that wait for it,
 * whether a lookup is under way, whether a retriable error made the leaders stale, and the sticky partition of
 * keyless records. Touched on the producer's loop only.
 */
public final class ProduceTopic {
    /** A send not yet in a batch: waiting for buffer room or for the topic's metadata. */
    public record Parked(io.tributary.client.kafka.ProduceRecord record, ProduceBatch.Sink sink, int size) {
    }

    public final String name;
    public final List<Parked> waiting = new ArrayList<>();
    public MetadataImage.TopicMeta meta;
    public boolean fetching;
    public boolean stale;
    public int sticky = -1;

    public ProduceTopic(String name) {
        this.name = name;
    }
}
