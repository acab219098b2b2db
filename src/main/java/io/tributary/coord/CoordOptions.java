package io.tributary.coord;

/**
 * Engine settings, with ZooKeeper's names and defaults: {@code tickTime} 2000 ms, session timeouts
 * bounded by {@code minSessionTimeout} (2 ticks) and {@code maxSessionTimeout} (20 ticks),
 * {@code jute.maxbuffer} 1048575 bytes (0xfffff) for a znode's data, {@code snapCount} transactions
 * between snapshots, the container/TTL sweep interval ({@code znode.container.checkIntervalMs}),
 * {@code zookeeper.enforceQuota} (hard quota limits fail writes with QUOTAEXCEEDED; default false) and
 * {@code zookeeper.skipACL} (no ACL is checked; default false).
 */
public record CoordOptions(int tickTime, int minSessionTimeout, int maxSessionTimeout, int maxBuffer,
                           int snapCount, long containerCheckIntervalMs, int serverId, boolean enforceQuota,
                           boolean skipAcl) {
    /** Without quota enforcement and with ACL checks, ZooKeeper's defaults. */
    public CoordOptions(int tickTime, int minSessionTimeout, int maxSessionTimeout, int maxBuffer, int snapCount,
                        long containerCheckIntervalMs, int serverId) {
        this(tickTime, minSessionTimeout, maxSessionTimeout, maxBuffer, snapCount, containerCheckIntervalMs, serverId,
                false, false);
    }

    public static CoordOptions defaults() {
        return new CoordOptions(2000, 4000, 40000, 0xfffff, 100_000, 60_000, 1);
    }

    public CoordOptions withEnforceQuota(boolean enforce) {
        return new CoordOptions(tickTime, minSessionTimeout, maxSessionTimeout, maxBuffer, snapCount,
                containerCheckIntervalMs, serverId, enforce, skipAcl);
    }

    public CoordOptions withSkipAcl(boolean skip) {
        return new CoordOptions(tickTime, minSessionTimeout, maxSessionTimeout, maxBuffer, snapCount,
                containerCheckIntervalMs, serverId, enforceQuota, skip);
    }

    public int negotiate(int requested) {
        return Math.max(minSessionTimeout, Math.min(maxSessionTimeout, requested));
    }
}
