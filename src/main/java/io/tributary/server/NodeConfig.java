package io.tributary.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The node's configuration: built-in defaults, overlaid by a properties file ({@code --config}), then by
 * environment variables {@code TRIBUTARY_<NAME>} (upper case, dots as underscores, e.g.
 * {@code TRIBUTARY_LOG_RETENTION_MS=60000} sets {@code log.retention.ms}), then by command-line options.
 * Names follow Kafka's broker configuration where Kafka has one. Immutable; safe from any thread.
 */
public final class NodeConfig {
    public static final String NODE_ID = "node.id";
    public static final String LOG_DIRS = "log.dirs";
    public static final String KAFKA_PORT = "kafka.port";
    public static final String ZK_PORT = "zk.port";
    public static final String HTTP_PORT = "http.port";
    // The HTTP front door (io.tributary.http.HttpSettings says what each means).
    public static final String HTTP_NETWORK_THREADS = "http.network.threads";
    public static final String HTTP_MAX_BODY_BYTES = "http.max.body.bytes";
    public static final String HTTP_WS_MAX_FRAME_BYTES = "http.ws.max.frame.bytes";
    public static final String HTTP_WS_MAX_QUEUED_BYTES = "http.ws.max.queued.bytes";
    public static final String HTTP_WS_MAX_SUBSCRIPTIONS = "http.ws.max.subscriptions";
    public static final String HTTP_WS_MAX_CONNECTIONS_PER_IP = "http.ws.max.connections.per.ip";
    public static final String HTTP_WS_HEARTBEAT_MS = "http.ws.heartbeat.ms";
    public static final String HTTP_WS_IDLE_TIMEOUT_MS = "http.ws.idle.timeout.ms";
    public static final String HTTP_WS_SESSION_TIMEOUT_MS = "http.ws.session.timeout.ms";
    /** REST Proxy's own name: an idle v2 consumer instance is closed after this long. */
    public static final String CONSUMER_INSTANCE_TIMEOUT_MS = "consumer.instance.timeout.ms";
    /** {@code GET /metrics} and every counter behind it. */
    public static final String METRICS_ENABLED = "tributary.metrics.enabled";
    public static final String HOST = "host";
    public static final String ADVERTISED_HOST = "advertised.host";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String AUTO_CREATE_TOPICS = "auto.create.topics.enable";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String NUM_LOG_THREADS = "num.log.threads";
    /** ZooKeeper listener event loops; the first is the coordination engine's own. */
    public static final String ZK_NETWORK_THREADS = "zk.network.threads";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String QUEUED_MAX_REQUESTS = "queued.max.requests";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    // ZooKeeper's own names for the coordination service.
    public static final String TICK_TIME = "tickTime";
    public static final String MIN_SESSION_TIMEOUT = "minSessionTimeout";
    public static final String MAX_SESSION_TIMEOUT = "maxSessionTimeout";
    public static final String JUTE_MAXBUFFER = "jute.maxbuffer";
    public static final String FOUR_LETTER_WHITELIST = "4lw.commands.whitelist";
    public static final String SNAP_COUNT = "snapCount";
    public static final String MAX_CLIENT_CNXNS = "maxClientCnxns";
    public static final String CONTAINER_CHECK_INTERVAL_MS = "znode.container.checkIntervalMs";
    /** Hard quota limits fail writes with QUOTAEXCEEDED (ZooKeeper's system property of the same name). */
    public static final String ENFORCE_QUOTA = "zookeeper.enforceQuota";
    /** {@code yes}: no ACL is checked (ZooKeeper's system property; also accepts true/false). */
    public static final String SKIP_ACL = "zookeeper.skipACL";
    /** {@code user:base64(sha1(user:password))}: whoever adds that digest auth is the super user. No default. */
    public static final String SUPER_DIGEST = "zookeeper.DigestAuthenticationProvider.superDigest";
    /** Dynamic reconfiguration; a single node answers reconfig with RECONFIGDISABLED, or UNIMPLEMENTED when true. */
    public static final String RECONFIG_ENABLED = "reconfigEnabled";
    /** Four-letter words enabled by default: the read-only ones (ZooKeeper 3.5+ enables only srvr). */
    public static final String DEFAULT_FOUR_LETTER_WORDS = "ruok,srvr,stat,mntr,cons,wchs,envi,isro,conf,dirs";

