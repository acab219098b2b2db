package io.tributary.http;

import io.tributary.log.PartitionLog;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Confluent REST Proxy v3: clusters, brokers, topics, partitions (with their earliest and latest offsets,
 * an addition of ours) and topic configs. Creation, deletion and config changes are the Kafka handlers'
 * (CreateTopics, DeleteTopics, DescribeConfigs, IncrementalAlterConfigs) called in-process through
 * {@link io.tributary.kafka.LocalKafkaApis}, so their checks and messages are Kafka's.
 */
final class RestTopics {
    private final HttpFrontDoor door;

    RestTopics(HttpFrontDoor door) {
        this.door = door;
    }

    static String base(RoutingContext ctx) {
        return ctx.request().scheme() + "://" + ctx.request().authority() + "/v3/clusters/";
    }

    void mount(Router r) {
        r.get("/v3/clusters").handler(ctx -> Rest.ok(ctx, 200, Rest.list("KafkaClusterList", base(ctx).replaceAll("/$", ""),
                new JsonArray().add(cluster(ctx)))));
        r.get("/v3/clusters/:cluster").handler(ctx -> Rest.guard(ctx, () -> {
            checkCluster(ctx);
            Rest.ok(ctx, 200, cluster(ctx));
        }));
        r.get("/v3/clusters/:cluster/brokers").handler(ctx -> Rest.guard(ctx, () -> {
            checkCluster(ctx);
            Rest.ok(ctx, 200, Rest.list("KafkaBrokerList", base(ctx) + door.clusterId + "/brokers", new JsonArray().add(broker(ctx))));
        }));
        r.get("/v3/clusters/:cluster/brokers/:broker").handler(ctx -> Rest.guard(ctx, () -> {
            checkCluster(ctx);
            if (Rest.intParam(ctx, "broker", 0, Integer.MAX_VALUE, null) != door.nodeId) {
                throw new Rest.Refused(40400, "Broker " + ctx.pathParam("broker") + " not found.");
            }
            Rest.ok(ctx, 200, broker(ctx));
        }));
        r.get("/v3/clusters/:cluster/topics").handler(ctx -> Rest.guard(ctx, () -> {
            checkCluster(ctx);
            JsonArray data = new JsonArray();
            new TreeMap<>(door.logs.manager().topics()).values().forEach(t -> data.add(topic(ctx, t)));
            Rest.ok(ctx, 200, Rest.list("KafkaTopicList", base(ctx) + door.clusterId + "/topics", data));
        }));
        r.post("/v3/clusters/:cluster/topics").handler(ctx -> Rest.guard(ctx, () -> create(ctx)));
        r.get("/v3/clusters/:cluster/topics/:topic").handler(ctx -> Rest.guard(ctx, () ->
                Rest.ok(ctx, 200, topic(ctx, topicInfo(ctx)))));
        r.delete("/v3/clusters/:cluster/topics/:topic").handler(ctx -> Rest.guard(ctx, () -> delete(ctx)));
        r.get("/v3/clusters/:cluster/topics/:topic/partitions").handler(ctx -> Rest.guard(ctx, () -> {
            TopicInfo t = topicInfo(ctx);
            JsonArray data = new JsonArray();
            for (int p = 0; p < t.partitions(); p++) {
                data.add(partition(ctx, t, p));
            }
            Rest.ok(ctx, 200, Rest.list("KafkaPartitionList", topicUrl(ctx, t.name()) + "/partitions", data));
        }));
        r.get("/v3/clusters/:cluster/topics/:topic/partitions/:partition").handler(ctx -> Rest.guard(ctx, () -> {
            TopicInfo t = topicInfo(ctx);
            Rest.ok(ctx, 200, partition(ctx, t, partitionParam(ctx, t)));
        }));
        r.get("/v3/clusters/:cluster/topics/:topic/configs").handler(ctx -> Rest.guard(ctx, () -> configs(ctx, null)));
        r.get("/v3/clusters/:cluster/topics/:topic/configs/:name").handler(ctx -> Rest.guard(ctx, () ->
                configs(ctx, ctx.pathParam("name"))));
        r.routeWithRegex(io.vertx.core.http.HttpMethod.POST, "/v3/clusters/(?<cluster>[^/]+)/topics/(?<topic>[^/]+)/configs:alter")
                .handler(ctx -> Rest.guard(ctx, () -> alter(ctx)));
    }

    // ---- resources ----

    void checkCluster(RoutingContext ctx) {
        if (!door.clusterId.equals(ctx.pathParam("cluster"))) {
            throw new Rest.Refused(40400, "Cluster " + ctx.pathParam("cluster") + " not found.");
        }
    }

    TopicInfo topicInfo(RoutingContext ctx) {
        checkCluster(ctx);
        String name = ctx.pathParam("topic");
        TopicInfo t = door.logs.manager().topics().get(name);
        if (t == null) {
            throw new Rest.Refused(HttpErrors.TOPIC_NOT_FOUND, "This server does not host this topic-partition.");
        }
        return t;
    }

