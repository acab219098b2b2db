package io.tributary.cluster.meta;

import io.tributary.coord.Codes;
import io.tributary.coord.Op;
import io.tributary.coord.Result;
import io.tributary.kafka.ClusterMetadata;
import io.vertx.core.Context;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * This broker's copy of Kafka's znodes ({@link KafkaZnodes}), kept current by persistent recursive watches on
 * {@code /brokers}, {@code /config/topics} and a persistent watch on {@code /controller}: every event re-reads
 * the znode it names (reads on one session are answered in order, so the last answer is the newest). After
 * changes it publishes a new immutable {@link ClusterMetadata.Image} (coalesced: one per pass of the context)
 * and tells its listeners (the controller, the replica manager).
 *
 * <p>Threading: the owner's context only; {@link #image()} from any thread.
 */
final class MetadataCache {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataCache.class);

    /** A partition state with the znode version it was read at (the fencing token for the next write). */
    record VersionedState(KafkaZnodes.State state, int version) {
    }

    private final Context context;
    private final MetaSession session;
    private final List<Runnable> listeners = new ArrayList<>();
    private final Map<Integer, ClusterMetadata.Broker> brokers = new TreeMap<>();
    private final Map<String, KafkaZnodes.Assignment> topics = new TreeMap<>();
    private final Map<String, Map<Integer, VersionedState>> states = new HashMap<>();
    private final Map<String, Integer> topicVersions = new HashMap<>();
    private final Map<String, Map<String, String>> configs = new HashMap<>();
    private String clusterId;
    private int controllerId = -1;
    private volatile ClusterMetadata.Image image = new ClusterMetadata.Image(null, -1, Map.of(), Map.of());
    private boolean publishQueued;
    private boolean loaded;

    MetadataCache(Context context, MetaSession session) {
        this.context = context;
        this.session = session;
    }

    void onChange(Runnable listener) {
        listeners.add(listener);
    }

    ClusterMetadata.Image image() {
        return image;
    }

    /** The first full read after a session started has completed. */
    boolean loaded() {
        return loaded;
    }

    Map<Integer, ClusterMetadata.Broker> brokers() {
        return brokers;
    }

    Map<String, KafkaZnodes.Assignment> topics() {
        return topics;
    }

    /** The version {@code /brokers/topics/T} was read at (a write's fencing token), -1 if unknown. */
    int topicVersion(String topic) {
        return topicVersions.getOrDefault(topic, -1);
    }

    Map<Integer, VersionedState> states(String topic) {
        return states.getOrDefault(topic, Map.of());
    }

    /** Whether {@code /config/topics/T} was read (a topic created by an older version may lack it). */
    boolean hasConfigs(String topic) {
        return configs.containsKey(topic);
    }

    Map<String, String> configs(String topic) {
        return configs.getOrDefault(topic, Map.of());
    }

    int controllerId() {
        return controllerId;
    }

    void clusterId(String id) {
        clusterId = id;
        schedulePublish();
    }

    /** A (new or resumed) session: arm the watches, then read everything again. */
    Future<Void> resync() {
        return session.call(new Op.AddWatch(KafkaZnodes.BROKERS, true))
                .compose(r -> session.call(new Op.AddWatch(KafkaZnodes.CONFIG_TOPICS, true)))
                .compose(r -> session.call(new Op.AddWatch(KafkaZnodes.CONTROLLER, false)))
                .compose(r -> reloadAll())
                .andThen(ar -> {
                    if (ar.succeeded()) {
                        loaded = true;
                        schedulePublish();
                    }
                });
    }

    private Future<Void> reloadAll() {
        Future<Void> ids = session.call(new Op.GetChildren(KafkaZnodes.BROKER_IDS, false)).compose(r -> {
            brokers.clear();
            return Future.all(children(r).stream().map(c -> reload(KafkaZnodes.BROKER_IDS + "/" + c)).toList()).mapEmpty();
        });
        Future<Void> ts = session.call(new Op.GetChildren(KafkaZnodes.TOPICS, false)).compose(r -> {
            List<String> names = children(r);
            topics.keySet().retainAll(names);
            topicVersions.keySet().retainAll(names);
            states.keySet().retainAll(names);
            List<Future<?>> all = new ArrayList<>();
            for (String t : names) {
                all.add(reload(KafkaZnodes.topic(t)).compose(v -> reloadStates(t)));
                all.add(reload(KafkaZnodes.topicConfig(t)));
            }
            return Future.all(all).mapEmpty();
        });
        return Future.all(ids, ts, reload(KafkaZnodes.CONTROLLER)).mapEmpty();
    }

    private Future<Void> reloadStates(String topic) {
        KafkaZnodes.Assignment a = topics.get(topic);
        if (a == null) {
            return Future.succeededFuture();
        }
        return Future.all(a.replicas().keySet().stream().map(p -> reload(KafkaZnodes.state(topic, p))).toList()).mapEmpty();
    }

    /** A watch fired on {@code path}: re-read it (and, for a new topic, its partition states). */
    void event(int type, String path) {
        if (!loaded) {
            return; // the full read in progress sees it
        }
        reload(path).onSuccess(v -> {
            String[] parts = path.split("/");
            if (parts.length == 4 && path.startsWith(KafkaZnodes.TOPICS + "/")) {
                reloadStates(parts[3]);
            }
        });
    }

    /** Reads one znode we model and updates the copy; absent → removed. */
    private Future<Void> reload(String path) {
        Path p = Path.of(path);
        if (p == null) {
            return Future.succeededFuture();
        }
        return session.call(new Op.GetData(path, false)).map(r -> {
            boolean gone = r.err() == Codes.NONODE;
            if (r.err() != Codes.OK && !gone) {
                LOG.debug("reading {} failed with {}", path, r.err());
                return null;
            }
            Result.Data d = gone ? null : (Result.Data) r.value();
            try {
                apply(p, d);
            } catch (RuntimeException e) {
                LOG.warn("ignoring znode {} that does not parse: {}", path, e.toString());
            }
            schedulePublish();
            return null;
        });
    }

    private void apply(Path p, Result.Data d) {
        switch (p.kind) {
            case BROKER -> {
                if (d == null) {
                    brokers.remove(p.broker);
                } else {
                    brokers.put(p.broker, KafkaZnodes.broker(p.broker, d.data()));
                }
            }
            case CONTROLLER -> controllerId = d == null ? -1 : KafkaZnodes.controllerId(d.data());
            case TOPIC -> {
                if (d == null) {
                    topics.remove(p.topic);
                    states.remove(p.topic);
                    topicVersions.remove(p.topic);
                } else {
                    topics.put(p.topic, KafkaZnodes.topic(d.data()));
                    topicVersions.put(p.topic, d.stat().getVersion());
                }
            }
            case STATE -> {
                Map<Integer, VersionedState> m = states.computeIfAbsent(p.topic, k -> new HashMap<>());
                if (d == null) {
                    m.remove(p.partition);
                } else {
                    m.put(p.partition, new VersionedState(KafkaZnodes.state(d.data()), d.stat().getVersion()));
                }
            }
            case CONFIG -> {
                if (d == null) {
                    configs.remove(p.topic);
                } else {
                    configs.put(p.topic, KafkaZnodes.topicConfig(d.data()));
                }
            }
        }
    }

    private static List<String> children(Result r) {
        return r.err() == Codes.OK ? ((Result.Children) r.value()).children() : List.of();
    }

    private void schedulePublish() {
        if (publishQueued) {
            return;
        }
        publishQueued = true;
        context.runOnContext(v -> {
            publishQueued = false;
            publish();
        });
    }

    private void publish() {
        Map<String, ClusterMetadata.Topic> ts = new TreeMap<>();
        topics.forEach((name, a) -> {
            Map<Integer, VersionedState> s = states.getOrDefault(name, Map.of());
            List<ClusterMetadata.Partition> parts = new ArrayList<>();
            for (int i = 0; i < a.replicas().size(); i++) {
                List<Integer> replicas = a.replicas().getOrDefault(i, List.of());
                VersionedState vs = s.get(i);
                parts.add(vs == null ? new ClusterMetadata.Partition(-1, -1, replicas, List.of())
                        : new ClusterMetadata.Partition(vs.state().leader(), vs.state().leaderEpoch(), replicas, vs.state().isr()));
            }
            ts.put(name, new ClusterMetadata.Topic(name, a.topicId(), List.copyOf(parts), Map.copyOf(configs(name))));
        });
        image = new ClusterMetadata.Image(clusterId, controllerId, Map.copyOf(brokers), Map.copyOf(ts));
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.error("metadata listener failed", e);
            }
        }
    }

    /** Which of our znodes a path is. */
    private enum Kind { BROKER, CONTROLLER, TOPIC, STATE, CONFIG }

    private record Path(Kind kind, int broker, String topic, int partition) {
        static Path of(String path) {
            String[] s = path.split("/");
            try {
                if (path.equals(KafkaZnodes.CONTROLLER)) {
                    return new Path(Kind.CONTROLLER, -1, null, -1);
                } else if (s.length == 4 && path.startsWith(KafkaZnodes.BROKER_IDS + "/")) {
                    return new Path(Kind.BROKER, Integer.parseInt(s[3]), null, -1);
                } else if (s.length == 4 && path.startsWith(KafkaZnodes.TOPICS + "/")) {
                    return new Path(Kind.TOPIC, -1, s[3], -1);
                } else if (s.length == 7 && path.startsWith(KafkaZnodes.TOPICS + "/") && s[4].equals("partitions")
                        && s[6].equals("state")) {
                    return new Path(Kind.STATE, -1, s[3], Integer.parseInt(s[5]));
                } else if (s.length == 4 && path.startsWith(KafkaZnodes.CONFIG_TOPICS + "/")) {
                    return new Path(Kind.CONFIG, -1, s[3], -1);
                }
            } catch (NumberFormatException e) {
                return null;
            }
            return null;
        }
    }
}
