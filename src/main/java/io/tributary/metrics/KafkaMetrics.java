package io.tributary.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.apache.kafka.common.protocol.ApiKeys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * What the Kafka front door counts: {@code tributary_kafka_request_seconds{api}} (a histogram per API, from
 * the frame's arrival to the handler's answer), and per topic {@code tributary_topic_bytes_in_total},
 * {@code tributary_topic_messages_in_total} (appended by Produce) and {@code tributary_topic_bytes_out_total}
 * (record bytes in Fetch responses), Kafka's BytesInPerSec/MessagesInPerSec/BytesOutPerSec as counters.
 *
 * <p>The hot path costs a timer record and a LongAdder add: timers are created once per API and kept in an
 * array, topic counters once per topic. Thread-safe (every Kafka event loop calls in).
 */
public final class KafkaMetrics implements MultiCollector {
    /** Request latency buckets: 0.5 ms to 30 s (a long-polling Fetch waits up to fetch.max.wait.ms). */
    private static final Duration[] BUCKETS = {Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(256);
    private final Map<String, Traffic> topics = new ConcurrentHashMap<>();
    /** Topics to report (the catalog's); a deleted topic's counters are dropped at the next scrape. */
    private volatile Predicate<String> exists = t -> true;

    private static final class Traffic {
        final LongAdder bytesIn = new LongAdder();
        final LongAdder messagesIn = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
    }

    /** No registry: counts nothing (tests that build a broker by hand, {@code tributary.metrics.enabled=false}). */
    public static final KafkaMetrics NONE = new KafkaMetrics(null);

    public KafkaMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void reportOnly(Predicate<String> topicExists) {
        this.exists = topicExists;
    }

    /** A request of {@code api} answered {@code nanos} after its frame arrived. */
    public void request(ApiKeys api, long nanos) {
        if (registry == null || api.id < 0 || api.id >= timers.length()) {
            return;
        }
        Timer t = timers.get(api.id);
        if (t == null) {
            t = Timer.builder("tributary.kafka.request").description("Kafka requests from frame to answer, per API")
                    .tag("api", api.name).serviceLevelObjectives(BUCKETS).register(registry);
            timers.set(api.id, t);
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** {@code records} records, {@code bytes} bytes appended to {@code topic} by a Produce request. */
    public void produced(String topic, long records, int bytes) {
        if (registry == null) {
            return;
        }
        Traffic t = traffic(topic);
        t.bytesIn.add(bytes);
        t.messagesIn.add(records);
    }

    /** {@code bytes} record bytes of {@code topic} put in a Fetch response. */
    public void fetched(String topic, int bytes) {
        if (registry == null || bytes <= 0) {
            return;
        }
        traffic(topic).bytesOut.add(bytes);
    }

    private Traffic traffic(String topic) {
        Traffic t = topics.get(topic);
        return t != null ? t : topics.computeIfAbsent(topic, k -> new Traffic());
    }

    @Override
    public MetricSnapshots collect() {
        Family in = Family.counter("tributary_topic_bytes_in", "Record bytes appended to the topic by Produce requests", "topic");
        Family msgs = Family.counter("tributary_topic_messages_in", "Records appended to the topic by Produce requests", "topic");
        Family out = Family.counter("tributary_topic_bytes_out", "Record bytes of the topic sent in Fetch responses", "topic");
        topics.keySet().removeIf(exists.negate());
        topics.forEach((topic, t) -> {
            in.add(t.bytesIn.sum(), topic);
            msgs.add(t.messagesIn.sum(), topic);
            out.add(t.bytesOut.sum(), topic);
        });
        List<MetricSnapshot> s = new ArrayList<>();
        if (in.size() > 0) {
            s.add(in.snapshot());
            s.add(msgs.snapshot());
            s.add(out.snapshot());
        }
        return new MetricSnapshots(s);
    }
}
