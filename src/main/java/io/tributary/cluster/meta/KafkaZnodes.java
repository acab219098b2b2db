package io.tributary.cluster.meta;

import io.tributary.kafka.ClusterMetadata;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.Uuid;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka's cluster metadata as znodes, in the paths and JSON shapes Kafka kept in ZooKeeper before KRaft (its
 * {@code ZkData}), so an operator reads them with zkCli as they read Kafka's:
 * <pre>
 * /cluster/id                              {"version":"1","id":"..."}
 * /brokers/ids/N            (ephemeral)    {"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},
 *                                           "endpoints":["PLAINTEXT://host:port"],"jmx_port":-1,"port":port,
 *                                           "host":"host","version":5,"timestamp":"ms"[,"rack":"r"]}
 * /controller               (ephemeral)    {"version":1,"brokerid":N,"timestamp":"ms"}
 * /controller_epoch                        "E"
 * /brokers/topics/T                        {"partitions":{"0":[1,2,3],...},"topic_id":"...","adding_replicas":{},
 *                                           "removing_replicas":{},"version":3}
 * /brokers/topics/T/partitions/P/state     {"controller_epoch":E,"leader":N,"version":1,"leader_epoch":L,"isr":[...]}
 * /config/topics/T                         {"version":1,"config":{...}}
 * /admin/delete_topics/T
 * </pre>
 * Partition states are written only with the znode's version (a fencing token) and, by the controller, with a
 * check of {@code /controller_epoch}'s version in the same multi.
 */
final class KafkaZnodes {
    static final String CLUSTER_ID = "/cluster/id";
    static final String BROKERS = "/brokers";
    static final String BROKER_IDS = "/brokers/ids";
    static final String TOPICS = "/brokers/topics";
    static final String CONTROLLER = "/controller";
    static final String CONTROLLER_EPOCH = "/controller_epoch";
    static final String CONFIG_TOPICS = "/config/topics";
    static final String DELETE_TOPICS = "/admin/delete_topics";
    /** Persistent parents created at start (Kafka's {@code ZkData.PersistentZkPaths}). */
    static final List<String> PERSISTENT = List.of("/cluster", BROKERS, BROKER_IDS, TOPICS, "/brokers/seqid",
            "/config", CONFIG_TOPICS, "/config/changes", "/config/brokers", "/admin", DELETE_TOPICS, "/isr_change_notification",
            "/latest_producer_id_block");

    /** world:anyone with every permission, as Kafka creates its znodes without {@code zookeeper.set.acl}. */
    static final List<org.apache.zookeeper.data.ACL> OPEN = List.of(new org.apache.zookeeper.data.ACL(31,
            new org.apache.zookeeper.data.Id("world", "anyone")));

    private KafkaZnodes() {
    }

    static String broker(int id) {
        return BROKER_IDS + "/" + id;
    }

    static String topic(String name) {
        return TOPICS + "/" + name;
    }

    static String partitions(String topic) {
        return topic(topic) + "/partitions";
    }

    static String partition(String topic, int p) {
        return partitions(topic) + "/" + p;
    }

    static String state(String topic, int p) {
        return partition(topic, p) + "/state";
    }

    static String topicConfig(String name) {
        return CONFIG_TOPICS + "/" + name;
    }

    static byte[] bytes(JsonObject o) {
        return o.encode().getBytes(StandardCharsets.UTF_8);
    }

    static JsonObject json(byte[] data) {
        return data == null || data.length == 0 ? new JsonObject() : new JsonObject(new String(data, StandardCharsets.UTF_8));
    }

    static byte[] clusterId(String id) {
        return bytes(new JsonObject().put("version", "1").put("id", id));
    }

    static byte[] broker(ClusterMetadata.Broker b, long now) {
        JsonObject o = new JsonObject()
                .put("features", new JsonObject())
                .put("listener_security_protocol_map", new JsonObject().put("PLAINTEXT", "PLAINTEXT"))
                .put("endpoints", new JsonArray().add("PLAINTEXT://" + b.host() + ":" + b.port()))
                .put("jmx_port", -1).put("port", b.port()).put("host", b.host())
                .put("version", 5).put("timestamp", Long.toString(now));
        if (b.rack() != null) {
            o.put("rack", b.rack());
        }
        return bytes(o);
    }

    /** A broker from its registration; the PLAINTEXT endpoint wins over host/port, as in Kafka's BrokerInfo. */
    static ClusterMetadata.Broker broker(int id, byte[] data) {
        JsonObject o = json(data);
        String host = o.getString("host");
        int port = o.getInteger("port", -1);
        JsonArray endpoints = o.getJsonArray("endpoints", new JsonArray());
        for (int i = 0; i < endpoints.size(); i++) {
            String e = endpoints.getString(i);
            if (e.startsWith("PLAINTEXT://")) {
                String hp = e.substring("PLAINTEXT://".length());
                int colon = hp.lastIndexOf(':');
                host = hp.substring(0, colon);
                port = Integer.parseInt(hp.substring(colon + 1));
            }
        }
        return new ClusterMetadata.Broker(id, host, port, o.getString("rack"));
    }

