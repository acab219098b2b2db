package io.tributary.coord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * ZooKeeper's quotas, kept where and how ZooKeeper keeps them (its {@code Quotas}, {@code StatsTrack}
 * and the quota half of {@code DataTree}): a quota on path P is the znode
 * {@code /zookeeper/quota/P/zookeeper_limits}, whose data holds the limits ({@code count=10,bytes=-1},
 * since ZooKeeper 3.7 also {@code ;countHardLimit=..;byteHardLimit=..}; -1 = none), and
 * {@code /zookeeper/quota/P/zookeeper_stats} holds {@code count=N,bytes=M} for P's subtree, P included.
 *
 * <p>This class knows the set of quota roots (ZooKeeper's path trie: a root is registered when its
 * limit node is indexed, so it follows creates, deletes, multi rollback and snapshot loads), finds the
 * deepest root above a path (a node counts against that quota only; zkCli's setquota refuses nested
 * quotas), computes new stats data, recounts a subtree, and checks a write against the limits as
 * ZooKeeperServer.checkQuota does. {@link ZnodeTree} applies the stats changes (so an undo can restore
 * them): they are derived state, changed in place without a version bump or a watch, as in ZooKeeper.
 *
 * <p>Coordinator thread only.
 */
final class Quotas {
    private static final Logger LOG = LoggerFactory.getLogger(Quotas.class);
    static final String LIMIT_NODE = "zookeeper_limits";
    static final String STAT_NODE = "zookeeper_stats";
    private static final String UNDER = Paths.QUOTA + "/";
    private static final Pattern PAIRS = Pattern.compile("[,;]+");
    /** Quota warnings are at most one a second (ZooKeeper rate-limits them too), the rest counted. */
    private static final long WARN_INTERVAL_NANOS = 1_000_000_000L;

    private final CoordStore store;
    private final Set<String> roots = new HashSet<>();
    private long lastWarn;
    private boolean warned;
    private int suppressed;

    Quotas(CoordStore store) {
        this.store = store;
    }

    static String limitPath(String root) {
        return Paths.QUOTA + root + "/" + LIMIT_NODE;
    }

    static String statPath(String root) {
        return Paths.QUOTA + root + "/" + STAT_NODE;
    }

    /**
     * The quota root that {@code path} is the limit or stat node of ({@code name}), or null. A node
     * directly under {@code /zookeeper/quota} names no root (ZooKeeper skips such stray nodes).
     */
    static String rootOf(String path, String name) {
        if (!path.startsWith(UNDER) || !path.endsWith("/" + name)) {
            return null;
        }
        String root = path.substring(Paths.QUOTA.length(), path.length() - name.length() - 1);
        return root.isEmpty() ? null : root;
    }

    /** Index hook: a limit node appeared (create, undo, snapshot load). */
    void indexed(String path) {
        String root = rootOf(path, LIMIT_NODE);
        if (root != null) {
            roots.add(root);
        }
    }

    /** Index hook: a limit node went away. */
    void unindexed(String path) {
        String root = rootOf(path, LIMIT_NODE);
        if (root != null) {
            roots.remove(root);
        }
    }

    void clear() {
        roots.clear();
    }

    Set<String> roots() {
        return new HashSet<>(roots);
    }

    /** The deepest quota root at or above {@code path}, or null; never the root znode (ZooKeeper's getMaxPrefixWithQuota). */
    String rootFor(String path) {
        if (roots.isEmpty()) {
            return null;
        }
        for (String p = path; !p.equals(Paths.ROOT); p = Paths.parent(p)) {
            if (roots.contains(p)) {
                return p;
            }
        }
        return null;
    }

    /** Stats data after a change of {@code bytes} and {@code count}, or null if the current data does not parse. */
    static byte[] adjusted(byte[] stats, long bytes, long count) {
        Track t = Track.parse(stats);
        if (t == null) {
            return null;
        }
        t.values.put(Track.COUNT, t.get(Track.COUNT) + count);
        t.values.put(Track.BYTES, t.get(Track.BYTES) + bytes);
        return t.bytes();
    }