    private static final String ENV_PREFIX = "TRIBUTARY_";
    private static final Map<String, String> CAMEL_CASE = Map.ofEntries(
            Map.entry("ticktime", TICK_TIME), Map.entry("minsessiontimeout", MIN_SESSION_TIMEOUT),
            Map.entry("maxsessiontimeout", MAX_SESSION_TIMEOUT), Map.entry("snapcount", SNAP_COUNT),
            Map.entry("maxclientcnxns", MAX_CLIENT_CNXNS),
            Map.entry("znode.container.checkintervalms", CONTAINER_CHECK_INTERVAL_MS),
            Map.entry("zookeeper.enforcequota", ENFORCE_QUOTA), Map.entry("zookeeper.skipacl", SKIP_ACL),
            Map.entry("zookeeper.digestauthenticationprovider.superdigest", SUPER_DIGEST),
            Map.entry("reconfigenabled", RECONFIG_ENABLED));

    private final Map<String, String> values;

    private NodeConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** Built-in defaults: a single node usable with no configuration at all. */
    public static Map<String, String> defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, String> d = new TreeMap<>();
        d.put(NODE_ID, "1");
        d.put(LOG_DIRS, "./data");
        d.put(KAFKA_PORT, "9092");
        d.put(ZK_PORT, "2181");
        d.put(HTTP_PORT, "8080");
        d.put(HTTP_NETWORK_THREADS, Integer.toString(cores));
        d.put(HTTP_MAX_BODY_BYTES, Integer.toString(1024 * 1024));
        d.put(HTTP_WS_MAX_FRAME_BYTES, Integer.toString(64 * 1024));
        d.put(HTTP_WS_MAX_QUEUED_BYTES, Integer.toString(4 * 1024 * 1024));
        d.put(HTTP_WS_MAX_SUBSCRIPTIONS, "100");
        d.put(HTTP_WS_MAX_CONNECTIONS_PER_IP, "100");
        d.put(HTTP_WS_HEARTBEAT_MS, "15000");
        d.put(HTTP_WS_IDLE_TIMEOUT_MS, "60000");
        d.put(HTTP_WS_SESSION_TIMEOUT_MS, "30000");
        d.put(CONSUMER_INSTANCE_TIMEOUT_MS, "300000");
        d.put(METRICS_ENABLED, "true");
        d.put(HOST, "0.0.0.0");
        d.put(SOCKET_REQUEST_MAX_BYTES, "104857600");
        d.put(AUTO_CREATE_TOPICS, "true");
        d.put(NUM_PARTITIONS, "1");
        d.put(NUM_NETWORK_THREADS, Integer.toString(cores));
        d.put(NUM_LOG_THREADS, Integer.toString(Math.max(1, cores / 2)));
        d.put(ZK_NETWORK_THREADS, "1");
        d.put(NUM_IO_THREADS, Integer.toString(Math.max(2, cores)));
        d.put(QUEUED_MAX_REQUESTS, "500");
        d.put(DELETE_TOPIC_ENABLE, "true");
        d.putAll(io.tributary.group.GroupConfig.defaults());
        d.put(TICK_TIME, "2000");
        d.put(JUTE_MAXBUFFER, Integer.toString(0xfffff));
        d.put(FOUR_LETTER_WHITELIST, DEFAULT_FOUR_LETTER_WORDS);
        d.put(SNAP_COUNT, "100000");
        d.put(MAX_CLIENT_CNXNS, "60");
        d.put(CONTAINER_CHECK_INTERVAL_MS, "60000");
        d.put(ENFORCE_QUOTA, "false");
        d.put(SKIP_ACL, "no");
        d.put(RECONFIG_ENABLED, "false");
        return d;
    }

    /**
     * Layers the configuration sources in precedence order (lowest first).
     *
     * @param file     optional properties file, may be null
     * @param env      the process environment
     * @param cli      values given on the command line
     */
    public static NodeConfig load(Path file, Map<String, String> env, Map<String, String> cli) throws IOException {
        Map<String, String> v = defaults();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            p.stringPropertyNames().forEach(k -> v.put(k.trim(), p.getProperty(k).trim()));
        }
        env.forEach((k, val) -> {
            if (k.startsWith(ENV_PREFIX) && k.length() > ENV_PREFIX.length()) {
                String name = k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                // ZooKeeper's names are camelCase (tickTime): TRIBUTARY_TICKTIME still finds them.
                v.put(CAMEL_CASE.getOrDefault(name, name), val);
            }
        });
        v.putAll(cli);
        normalizeSynonyms(v);
        NodeConfig c = new NodeConfig(v);
        c.checkThreadCounts();
        return c;
    }

    public static NodeConfig of(Map<String, String> overrides) {
        Map<String, String> v = defaults();
        v.putAll(overrides);
        normalizeSynonyms(v);
        NodeConfig c = new NodeConfig(v);
        c.checkThreadCounts();
        return c;
    }

    /** Kafka also accepts {@code log.dir}, and {@code broker.id} for the node id. */
    private static void normalizeSynonyms(Map<String, String> v) {
        // log.dirs wins over log.dir, as in Kafka; log.dir only replaces the built-in default.
        String logDir = v.remove("log.dir");
        if (logDir != null && "./data".equals(v.get(LOG_DIRS))) {
            v.put(LOG_DIRS, logDir);
        }
        if (v.containsKey("broker.id")) {
            v.put(NODE_ID, v.remove("broker.id"));
        }
        // TRIBUTARY_METRICS_ENABLED (the environment prefix is stripped) sets tributary.metrics.enabled
        if (v.containsKey("metrics.enabled")) {
            v.put(METRICS_ENABLED, v.remove("metrics.enabled"));
        }
        String dirs = v.get(LOG_DIRS);
        if (dirs.contains(",")) {
            throw new IllegalArgumentException("only one log directory is supported, got log.dirs=" + dirs);
        }
    }

    private void checkThreadCounts() {
        for (String key : List.of(NUM_NETWORK_THREADS, NUM_LOG_THREADS, NUM_IO_THREADS, ZK_NETWORK_THREADS,
                HTTP_NETWORK_THREADS)) {
            if (getInt(key) < 1) {
                throw new IllegalArgumentException("configuration " + key + " must be at least 1, got " + get(key));
            }
        }
    }

    public Map<String, String> all() {
        return values;
    }

    public String get(String key) {
        return values.get(key);
    }

    public int getInt(String key) {
        String s = values.get(key);
        try {
            return Integer.parseInt(s.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("configuration " + key + " must be an integer, got '" + s + "'");
        }
    }

    public boolean getBoolean(String key) {
        String s = values.get(key);
        if (!"true".equalsIgnoreCase(s) && !"false".equalsIgnoreCase(s)) {
            throw new IllegalArgumentException("configuration " + key + " must be true or false, got '" + s + "'");
        }
        return Boolean.parseBoolean(s);
    }

    /** ZooKeeper's yes/no switches ({@code zookeeper.skipACL}); true/false are accepted as well. */
    public boolean getYesNo(String key) {
        String s = values.get(key) == null ? "" : values.get(key).trim();
        if (s.equalsIgnoreCase("yes") || s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("no") || s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("configuration " + key + " must be yes or no, got '" + s + "'");
    }

    public Path dataDir() {
        return Path.of(values.get(LOG_DIRS));
    }

    public int nodeId() {
        return getInt(NODE_ID);
    }

    public int kafkaPort() {
        return getInt(KAFKA_PORT);
    }

    public int zkPort() {
        return getInt(ZK_PORT);
    }

    public int httpPort() {
        return getInt(HTTP_PORT);
    }

    /** An integer setting, or {@code fallback} when unset (for defaults derived from other settings). */
    public int getInt(String key, int fallback) {
        return values.containsKey(key) ? getInt(key) : fallback;
    }
}
