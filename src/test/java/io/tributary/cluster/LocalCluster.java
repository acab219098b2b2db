package io.tributary.cluster;

import io.tributary.testing.Poll;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real ensemble of node JVMs, run through {@code bin/cluster} exactly as the README's quick start does,
 * with free port ranges and its own {@code CLUSTER_DIR}, on the test class path.
 */
public final class LocalCluster implements AutoCloseable {
    private final Path dir;
    private final int size;
    private final Map<String, String> env = new HashMap<>();
    private final int zkBase;
    private final int kafkaBase;
    private final int hzBase;
    private final Netns netns;

    /** @param settings TRIBUTARY_* variables every node gets (e.g. TRIBUTARY_TICKTIME) */
    public LocalCluster(Path dir, int size, Map<String, String> settings) {
        this(dir, size, settings, null);
    }

    /** @param netns the namespaces node i runs in (see {@link Netns}), or null for loopback */
    LocalCluster(Path dir, int size, Map<String, String> settings, Netns netns) {
        this.dir = dir;
        this.netns = netns;
        this.size = size;
        int[] bases = freeBases(5, size);
        kafkaBase = bases[0];
        zkBase = bases[1];
        hzBase = bases[4];
        env.put("CLUSTER_DIR", dir.toString());
        env.put("KAFKA_BASE", Integer.toString(bases[0]));
        env.put("ZK_BASE", Integer.toString(bases[1]));
        env.put("HTTP_BASE", Integer.toString(bases[2]));
        env.put("RAFT_BASE", Integer.toString(bases[3]));
        env.put("HZ_BASE", Integer.toString(bases[4]));
        env.put("CLUSTER_HEAP", "320m");
        env.put("CLUSTER_JAVA_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k");
        env.put("CLUSTER_CLASSPATH", System.getProperty("java.class.path"));
        if (netns != null) {
            env.put("CLUSTER_NETNS", netns.tag + "n");
            env.put("CLUSTER_NET", netns.net);
            env.put("CLUSTER_CLIENT_NET", netns.clientNet);
        }
        env.putAll(settings);
    }

    // ---- one cluster at a time, shared by the classes that ask for the same one ----

    private static LocalCluster shared;
    private static String sharedKey;
    private static String sharedUpOutput;
    private boolean isShared;

