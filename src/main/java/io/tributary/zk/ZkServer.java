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
    /** Requests per ZooKeeper {@code op_count_*} name (ZooKeeper's ServerMetrics), counted when decoded. */
    private final Map<String, LongAdder> opCounts = new ConcurrentHashMap<>();
    private volatile LatencyObserver latencyObserver = LatencyObserver.NONE;

    /** Where answered requests' latencies go besides mntr's min/avg/max (metrics: readlatency, updatelatency). */
    public interface LatencyObserver {
        LatencyObserver NONE = (write, ms) -> { };

        /** @param write whether the request changed state (ZooKeeper's updatelatency), else a read */
        void answered(boolean write, long ms);
    }

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

    /** Installs the observer of request latencies (before the listener opens). */
    public void observeLatency(LatencyObserver observer) {
        this.latencyObserver = observer == null ? LatencyObserver.NONE : observer;
    }

    void countOp(int type) {
        String name = OpCodes.metricName(type);
        if (name != null) {
            opCounts.computeIfAbsent(name, k -> new LongAdder()).increment();
        }
    }

    /** Requests counted so far per {@code op_count_*} suffix (create, get_data, ...); a copy. */
    public Map<String, Long> opCounts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        opCounts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    void recordLatency(int type, long ms) {
        recordLatency(ms);
        latencyObserver.answered(OpCodes.isWrite(type), ms);
    }

    void recordLatency(long ms) {
        latencyTotal.add(ms);
        latencyCount.increment();
        latencyMax.accumulateAndGet(ms, Math::max);
        latencyMin.accumulateAndGet(ms, Math::min);
    }

    public long packetsReceived() {
        return packetsReceived.sum();
    }

    public long packetsSent() {
        return packetsSent.sum();
    }

    public int aliveConnections() {
        return connections.size();
    }

    /** Requests read but not answered yet, over every connection (mntr's zk_outstanding_requests). */
    public long outstandingRequests() {
        long n = 0;
        for (ZkConnection c : connections) {
            n += c.queued();
        }
        return n;
    }

    public long uptimeMs() {
        return System.currentTimeMillis() - startedAt;
    }

    public CoordinatorVerticle coordinator() {
        return coordinator;
    }

    public long minLatency() {
        long m = latencyMin.get();
        return m == Long.MAX_VALUE ? 0 : m;
    }

    public long maxLatency() {
        return latencyMax.get();
    }

    public double avgLatency() {
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
