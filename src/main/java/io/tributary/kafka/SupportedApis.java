package io.tributary.kafka;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.EnumMap;
import java.util.Map;

/**
 * The API versions this node advertises in ApiVersions — exactly those it has a handler for, at the
 * ranges the handler supports. Immutable after construction.
 */
public final class SupportedApis {
    private final Map<ApiKeys, ApiHandler> handlers = new EnumMap<>(ApiKeys.class);
    private final Map<ApiKeys, short[]> ranges = new EnumMap<>(ApiKeys.class);

    /** Registers a handler for the full range kafka-clients can parse for this API. */
    public SupportedApis register(ApiKeys key, ApiHandler handler) {
        return register(key, key.oldestVersion(), key.latestVersion(), handler);
    }

    public SupportedApis register(ApiKeys key, short min, short max, ApiHandler handler) {
        handlers.put(key, handler);
        ranges.put(key, new short[]{min, max});
        return this;
    }

    public ApiHandler handler(ApiKeys key) {
        return handlers.get(key);
    }

    /** The advertised range. Produce is special: see {@link #parsable}. */
    public boolean isAdvertised(ApiKeys key, short version) {
        short[] r = ranges.get(key);
        return r != null && version >= r[0] && version <= r[1];
    }

    /** Whether kafka-clients can actually parse this version (Produce v0-2 are advertised, not parsed). */
    public static boolean parsable(ApiKeys key, short version) {
        return version >= key.oldestVersion() && version <= key.latestVersion();
    }

    public ApiVersionCollection toApiVersions() {
        ApiVersionCollection c = new ApiVersionCollection();
        ranges.forEach((k, r) -> c.add(new ApiVersion().setApiKey(k.id).setMinVersion(r[0]).setMaxVersion(r[1])));
        return c;
    }
}