    /**
     * The running cluster of these settings, started (and any other cluster of this JVM stopped) when there is
     * none: test classes that need an ensemble of the same settings share one instead of each starting three
     * JVMs, and at most one cluster runs at a time. A class that kills, pauses or stops nodes need not restore
     * them: each caller gets every node running again (resumed, started) and one leader. Its data lives in a
     * directory of its own (not a class's {@code @TempDir}, which goes with the class); {@link #close} of a
     * shared cluster does nothing, the next cluster or the JVM's exit stops it.
     */
    public static synchronized LocalCluster shared(int size, Map<String, String> settings) {
        String key = size + " " + new java.util.TreeMap<>(settings);
        if (shared != null && key.equals(sharedKey)) {
            shared.restoreAll();
            return shared;
        }
        stopShared();
        try {
            LocalCluster c = new LocalCluster(Files.createTempDirectory("shared-cluster"), size, settings);
            c.isShared = true;
            sharedUpOutput = c.run("up", Integer.toString(size));
            shared = c;
            sharedKey = key;
            if (!hookAdded) {
                hookAdded = true;
                Runtime.getRuntime().addShutdownHook(new Thread(LocalCluster::stopShared, "shared-cluster-down"));
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hookAdded;

    /**
     * The shared coordination ensemble of the ZooKeeper-side cluster classes: three nodes, tickTime 500 ms
     * (sessions of 1-10 s); containers and TTL nodes swept every 500 ms (ZooKeeper's default is a minute); Ratis
     * snapshots every 50 entries (an entry holds many commands) and drops the log a snapshot covers (in small
     * segments), so a node that was down long enough can only catch up from the leader's snapshot.
     */
    public static LocalCluster ensemble() {
        return shared(3, Map.of("TRIBUTARY_TICKTIME", "500", "TRIBUTARY_ZNODE_CONTAINER_CHECKINTERVALMS", "500",
                "CLUSTER_NODE_ARGS", "-o raft.server.snapshot.auto.trigger.threshold=50"
                        + " -o raft.server.log.purge.upto.snapshot.index=true -o raft.server.log.purge.gap=10"
                        + " -o raft.server.log.segment.size.max=64KB"));
    }

    /**
     * The shared Kafka cluster of the Kafka-side cluster classes (on loopback): three brokers, tickTime 500 ms,
     * broker sessions of 4 s and {@code replica.lag.time.max.ms} 4 s (failures are noticed quickly),
     * {@code __consumer_offsets} with 6 partitions.
     */
    public static LocalCluster kafka() {
        return shared(3, Map.of("TRIBUTARY_TICKTIME", "500", "TRIBUTARY_BROKER_SESSION_TIMEOUT_MS", "4000",
                "TRIBUTARY_REPLICA_LAG_TIME_MAX_MS", "4000", "TRIBUTARY_OFFSETS_TOPIC_NUM_PARTITIONS", "6"));
    }

    /** What {@code bin/cluster up} printed when the shared cluster started. */
    public static synchronized String sharedUpOutput() {
        return sharedUpOutput;
    }

    /** Stops the shared cluster, if one runs. */
    public static synchronized void stopShared() {
        if (shared != null) {
            LocalCluster c = shared;
            shared = null;
            sharedKey = null;
            c.run("down"); // its directory stays (node logs for a failure's post-mortem; a temporary directory)
        }
    }

    /** Every node running (a paused one resumed, a stopped or killed one started) and one leader. */
    void restoreAll() {
        for (int n : all()) {
            run("start", Integer.toString(n)); // a killed or stopped node (does nothing to a running one)
            run("resume", Integer.toString(n)); // a paused one
        }
        awaitLeader(Duration.ofSeconds(120));
    }

    private String clientHost(int node) {
        return netns == null ? "127.0.0.1" : netns.clientNet + "." + node;
    }

    /** {@code bin/cluster up N}; returns its output (connect strings). */
    public String up() {
        stopShared(); // one cluster at a time
        return run("up", Integer.toString(size));
    }

    /** Runs {@code bin/cluster ARGS...}; fails the test when it exits non-zero. */
    public String run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("bin/cluster"));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("cluster", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("TRIBUTARY_") || k.startsWith("CLUSTER_"));
            pb.environment().putAll(env);
            long started = System.nanoTime();
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bin/cluster " + String.join(" ", args) + " timed out: " + Files.readString(out));
            }
            String text = Files.readString(out);
            Files.deleteIfExists(out);
            System.out.println("bin/cluster " + String.join(" ", args) + ": " + (System.nanoTime() - started) / 1_000_000 + " ms");
            if (p.exitValue() != 0) {
                throw new AssertionError("bin/cluster " + String.join(" ", args) + " exited " + p.exitValue() + ":\n" + text
                        + "\n" + logs());
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The cluster's directory ({@code CLUSTER_DIR}: node-i/data, node-i/node.log). */
    public Path dir() {
        return dir;
    }

    public int size() {
        return size;
    }

    /** The Kafka port of node {@code node} (bin/cluster's KAFKA_BASE + node - 1). */
    public int kafkaPort(int node) {
        return kafkaBase + node - 1;
    }

    public int zkPort(int node) {
        return zkBase + node - 1;
    }

    /** The HTTP port of node {@code node} (bin/cluster's HTTP_BASE + node - 1). */
    public int httpPort(int node) {
        return Integer.parseInt(env.get("HTTP_BASE")) + node - 1;
    }

    public String zkConnect(int node) {
        return clientHost(node) + ":" + zkPort(node);
    }

    /** Every node, in order. */
    public String zkConnect() {
        StringJoiner j = new StringJoiner(",");
        for (int i = 1; i <= size; i++) {
            j.add(zkConnect(i));
        }
        return j.toString();
    }

    /** host:port of node's Hazelcast member. */
    public String hazelcastAddress(int node) {
        return (netns == null ? "127.0.0.1" : netns.net + "." + node) + ":" + (hzBase + node - 1);
    }

    public String bootstrap() {
        StringJoiner j = new StringJoiner(",");
        for (int i = 1; i <= size; i++) {
            j.add(clientHost(i) + ":" + (kafkaBase + i - 1));
        }
        return j.toString();
    }

    /** A four-letter word's answer, or "" when the node does not answer. */
    public String fourLetter(int node, String word) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(clientHost(node), zkPort(node)), 1000);
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The node's Mode from srvr (leader, follower, looking), or "" when it does not answer. */
    public String mode(int node) {
        for (String line : fourLetter(node, "srvr").split("\n")) {
            if (line.startsWith("Mode: ")) {
                return line.substring(6).trim();
            }
        }
        return "";
    }

    /** Waits until exactly one of the given nodes is leader and the others follow it; returns the leader. */
    public int awaitLeader(Duration timeout, int... nodes) {
        int[] which = nodes.length == 0 ? all() : nodes;
        int[] leader = new int[1];
        Poll.until(timeout, "one leader among nodes " + java.util.Arrays.toString(which), () -> {
            int leaders = 0;
            int followers = 0;
            for (int n : which) {
                String m = mode(n);
                if (m.equals("leader")) {
                    leaders++;
                    leader[0] = n;
                } else if (m.equals("follower")) {
                    followers++;
                }
            }
            return leaders == 1 && followers == which.length - 1;
        });
        return leader[0];
    }

    public int[] all() {
        int[] a = new int[size];
        for (int i = 0; i < size; i++) {
            a[i] = i + 1;
        }
        return a;
    }

    public long pid(int node) {
        try {
            return Long.parseLong(Files.readString(dir.resolve("node-" + node).resolve("pid")).trim());
        } catch (IOException e) {
            return -1;
        }
    }

    /** Node i's whole log (node-i/node.log). */
    public String nodeLog(int node) {
        try {
            return Files.readString(dir.resolve("node-" + node).resolve("node.log"));
        } catch (IOException e) {
            return "";
        }
    }

    public String logs() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= size; i++) {
            Path log = dir.resolve("node-" + i).resolve("node.log");
            try {
                List<String> lines = Files.readAllLines(log);
                b.append("--- node ").append(i).append(" (last 40 lines) ---\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
            } catch (IOException e) {
                b.append("--- node ").append(i).append(": no log ---\n");
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        if (isShared) {
            return; // stopped by the next cluster or at exit (see shared)
        }
        run("down");
    }

    /** {@code count} bases, each followed by {@code width} free ports, none overlapping. */
    private static int[] freeBases(int count, int width) {
        int[] out = new int[count];
        for (int attempt = 0; attempt < 200; attempt++) {
            int start = 20000 + ThreadLocalRandom.current().nextInt(30000);
            boolean ok = true;
            for (int p = start; p < start + count * width && ok; p++) {
                ok = free(p);
            }
            if (ok) {
                for (int i = 0; i < count; i++) {
                    out[i] = start + i * width;
                }
                return out;
            }
        }
        throw new IllegalStateException("no free port range found");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
