package io.tributary.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ensemble as configured: {@code cluster.members=ID@HOST:RAFT_PORT:HZ_PORT,...} (e.g.
 * {@code 1@127.0.0.1:9872:5701,2@127.0.0.1:9873:5702,3@127.0.0.1:9874:5703}), the same list on every node,
 * and this node's {@code node.id}, which must be in it. {@code RAFT_PORT} is Apache Ratis's gRPC port
 * (the replicated coordination log), {@code HZ_PORT} Hazelcast's (membership and the shared views).
 * A missing or one-entry list means a single node: no Ratis, no Hazelcast.
 *
 * <p>Ratis timing: {@code cluster.election.timeout.min.ms} / {@code .max.ms} (default 1000 / 2000: a
 * follower that hears nothing from the leader for a random time in that range starts an election) and
 * {@code cluster.request.timeout.ms} (default 5000: how long a write may wait for a commit before its
 * client is disconnected with CONNECTIONLOSS); {@code cluster.views.enabled} (default true) and
 * {@code cluster.views.period.ms} (default 1000) for Hazelcast and its views.
 *
 * <p>Expert: any setting whose name starts with {@code raft.} is handed to Apache Ratis unchanged (its
 * {@code RaftServerConfigKeys}/{@code GrpcConfigKeys} names, e.g. {@code raft.server.log.appender.wait-time.min=0ms}),
 * after Tributary's own choices, so it overrides them.
 */
public record ClusterConfig(int nodeId, List<Member> members, int electionMinMs, int electionMaxMs,
                            int requestTimeoutMs, int snapshotEvery, boolean viewsEnabled, int viewsPeriodMs,
                            Map<String, String> raftOverrides) {
    public static final String MEMBERS = "cluster.members";
    public static final String ELECTION_MIN_MS = "cluster.election.timeout.min.ms";
    public static final String ELECTION_MAX_MS = "cluster.election.timeout.max.ms";
    public static final String REQUEST_TIMEOUT_MS = "cluster.request.timeout.ms";
    /** Hazelcast membership and the znodes/sessions views (default true). */
    public static final String VIEWS_ENABLED = "cluster.views.enabled";
    /** How often the leader publishes the views, in ms (default 1000). */
    public static final String VIEWS_PERIOD_MS = "cluster.views.period.ms";

    public record Member(int id, String host, int raftPort, int hazelcastPort) {
        public String raftAddress() {
            return host + ":" + raftPort;
        }
    }

    /** Parses the node's settings; {@code snapCount} is the number of log entries between Ratis snapshots. */
    public static ClusterConfig from(Map<String, String> config, int nodeId, int snapCount) {
        String spec = config.getOrDefault(MEMBERS, "").trim();
        List<Member> members = spec.isEmpty() ? List.of() : parse(spec);
        if (members.size() > 1 && members.stream().noneMatch(m -> m.id() == nodeId)) {
            throw new IllegalArgumentException("node.id " + nodeId + " is not in " + MEMBERS + "=" + spec);
        }
        int min = intOf(config, ELECTION_MIN_MS, 1000);
        int max = intOf(config, ELECTION_MAX_MS, 2000);
        if (min < 50 || max <= min) {
            throw new IllegalArgumentException(ELECTION_MIN_MS + " must be at least 50 and below " + ELECTION_MAX_MS
                    + ", got " + min + " and " + max);
        }
        String views = config.getOrDefault(VIEWS_ENABLED, "true").trim();
        if (!views.equals("true") && !views.equals("false")) {
            throw new IllegalArgumentException(VIEWS_ENABLED + " must be true or false, got '" + views + "'");
        }
        Map<String, String> raft = new TreeMap<>();
        config.forEach((k, v) -> {
            if (k.startsWith("raft.")) {
                raft.put(k, v.trim());
            }
        });
        return new ClusterConfig(nodeId, members, min, max, intOf(config, REQUEST_TIMEOUT_MS, 5000), snapCount,
                views.equals("true"), Math.max(50, intOf(config, VIEWS_PERIOD_MS, 1000)), Map.copyOf(raft));
    }

    static List<Member> parse(String spec) {
        List<Member> out = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int at = p.indexOf('@');
            String[] hp = at < 0 ? new String[0] : p.substring(at + 1).split(":");
            if (at <= 0 || hp.length != 3) {
                throw new IllegalArgumentException("bad " + MEMBERS + " entry '" + p + "': expected ID@HOST:RAFT_PORT:HZ_PORT");
            }
            try {
                Member m = new Member(Integer.parseInt(p.substring(0, at)), hp[0], Integer.parseInt(hp[1]),
                        Integer.parseInt(hp[2]));
                if (!ids.add(m.id())) {
                    throw new IllegalArgumentException("node id " + m.id() + " appears twice in " + MEMBERS);
                }
                out.add(m);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad " + MEMBERS + " entry '" + p + "': " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private static int intOf(Map<String, String> config, String key, int fallback) {
        String v = config.get(key);
        try {
            return v == null ? fallback : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration " + key + " must be an integer, got '" + v + "'");
        }
    }

    /** More than one member: run the replicated coordination service. */
    public boolean clustered() {
        return members.size() > 1;
    }

    public Member self() {
        return members.stream().filter(m -> m.id() == nodeId).findFirst().orElseThrow();
    }
}