    static int partitionParam(RoutingContext ctx, TopicInfo t) {
        int p;
        try {
            p = Integer.parseInt(ctx.pathParam("partition"));
        } catch (NumberFormatException e) {
            throw new Rest.Refused(HttpErrors.BAD_REQUEST, "partition must be an integer");
        }
        if (p < 0 || p >= t.partitions()) {
            throw new Rest.Refused(HttpErrors.PARTITION_NOT_FOUND, "This server does not host this topic-partition.");
        }
        return p;
    }

    private JsonObject cluster(RoutingContext ctx) {
        String self = base(ctx) + door.clusterId;
        return new JsonObject().put("kind", "KafkaCluster").put("metadata", Rest.metadata(self, "crn:///kafka=" + door.clusterId))
                .put("cluster_id", door.clusterId).put("controller", Rest.related(self + "/brokers/" + door.nodeId))
                .put("brokers", Rest.related(self + "/brokers")).put("topics", Rest.related(self + "/topics"))
                .put("consumer_groups", Rest.related(self + "/consumer-groups"));
    }

    private JsonObject broker(RoutingContext ctx) {
        String self = base(ctx) + door.clusterId + "/brokers/" + door.nodeId;
        return new JsonObject().put("kind", "KafkaBroker").put("metadata", Rest.metadata(self,
                        "crn:///kafka=" + door.clusterId + "/broker=" + door.nodeId))
                .put("cluster_id", door.clusterId).put("broker_id", door.nodeId)
                .put("host", door.kafka.broker().advertisedHostFor(ctx.request().localAddress().hostName()))
                .put("port", door.kafka.broker().kafkaPort()).putNull("rack");
    }

    String topicUrl(RoutingContext ctx, String topic) {
        return base(ctx) + door.clusterId + "/topics/" + topic;
    }

    private JsonObject topic(RoutingContext ctx, TopicInfo t) {
        String self = topicUrl(ctx, t.name());
        return new JsonObject().put("kind", "KafkaTopic").put("metadata", Rest.metadata(self,
                        "crn:///kafka=" + door.clusterId + "/topic=" + t.name()))
                .put("cluster_id", door.clusterId).put("topic_name", t.name()).put("is_internal", Topic.isInternal(t.name()))
                .put("replication_factor", 1).put("partitions_count", t.partitions())
                .put("partitions", Rest.related(self + "/partitions")).put("configs", Rest.related(self + "/configs"));
    }

    private JsonObject partition(RoutingContext ctx, TopicInfo t, int p) {
        String self = topicUrl(ctx, t.name()) + "/partitions/" + p;
        PartitionLog log = door.logs.partition(new TopicPartition(t.name(), p));
        JsonObject o = new JsonObject().put("kind", "KafkaPartition").put("metadata", Rest.metadata(self,
                        "crn:///kafka=" + door.clusterId + "/topic=" + t.name() + "/partition=" + p))
                .put("cluster_id", door.clusterId).put("topic_name", t.name()).put("partition_id", p)
                .put("leader", Rest.related(self + "/replicas/" + door.nodeId)).put("replicas", Rest.related(self + "/replicas"));
        if (log != null) {
            o.put("earliest_offset", log.logStartOffset()).put("latest_offset", log.highWatermark());
        }
        return o;
    }

    // ---- writes through the Kafka handlers ----