    /** Fresh stats data for the subtree at {@code root}: node count and data bytes (ZooKeeper's updateQuotaForPath). */
    byte[] recount(String root) {
        long count = 0;
        long bytes = 0;
        ArrayDeque<String> todo = new ArrayDeque<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            String p = todo.poll();
            DataNode n = store.get(p);
            if (n == null) {
                continue;
            }
            count++;
            bytes += DataNode.length(n.data);
            for (String child : n.children) {
                todo.add(Paths.child(p, child));
            }
        }
        Track t = new Track();
        t.values.put(Track.COUNT, count);
        t.values.put(Track.BYTES, bytes);
        return t.bytes();
    }

    /**
     * ZooKeeperServer.checkQuota for a create ({@code countDiff} 1) or setData ({@code countDiff} 0) at
     * {@code path}: the hard limit is compared when there is one, else the soft limit; exceeding either
     * logs a warning, and exceeding a hard limit fails the write when {@code enforce} is set.
     *
     * @throws CoordException QUOTAEXCEEDED with the quota root as its message
     */
    void check(String path, long bytesDiff, long countDiff, boolean enforce) throws CoordException {
        String root = rootFor(path);
        if (root == null) {
            return;
        }
        DataNode limitNode = store.get(limitPath(root));
        Track limits = limitNode == null ? null : Track.parse(limitNode.data);
        if (limits == null) {
            warn("Quota limits of " + root + " do not parse; not checked");
            return;
        }
        boolean checkCount = countDiff != 0 && (limits.get(Track.COUNT) > -1 || limits.get(Track.COUNT_HARD) > -1);
        boolean checkBytes = bytesDiff != 0 && (limits.get(Track.BYTES) > -1 || limits.get(Track.BYTES_HARD) > -1);
        if (!checkCount && !checkBytes) {
            return;
        }
        DataNode statNode = store.get(statPath(root));
        Track current = statNode == null ? null : Track.parse(statNode.data);
        if (current == null) {
            warn("Missing or unreadable quota stats node " + statPath(root) + "; not checked");
            return;
        }
        if (checkCount) {
            exceeds(root, "count", "Count", current.get(Track.COUNT) + countDiff, limits.get(Track.COUNT_HARD),
                    limits.get(Track.COUNT), enforce);
        }
        if (checkBytes) {
            exceeds(root, "bytes", "Byte", current.get(Track.BYTES) + bytesDiff, limits.get(Track.BYTES_HARD),
                    limits.get(Track.BYTES), enforce);
        }
    }

    private void exceeds(String root, String what, String kind, long value, long hardLimit, long softLimit,
                         boolean enforce) throws CoordException {
        boolean hard = hardLimit > -1;
        long limit = hard ? hardLimit : softLimit;
        if (value <= limit) {
            return;
        }
        // ZooKeeper's wording, e.g. "Quota exceeded: /app [current count=3, softCountLimit=2]".
        warn("Quota exceeded: " + root + " [current " + what + "=" + value + ", " + (hard ? "hard" : "soft") + kind
                + "Limit=" + limit + "]");
        if (hard && enforce) {
            throw new CoordException(Codes.QUOTAEXCEEDED, root);
        }
    }

    private void warn(String message) {
        long now = System.nanoTime();
        if (warned && now - lastWarn < WARN_INTERVAL_NANOS) {
            suppressed++;
            return;
        }
        warned = true;
        lastWarn = now;
        if (suppressed > 0) {
            LOG.warn("{} ({} similar quota warnings suppressed in the last second)", message, suppressed);
            suppressed = 0;
        } else {
            LOG.warn(message);
        }
    }

    /**
     * ZooKeeper's StatsTrack text: {@code key=value} pairs separated by ',' or ';', an empty value is -1,
     * a missing key reads as -1. Written as {@code count=N,bytes=M}, then, if there are other keys, a
     * stray '=' and {@code ;key=value} in key order (the form old parsers skip, kept for compatibility).
     */
    static final class Track {
        static final String COUNT = "count";
        static final String BYTES = "bytes";
        static final String COUNT_HARD = "countHardLimit";
        static final String BYTES_HARD = "byteHardLimit";
        final Map<String, Long> values = new TreeMap<>();

        /** Null when the text does not parse (ZooKeeper would throw on the apply path; we leave it alone). */
        static Track parse(byte[] data) {
            Track t = new Track();
            String s = data == null ? "" : new String(data, StandardCharsets.UTF_8);
            if (s.isEmpty()) {
                return t;
            }
            try {
                for (String pair : PAIRS.split(s)) {
                    String[] kv = pair.split("=");
                    t.values.put(kv[0], Long.parseLong(kv[1].isEmpty() ? "-1" : kv[1]));
                }
            } catch (RuntimeException e) {
                return null;
            }
            return t;
        }

        long get(String key) {
            Long v = values.get(key);
            return v == null ? -1 : v;
        }

        byte[] bytes() {
            StringBuilder b = new StringBuilder();
            b.append(COUNT).append('=').append(get(COUNT)).append(',').append(BYTES).append('=').append(get(BYTES));
            boolean first = true;
            for (Map.Entry<String, Long> e : values.entrySet()) {
                if (e.getKey().equals(COUNT) || e.getKey().equals(BYTES)) {
                    continue;
                }
                if (first) {
                    b.append('=');
                    first = false;
                }
                b.append(';').append(e.getKey()).append('=').append(e.getValue());
            }
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
