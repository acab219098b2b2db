package io.tributary.zk;

import io.tributary.coord.CoordinatorVerticle.Stats;
import io.vertx.core.Future;
import io.vertx.core.net.NetSocket;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * ZooKeeper's four-letter words on the client port: sent instead of a packet length as the first four
 * bytes of a connection, answered in text, then the connection is closed. Only words in
 * {@code 4lw.commands.whitelist} run; others get ZooKeeper's "not in the whitelist" line. The outputs
 * follow ZooKeeper 3.9's formats (mntr uses its {@code zk_*} keys) so monitoring scripts keep working.
 */
final class FourLetterWords {
    static final String VERSION = "3.9.5-tributary";
    static final Set<String> ALL = Set.of("ruok", "srvr", "stat", "mntr", "cons", "crst", "srst", "wchs", "envi",
            "isro", "conf", "dirs");

    private FourLetterWords() {
    }

    /** The word spelled by a would-be packet length, or null. */
    static String word(int size) {
        byte[] b = {(byte) (size >>> 24), (byte) (size >>> 16), (byte) (size >>> 8), (byte) size};
        String w = new String(b, java.nio.charset.StandardCharsets.US_ASCII);
        return ALL.contains(w) ? w : null;
    }

    static void run(String word, ZkServer server, ZkConnection self, NetSocket socket) {
        Future<String> text;
        if (!server.allowed(word)) {
            text = Future.succeededFuture(word + " is not executed because it is not in the whitelist.\n");
        } else {
            text = switch (word) {
                case "ruok" -> Future.succeededFuture("imok");
                case "isro" -> Future.succeededFuture("rw");
                case "srvr" -> server.coordinator.stats().map(s -> srvr(server, s, false));
                case "stat" -> server.coordinator.stats().map(s -> srvr(server, s, true));
                case "mntr" -> server.coordinator.stats().map(s -> mntr(server, s));
                case "cons" -> Future.succeededFuture(cons(server));
                case "crst" -> {
                    server.resetStats();
                    yield Future.succeededFuture("Connection stats reset.\n");
                }
                case "srst" -> {
                    server.resetStats();
                    yield Future.succeededFuture("Server stats reset.\n");
                }
                case "wchs" -> server.coordinator.stats().map(s -> s.watchingConnections() + " connections watching "
                        + s.watchedPaths() + " paths\nTotal watches:" + s.watches() + "\n");
                case "envi" -> Future.succeededFuture(envi());
                case "conf" -> Future.succeededFuture(conf(server));
                case "dirs" -> io.vertx.core.Vertx.currentContext().owner().executeBlocking(() -> dirs(server));
                default -> Future.succeededFuture("");
            };
        }
        text.onComplete(ar -> {
            String out = ar.succeeded() ? ar.result() : "error: " + ar.cause() + "\n";
            socket.write(out).onComplete(v -> socket.close());
        });
    }

    private static String srvr(ZkServer server, Stats s, boolean withClients) {
        StringBuilder b = new StringBuilder();
        b.append("Zookeeper version: ").append(VERSION).append(", built for Tributary\n");
        if (withClients) {
            b.append("Clients:\n");
            for (ZkConnection c : server.connections) {
                b.append(" /").append(c.clientAddress).append("[1](queued=").append(c.queued()).append(",recved=")
                        .append(c.received).append(",sent=").append(c.sent).append(")\n");
            }
            b.append('\n');
        }
        b.append("Latency min/avg/max: ").append(server.minLatency()).append('/')
                .append(String.format(Locale.ROOT, "%.4f", server.avgLatency())).append('/').append(server.maxLatency()).append('\n');
        b.append("Received: ").append(server.packetsReceived.sum()).append('\n');
        b.append("Sent: ").append(server.packetsSent.sum()).append('\n');
        b.append("Connections: ").append(server.connections.size()).append('\n');
        b.append("Outstanding: ").append(outstanding(server)).append('\n');
        b.append("Zxid: 0x").append(Long.toHexString(s.lastZxid())).append('\n');
        b.append("Mode: ").append(s.mode()).append('\n');
        b.append("Node count: ").append(s.nodes()).append('\n');
        return b.toString();
    }

    private static long outstanding(ZkServer server) {
        return server.outstandingRequests();
    }