    private void create(RoutingContext ctx) {
        checkCluster(ctx);
        JsonObject b = Rest.body(ctx);
        if (!(b.getValue("topic_name") instanceof String name)) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "topic_name is required");
        }
        Object pc = b.getValue("partitions_count", -1);
        Object rf = b.getValue("replication_factor", -1);
        if (!(pc instanceof Integer partitions) || !(rf instanceof Integer replication)) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "partitions_count and replication_factor are integers");
        }
        CreateTopicsRequestData.CreatableTopic t = new CreateTopicsRequestData.CreatableTopic().setName(name)
                .setNumPartitions(partitions).setReplicationFactor(replication.shortValue());
        for (Object c : b.getJsonArray("configs", new JsonArray())) {
            if (!(c instanceof JsonObject co) || !(co.getValue("name") instanceof String cn) || !(co.getValue("value") instanceof String cv)) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "configs is a list of {\"name\": string, \"value\": string}");
            }
            t.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName(cn).setValue(cv));
        }
        CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(30_000)
                .setValidateOnly(Boolean.TRUE.equals(b.getValue("validate_only")));
        req.topics().add(t);
        Future<CreateTopicsResponseData> f = door.kafka.call(ApiKeys.CREATE_TOPICS, req, "rest");
        Rest.reply(ctx, 201, f.map(resp -> {
            CreateTopicsResponseData.CreatableTopicResult res = resp.topics().find(name);
            if (res.errorCode() != 0) {
                throw Rest.of(Errors.forCode(res.errorCode()), res.errorMessage());
            }
            TopicInfo info = door.logs.manager().topics().get(name);
            return info == null ? new JsonObject().put("kind", "KafkaTopic").put("cluster_id", door.clusterId)
                    .put("topic_name", name).put("partitions_count", res.numPartitions()).put("validate_only", true)
                    : topic(ctx, info);
        }));
    }

    private void delete(RoutingContext ctx) {
        TopicInfo t = topicInfo(ctx);
        DeleteTopicsRequestData req = new DeleteTopicsRequestData().setTimeoutMs(30_000);
        req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(t.name()));
        Future<DeleteTopicsResponseData> f = door.kafka.call(ApiKeys.DELETE_TOPICS, req, "rest");
        Rest.reply(ctx, 204, f.map(resp -> {
            DeleteTopicsResponseData.DeletableTopicResult res = resp.responses().iterator().next();
            if (res.errorCode() != 0) {
                throw Rest.of(Errors.forCode(res.errorCode()), res.errorMessage());
            }
            return null;
        }));
    }

    private void configs(RoutingContext ctx, String only) {
        TopicInfo t = topicInfo(ctx);
        DescribeConfigsRequestData req = new DescribeConfigsRequestData().setIncludeSynonyms(true);
        req.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(t.name())
                .setConfigurationKeys(only == null ? null : List.of(only)));
        Future<DescribeConfigsResponseData> f = door.kafka.call(ApiKeys.DESCRIBE_CONFIGS, req, "rest");
        Rest.reply(ctx, 200, f.map(resp -> {
            DescribeConfigsResponseData.DescribeConfigsResult res = resp.results().get(0);
            if (res.errorCode() != 0) {
                throw Rest.of(Errors.forCode(res.errorCode()), res.errorMessage());
            }
            JsonArray data = new JsonArray();
            for (DescribeConfigsResponseData.DescribeConfigsResourceResult c : res.configs()) {
                data.add(config(ctx, t.name(), c));
            }
            if (only != null) {
                if (data.isEmpty()) {
                    throw new Rest.Refused(40400, "Config " + only + " not found.");
                }
                return data.getJsonObject(0);
            }
            return Rest.list("KafkaTopicConfigList", topicUrl(ctx, t.name()) + "/configs", data);
        }));
    }

    private JsonObject config(RoutingContext ctx, String topic, DescribeConfigsResponseData.DescribeConfigsResourceResult c) {
        String source = source(c.configSource());
        JsonArray synonyms = new JsonArray();
        c.synonyms().forEach(s -> synonyms.add(new JsonObject().put("name", s.name()).put("value", s.value())
                .put("source", source(s.source()))));
        return new JsonObject().put("kind", "KafkaTopicConfig")
                .put("metadata", Rest.metadata(topicUrl(ctx, topic) + "/configs/" + c.name(), null))
                .put("cluster_id", door.clusterId).put("topic_name", topic).put("name", c.name()).put("value", c.value())
                .put("is_default", "DEFAULT_CONFIG".equals(source)).put("is_read_only", c.readOnly())
                .put("is_sensitive", c.isSensitive()).put("source", source).put("synonyms", synonyms);
    }

    private static String source(byte s) {
        try {
            // REST Proxy names sources as the Admin client does (ConfigEntry.ConfigSource)
            String n = DescribeConfigsResponse.ConfigSource.forId(s).name();
            return n.equals("TOPIC_CONFIG") ? "DYNAMIC_TOPIC_CONFIG" : n;
        } catch (RuntimeException e) {
            return "UNKNOWN";
        }
    }

    /** {@code {"data": [{"name", "value", "operation": "SET"|"DELETE"|"APPEND"|"SUBTRACT"}], "validate_only"}} */
    private void alter(RoutingContext ctx) {
        TopicInfo t = topicInfo(ctx);
        JsonObject b = Rest.body(ctx);
        if (!(b.getValue("data") instanceof JsonArray data) || data.isEmpty()) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "data is a non-empty list of {name, value, operation}");
        }
        IncrementalAlterConfigsRequestData.AlterableConfigCollection configs = new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
        Map<String, String> ops = Map.of("SET", "0", "DELETE", "1", "APPEND", "2", "SUBTRACT", "3");
        List<String> names = new ArrayList<>();
        for (Object o : data) {
            if (!(o instanceof JsonObject c) || !(c.getValue("name") instanceof String name)) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "each entry needs a string name");
            }
            String op = String.valueOf(c.getValue("operation", "SET")).toUpperCase(java.util.Locale.ROOT);
            if (!ops.containsKey(op) || (!op.equals("DELETE") && !(c.getValue("value") instanceof String))) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "operation is SET, DELETE, APPEND or SUBTRACT; value a string");
            }
            if (names.contains(name)) {
                throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "config " + name + " appears twice");
            }
            names.add(name);
            configs.add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(name)
                    .setConfigOperation(Byte.parseByte(ops.get(op))).setValue(c.getString("value")));
        }
        IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData()
                .setValidateOnly(Boolean.TRUE.equals(b.getValue("validate_only")));
        req.resources().add(new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(t.name()).setConfigs(configs));
        Future<IncrementalAlterConfigsResponseData> f = door.kafka.call(ApiKeys.INCREMENTAL_ALTER_CONFIGS, req, "rest");
        Rest.reply(ctx, 204, f.map(resp -> {
            IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse res = resp.responses().get(0);
            if (res.errorCode() != 0) {
                throw Rest.of(Errors.forCode(res.errorCode()), res.errorMessage());
            }
            return null;
        }));
    }
}
