package io.tributary.zk;

import io.tributary.coord.CoordinatorVerticle;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every ZooKeeper listener instance shares: the engine, the settings, the live connections (for
 * the four-letter words and {@code maxClientCnxns}) and server-wide counters. Thread-safe.
 */
public final class ZkServer {
    final CoordinatorVerticle coordinator;
    final String host;
    final int port;
    final int maxBuffer;
    final int maxClientCnxns;
    final int maxInFlight;
    final Set<String> whitelist;
    /** {@code zookeeper.DigestAuthenticationProvider.superDigest}, or null for no super user. */
    final String superDigest;
    final boolean reconfigEnabled;
    final Map<String, String> config;
    final long startedAt = System.currentTimeMillis();
    final Set<ZkConnection> connections = ConcurrentHashMap.newKeySet();
    /** Listener instances started so far; the first one lives on the engine's event loop. */
    final AtomicInteger instances = new AtomicInteger();
    private final Map<String, AtomicInteger> perIp = new ConcurrentHashMap<>();
    final LongAdder packetsReceived = new LongAdder();
    final LongAdder packetsSent = new LongAdder();
    private final LongAdder latencyTotal = new LongAdder();
    private final LongAdder latencyCount = new LongAdder();
    private final AtomicLong latencyMax = new AtomicLong();
    private final AtomicLong latencyMin = new AtomicLong(Long.MAX_VALUE);

    /**
     * @param whitelist       four-letter words allowed ({@code 4lw.commands.whitelist}); "*" allows all
     * @param superDigest     {@code user:base64(sha1(user:password))} of the super user, or null for none
     * @param reconfigEnabled ZooKeeper's {@code reconfigEnabled}: reconfig is then UNIMPLEMENTED (one node
     *                        has no ensemble to change) rather than RECONFIGDISABLED
     * @param config          the node's settings, shown by {@code conf} and {@code envi}
     */
    public ZkServer(CoordinatorVerticle coordinator, String host, int port, int maxBuffer, int maxClientCnxns,
                    int maxInFlight, Set<String> whitelist, String superDigest, boolean reconfigEnabled,
                    Map<String, String> config) {
        this.coordinator = coordinator;
        this.host = host;
        this.port = port;
        this.maxBuffer = maxBuffer;
        this.maxClientCnxns = maxClientCnxns;
        this.maxInFlight = maxInFlight;
        this.whitelist = whitelist;
        this.superDigest = superDigest == null || superDigest.isBlank() ? null : superDigest.trim();
        this.reconfigEnabled = reconfigEnabled;
        this.config = config;
    }

    /** Counts a new connection from {@code ip}; false when it would exceed maxClientCnxns (0 = no limit). */
    boolean admit(String ip) {
        int n = perIp.computeIfAbsent(ip, k -> new AtomicInteger()).incrementAndGet();
        if (maxClientCnxns > 0 && n > maxClientCnxns) {
            release(ip);
            return false;
        }
        return true;
    }

    void release(String ip) {
        AtomicInteger n = perIp.get(ip);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    void recordLatency(long ms) {
        latencyTotal.add(ms);
        latencyCount.increment();
        latencyMax.accumulateAndGet(ms, Math::max);
        latencyMin.accumulateAndGet(ms, Math::min);
    }

    long minLatency() {
        long m = latencyMin.get();
        return m == Long.MAX_VALUE ? 0 : m;
    }

    long maxLatency() {
        return latencyMax.get();
    }

    double avgLatency() {
        long n = latencyCount.sum();
        return n == 0 ? 0 : (double) latencyTotal.sum() / n;
    }

    void resetStats() {
        latencyTotal.reset();
        latencyCount.reset();
        latencyMax.set(0);
        latencyMin.set(Long.MAX_VALUE);
        packetsReceived.reset();
        packetsSent.reset();
    }

    boolean allowed(String word) {
        return whitelist.contains("*") || whitelist.contains(word);
    }
}