    private static String mntr(ZkServer server, Stats s) {
        StringBuilder b = new StringBuilder();
        kv(b, "zk_version", VERSION + ", built for Tributary");
        kv(b, "zk_server_state", s.mode());
        kv(b, "zk_avg_latency", String.format(Locale.ROOT, "%.4f", server.avgLatency()));
        kv(b, "zk_max_latency", server.maxLatency());
        kv(b, "zk_min_latency", server.minLatency());
        kv(b, "zk_packets_received", server.packetsReceived.sum());
        kv(b, "zk_packets_sent", server.packetsSent.sum());
        kv(b, "zk_num_alive_connections", server.connections.size());
        kv(b, "zk_outstanding_requests", outstanding(server));
        kv(b, "zk_znode_count", s.nodes());
        kv(b, "zk_watch_count", s.watches());
        kv(b, "zk_ephemerals_count", s.ephemerals());
        kv(b, "zk_approximate_data_size", s.dataSize());
        kv(b, "zk_global_sessions", s.sessions());
        kv(b, "zk_uptime", System.currentTimeMillis() - server.startedAt);
        if (!"standalone".equals(s.mode())) {
            kv(b, "zk_quorum_size", s.ensembleSize());
        }
        if ("leader".equals(s.mode())) {
            // As a ZooKeeper leader reports them (every other member is a voting follower here).
            kv(b, "zk_learners", s.ensembleSize() - 1);
            kv(b, "zk_followers", s.ensembleSize() - 1);
            kv(b, "zk_synced_followers", s.syncedFollowers());
        }
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            kv(b, "zk_open_file_descriptor_count", unix.getOpenFileDescriptorCount());
            kv(b, "zk_max_file_descriptor_count", unix.getMaxFileDescriptorCount());
        }
        return b.toString();
    }

    private static void kv(StringBuilder b, String k, Object v) {
        b.append(k).append('\t').append(v).append('\n');
    }

    private static String cons(ZkServer server) {
        StringBuilder b = new StringBuilder();
        for (ZkConnection c : server.connections) {
            b.append(" /").append(c.clientAddress).append("[1](queued=").append(c.queued())
                    .append(",recved=").append(c.received).append(",sent=").append(c.sent)
                    .append(",sid=0x").append(Long.toHexString(c.sessionId)).append(",lop=").append(c.lastOp)
                    .append(",est=").append(c.established).append(",to=").append(c.timeout)
                    .append(",lzxid=0x").append(Long.toHexString(c.lastZxid)).append(")\n");
        }
        return b.append('\n').toString();
    }

    private static String envi() {
        StringBuilder b = new StringBuilder("Environment:\n");
        b.append("zookeeper.version=").append(VERSION).append('\n');
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } catch (java.io.IOException e) {
            host = "<NA>";
        }
        b.append("host.name=").append(host).append('\n');
        for (String p : new String[]{"java.version", "java.vendor", "java.home", "java.class.path", "java.library.path",
                "java.io.tmpdir", "os.name", "os.arch", "os.version", "user.name", "user.home", "user.dir"}) {
            b.append(p).append('=').append(System.getProperty(p, "<NA>")).append('\n');
        }
        Runtime rt = Runtime.getRuntime();
        b.append("os.memory.free=").append(rt.freeMemory() / (1024 * 1024)).append("MB\n");
        b.append("os.memory.max=").append(rt.maxMemory() / (1024 * 1024)).append("MB\n");
        b.append("os.memory.total=").append(rt.totalMemory() / (1024 * 1024)).append("MB\n");
        return b.toString();
    }

    private static String conf(ZkServer server) {
        StringBuilder b = new StringBuilder();
        b.append("clientPort=").append(server.port).append('\n');
        b.append("secureClientPort=-1\n");
        String dataDir = server.coordinator.dir().toAbsolutePath().toString();
        b.append("dataDir=").append(dataDir).append('\n');
        b.append("dataLogDir=").append(dataDir).append('\n');
        b.append("tickTime=").append(server.coordinator.options().tickTime()).append('\n');
        b.append("maxClientCnxns=").append(server.maxClientCnxns).append('\n');
        b.append("minSessionTimeout=").append(server.coordinator.options().minSessionTimeout()).append('\n');
        b.append("maxSessionTimeout=").append(server.coordinator.options().maxSessionTimeout()).append('\n');
        b.append("snapCount=").append(server.coordinator.options().snapCount()).append('\n');
        b.append("jute.maxbuffer=").append(server.maxBuffer).append('\n');
        b.append("serverId=").append(server.coordinator.options().serverId()).append('\n');
        return b.toString();
    }

    private static String dirs(ZkServer server) throws java.io.IOException {
        long snaps = 0;
        long logs = 0;
        Path dir = server.coordinator.dir();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                File f = p.toFile();
                if (p.getFileName().toString().startsWith("snapshot.")) {
                    snaps += f.length();
                } else if (p.getFileName().toString().startsWith("log.")) {
                    logs += f.length();
                }
            }
        }
        return "datadir_size: " + snaps + "\nlogdir_size: " + logs + "\n";
    }
}
