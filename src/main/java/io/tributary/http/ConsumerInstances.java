package io.tributary.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's REST Proxy v2 consumer instances, by group and instance id, shared by every HTTP listener
 * instance (a request may arrive on any of them). Bounded ({@link #MAX_INSTANCES}); an instance idle for
 * {@code consumer.instance.timeout.ms} is closed by {@link #expire}, which each listener runs periodically.
 * Thread-safe.
 */
final class ConsumerInstances {
    static final int MAX_INSTANCES = 10_000;

    private final Map<String, ConsumerInstance> byKey = new ConcurrentHashMap<>();

    private static String key(String group, String id) {
        return group + '\u0000' + id;
    }

    /** Registers {@code c}; 40902 when its id is taken in its group, 42902 past the bound. */
    void add(ConsumerInstance c) {
        if (byKey.size() >= MAX_INSTANCES) {
            throw new Rest.Refused(42902, "Too many consumer instances on this node (" + MAX_INSTANCES + ")");
        }
        if (byKey.putIfAbsent(key(c.group, c.id), c) != null) {
            throw new Rest.Refused(40902, "Consumer with specified consumer ID already exists in the specified consumer group.");
        }
    }

    /** The instance, or 40403. */
    ConsumerInstance get(String group, String id) {
        ConsumerInstance c = byKey.get(key(group, id));
        if (c == null) {
            throw ConsumerInstance.notFound();
        }
        return c;
    }

    /** Removes and closes the instance, or 40403. */
    void delete(String group, String id) {
        ConsumerInstance c = byKey.remove(key(group, id));
        if (c == null) {
            throw ConsumerInstance.notFound();
        }
        c.close();
    }

    /** Closes every instance idle for longer than {@code timeoutMs}. */
    void expire(long timeoutMs) {
        long now = System.currentTimeMillis();
        byKey.entrySet().removeIf(e -> {
            if (e.getValue().idle(now, timeoutMs)) {
                e.getValue().close();
                return true;
            }
            return false;
        });
    }

    int size() {
        return byKey.size();
    }
}