    static byte[] controller(int brokerId, long now) {
        return bytes(new JsonObject().put("version", 1).put("brokerid", brokerId).put("timestamp", Long.toString(now)));
    }

    static int controllerId(byte[] data) {
        return json(data).getInteger("brokerid", -1);
    }

    /**
     * A topic's assignment (partition → replicas) with its id; while a partition is reassigned (KIP-455), its
     * replicas are the union of the old and the target ones, {@code adding} the target's new ones and
     * {@code removing} the old ones that go.
     */
    record Assignment(Uuid topicId, Map<Integer, List<Integer>> replicas, Map<Integer, List<Integer>> adding,
                      Map<Integer, List<Integer>> removing) {
        Assignment(Uuid topicId, Map<Integer, List<Integer>> replicas) {
            this(topicId, replicas, Map.of(), Map.of());
        }

        boolean reassigning(int partition) {
            return adding.containsKey(partition) || removing.containsKey(partition);
        }

        /** The replicas the reassignment of {@code partition} ends with (its replicas when none is in progress). */
        List<Integer> target(int partition) {
            List<Integer> r = replicas.getOrDefault(partition, List.of());
            List<Integer> gone = removing.getOrDefault(partition, List.of());
            return r.stream().filter(b -> !gone.contains(b)).toList();
        }

        /** The replicas before the reassignment of {@code partition} started. */
        List<Integer> original(int partition) {
            List<Integer> r = replicas.getOrDefault(partition, List.of());
            List<Integer> added = adding.getOrDefault(partition, List.of());
            return r.stream().filter(b -> !added.contains(b)).toList();
        }
    }

    static byte[] topic(Assignment a) {
        return bytes(new JsonObject().put("partitions", replicaMap(a.replicas())).put("topic_id", a.topicId().toString())
                .put("adding_replicas", replicaMap(a.adding())).put("removing_replicas", replicaMap(a.removing()))
                .put("version", 3));
    }

    private static JsonObject replicaMap(Map<Integer, List<Integer>> m) {
        JsonObject o = new JsonObject();
        new TreeMap<>(m).forEach((p, r) -> o.put(Integer.toString(p), new JsonArray(new ArrayList<>(r))));
        return o;
    }

    private static Map<Integer, List<Integer>> replicaMap(JsonObject o) {
        Map<Integer, List<Integer>> out = new TreeMap<>();
        if (o != null) {
            for (String p : o.fieldNames()) {
                List<Integer> r = ints(o.getJsonArray(p));
                if (!r.isEmpty()) {
                    out.put(Integer.parseInt(p), r);
                }
            }
        }
        return out;
    }

    static Assignment topic(byte[] data) {
        JsonObject o = json(data);
        Map<Integer, List<Integer>> replicas = new TreeMap<>();
        JsonObject partitions = o.getJsonObject("partitions", new JsonObject());
        for (String p : partitions.fieldNames()) {
            replicas.put(Integer.parseInt(p), ints(partitions.getJsonArray(p)));
        }
        String id = o.getString("topic_id");
        return new Assignment(id == null ? Uuid.ZERO_UUID : Uuid.fromString(id), replicas,
                replicaMap(o.getJsonObject("adding_replicas")), replicaMap(o.getJsonObject("removing_replicas")));
    }

    /** A partition state as written: leader, epochs, ISR. */
    record State(int leader, int leaderEpoch, List<Integer> isr, int controllerEpoch) {
    }

    static byte[] state(State s) {
        return bytes(new JsonObject().put("controller_epoch", s.controllerEpoch()).put("leader", s.leader())
                .put("version", 1).put("leader_epoch", s.leaderEpoch()).put("isr", new JsonArray(new ArrayList<>(s.isr()))));
    }

    static State state(byte[] data) {
        JsonObject o = json(data);
        return new State(o.getInteger("leader", -1), o.getInteger("leader_epoch", 0),
                ints(o.getJsonArray("isr", new JsonArray())), o.getInteger("controller_epoch", 0));
    }

    static byte[] topicConfig(Map<String, String> configs) {
        JsonObject c = new JsonObject();
        new TreeMap<>(configs).forEach(c::put);
        return bytes(new JsonObject().put("version", 1).put("config", c));
    }

    static Map<String, String> topicConfig(byte[] data) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonObject c = json(data).getJsonObject("config", new JsonObject());
        for (String k : c.fieldNames()) {
            out.put(k, String.valueOf(c.getValue(k)));
        }
        return out;
    }

    private static List<Integer> ints(JsonArray a) {
        List<Integer> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(a.getInteger(i));
        }
        return List.copyOf(out);
    }
}
