package io.tributary.http;

import io.tributary.group.GroupCoordinator;
import io.tributary.log.PartitionLog;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.tributary.group.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * REST v3 consumer groups: list, describe (state, members, assignments), {@code /lags} and
 * {@code /lag-summary} (current offset, log end, lag, and {@code lag_ms}: the age of the oldest unconsumed
 * record), offset reset ({@code POST /consumer-groups/{g}/offsets:reset}: earliest, latest, timestamp or
 * offset, with {@code dry_run}), delete. Everything goes through {@link io.tributary.group.GroupService} —
 * the group coordinator the Kafka handlers use; a reset is a simple commit (generation -1), which is what
 * {@code kafka-consumer-groups.sh --reset-offsets} sends, so it is refused unless the group is empty.
 */
final class RestGroups {
    private final HttpFrontDoor door;
    private final RestTopics topics;

    RestGroups(HttpFrontDoor door, RestTopics topics) {
        this.door = door;
        this.topics = topics;
    }

    void mount(Router r) {
        String g = "/v3/clusters/:cluster/consumer-groups";
        r.get(g).handler(ctx -> Rest.guard(ctx, () -> list(ctx)));
        r.get(g + "/:group").handler(ctx -> Rest.guard(ctx, () -> describe(ctx, false)));
        r.delete(g + "/:group").handler(ctx -> Rest.guard(ctx, () -> delete(ctx)));
        r.get(g + "/:group/consumers").handler(ctx -> Rest.guard(ctx, () -> describe(ctx, true)));
        r.get(g + "/:group/lags").handler(ctx -> Rest.guard(ctx, () -> lags(ctx, false)));
        r.get(g + "/:group/lag-summary").handler(ctx -> Rest.guard(ctx, () -> lags(ctx, true)));
        r.routeWithRegex(io.vertx.core.http.HttpMethod.POST, "/v3/clusters/(?<cluster>[^/]+)/consumer-groups/(?<group>[^/]+)/offsets:reset")
                .handler(ctx -> Rest.guard(ctx, () -> reset(ctx)));
    }

    private String url(RoutingContext ctx, String group) {
        return RestTopics.base(ctx) + door.clusterId + "/consumer-groups" + (group == null ? "" : "/" + group);
    }

    private void list(RoutingContext ctx) {
        topics.checkCluster(ctx);
        Rest.reply(ctx, 200, door.groups.call(c -> c.listGroups(Set.of())).map(groups -> {
            if (groups == null) {
                throw new Rest.Refused(HttpErrors.UNAVAILABLE, "the group coordinator is loading __consumer_offsets");
            }
            JsonArray data = new JsonArray();
            groups.stream().sorted((a, b) -> a.groupId().compareTo(b.groupId())).forEach(l -> data.add(new JsonObject()
                    .put("kind", "KafkaConsumerGroup").put("metadata", Rest.metadata(url(ctx, l.groupId()), null))
                    .put("cluster_id", door.clusterId).put("consumer_group_id", l.groupId()).put("state", l.state().toUpperCase())
                    .put("is_simple", l.protocolType().isEmpty())));
            return Rest.list("KafkaConsumerGroupList", url(ctx, null), data);
        }));
    }

    private void describe(RoutingContext ctx, boolean consumersOnly) {
        topics.checkCluster(ctx);
        String group = ctx.pathParam("group");
        Rest.reply(ctx, 200, door.groups.call(c -> c.describeGroup(group)).map(d -> {
            if (d.error() != Errors.NONE) {
                throw Rest.of(d.error(), null);
            }
            if (!d.found()) {
                throw new Rest.Refused(HttpErrors.GROUP_NOT_FOUND, "Consumer group " + group + " not found.");
            }
            JsonArray consumers = new JsonArray();
            for (GroupCoordinator.MemberDescription m : d.members()) {
                JsonArray assignments = new JsonArray();
                for (TopicPartition tp : assignment(d.protocolType(), m.assignment())) {
                    assignments.add(new JsonObject().put("topic_name", tp.topic()).put("partition_id", tp.partition()));
                }
                consumers.add(new JsonObject().put("kind", "KafkaConsumer").put("cluster_id", door.clusterId)
                        .put("consumer_group_id", group).put("consumer_id", m.memberId()).put("instance_id", m.groupInstanceId())
                        .put("client_id", m.clientId()).put("client_host", m.clientHost()).put("assignments", assignments));
            }
            if (consumersOnly) {
                return Rest.list("KafkaConsumerList", url(ctx, group) + "/consumers", consumers);
            }
            return new JsonObject().put("kind", "KafkaConsumerGroup").put("metadata", Rest.metadata(url(ctx, group), null))
                    .put("cluster_id", door.clusterId).put("consumer_group_id", group)
                    .put("is_simple", d.protocolType().isEmpty()).put("partition_assignor", d.protocolData())
                    .put("state", d.state().toUpperCase()).put("coordinator", Rest.related(RestTopics.base(ctx) + door.clusterId
                            + "/brokers/" + door.nodeId))
                    .put("consumers", consumers).put("lag_summary", Rest.related(url(ctx, group) + "/lag-summary"));
        }));
    }

    private static List<TopicPartition> assignment(String protocolType, byte[] bytes) {
        if (!"consumer".equals(protocolType) || bytes == null || bytes.length == 0) {
            return List.of();
        }
        try {
            return ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(bytes)).partitions();
        } catch (RuntimeException e) {
            return List.of(); // not the consumer protocol's layout: shown without assignments
        }
    }

    /** One partition's lag: committed offset, log end, lag, age of the oldest unconsumed record. */
    private record Lag(TopicPartition tp, long current, long end, long lag, long lagMs, String consumer, String instance,
                       String client) {
    }

    private void lags(RoutingContext ctx, boolean summary) {
        topics.checkCluster(ctx);
        String group = ctx.pathParam("group");
        Future<GroupCoordinator.GroupDescription> described = door.groups.call(c -> c.describeGroup(group));
        Future<Map<TopicPartition, OffsetAndMetadata>> offsets = door.groups.call(c -> c.fetchOffsets(group, null));
        Rest.reply(ctx, 200, Future.all(described, offsets).compose(v -> {
            GroupCoordinator.GroupDescription d = described.result();
            Map<TopicPartition, OffsetAndMetadata> committed = offsets.result();
            if (committed == null || d.error() != Errors.NONE) {
                throw new Rest.Refused(HttpErrors.UNAVAILABLE, "the group coordinator is loading __consumer_offsets");
            }
            if (!d.found() && committed.isEmpty()) {
                throw new Rest.Refused(HttpErrors.GROUP_NOT_FOUND, "Consumer group " + group + " not found.");
            }
            Map<TopicPartition, GroupCoordinator.MemberDescription> owner = new HashMap<>();
            for (GroupCoordinator.MemberDescription m : d.members()) {
                assignment(d.protocolType(), m.assignment()).forEach(tp -> owner.put(tp, m));
            }
            List<Future<Lag>> each = new ArrayList<>();
            new TreeMap<TopicPartition, OffsetAndMetadata>((a, b) -> a.toString().compareTo(b.toString())) {{
                putAll(committed);
            }}.forEach((tp, om) -> each.add(lag(tp, om.offset(), owner.get(tp))));
            return Future.all(each).map(all -> {
                List<Lag> lags = new ArrayList<>();
                for (Future<Lag> f : each) {
                    if (f.result() != null) {
                        lags.add(f.result());
                    }
                }
                return summary ? summary(ctx, group, lags) : Rest.list("KafkaConsumerLagList", url(ctx, group) + "/lags",
                        new JsonArray(lags.stream().map(l -> (Object) lagJson(group, l)).toList()));
            });
        }));
    }

    private Future<Lag> lag(TopicPartition tp, long current, GroupCoordinator.MemberDescription m) {
        PartitionLog log = door.logs.partition(tp);
        if (log == null) {
            return Future.succeededFuture(null); // topic deleted since the commit
        }
        long end = log.highWatermark();
        long lag = Math.max(0, end - Math.max(current, log.logStartOffset()));
        String consumer = m == null ? "" : m.memberId();
        String instance = m == null ? null : m.groupInstanceId();
        String client = m == null ? "" : m.clientId();
        if (lag == 0) {
            return Future.succeededFuture(new Lag(tp, current, end, 0, 0, consumer, instance, client));
        }
        long from = Math.max(current, log.logStartOffset());
        return door.logs.readToHeap(tp, from, 1, true).map(records -> {
            long ts = -1;
            outer:
            for (RecordBatch b : records.batches()) {
                for (Record r : b) {
                    if (r.offset() >= from) {
                        ts = r.timestamp();
                        break outer;
                    }
                }
            }
            long age = ts < 0 ? 0 : Math.max(0, System.currentTimeMillis() - ts);
            return new Lag(tp, current, end, lag, age, consumer, instance, client);
        });
    }

    private JsonObject lagJson(String group, Lag l) {
        return new JsonObject().put("kind", "KafkaConsumerLag").put("cluster_id", door.clusterId)
                .put("consumer_group_id", group).put("topic_name", l.tp().topic()).put("partition_id", l.tp().partition())
                .put("current_offset", l.current()).put("log_end_offset", l.end()).put("lag", l.lag()).put("lag_ms", l.lagMs())
                .put("consumer_id", l.consumer()).put("instance_id", l.instance()).put("client_id", l.client());
    }

    private JsonObject summary(RoutingContext ctx, String group, List<Lag> lags) {
        Lag max = lags.stream().max((a, b) -> Long.compare(a.lag(), b.lag())).orElse(null);
        long total = lags.stream().mapToLong(Lag::lag).sum();
        long maxMs = lags.stream().mapToLong(Lag::lagMs).max().orElse(0);
        JsonObject o = new JsonObject().put("kind", "KafkaConsumerGroupLagSummary")
                .put("metadata", Rest.metadata(url(ctx, group) + "/lag-summary", null))
                .put("cluster_id", door.clusterId).put("consumer_group_id", group).put("total_lag", total).put("max_lag_ms", maxMs);
        if (max != null) {
            o.put("max_lag", max.lag()).put("max_lag_topic_name", max.tp().topic()).put("max_lag_partition_id", max.tp().partition())
                    .put("max_lag_consumer_id", max.consumer()).put("max_lag_instance_id", max.instance())
                    .put("max_lag_client_id", max.client());
        } else {
            o.put("max_lag", 0);
        }
        return o;
    }

    /** {@code {"topic", "partitions"?: [..], "to": "earliest"|"latest"|"timestamp"|"offset", "timestamp"?, "offset"?, "dry_run"?}} */
    private void reset(RoutingContext ctx) {
        topics.checkCluster(ctx);
        String group = ctx.pathParam("group");
        JsonObject b = Rest.body(ctx);
        if (!(b.getValue("topic") instanceof String topic)) {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "topic is required");
        }
        TopicInfo info = door.logs.manager().topics().get(topic);
        if (info == null) {
            throw new Rest.Refused(HttpErrors.TOPIC_NOT_FOUND, "Topic " + topic + " not found.");
        }
        List<Integer> parts = new ArrayList<>();
        Object ps = b.getValue("partitions");
        if (ps == null) {
            for (int p = 0; p < info.partitions(); p++) {
                parts.add(p);
            }
        } else if (ps instanceof JsonArray arr) {
            for (Object o : arr) {
                if (!(o instanceof Integer p) || p < 0 || p >= info.partitions()) {
                    throw new Rest.Refused(HttpErrors.PARTITION_NOT_FOUND, "partition " + o + " of " + topic + " not found");
                }
                parts.add(p);
            }
        } else {
            throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "partitions is a list of numbers");
        }
        String to = String.valueOf(b.getValue("to"));
        long arg;
        switch (to) {
            case "earliest", "latest" -> arg = 0;
            case "timestamp", "offset" -> {
                if (!(b.getValue(to) instanceof Number n) || n.longValue() < 0) {
                    throw new Rest.Refused(42202, to + " must be a non-negative number");
                }
                arg = n.longValue();
            }
            default -> throw new Rest.Refused(HttpErrors.INVALID_PAYLOAD, "to is earliest, latest, timestamp or offset");
        }
        boolean dryRun = Boolean.TRUE.equals(b.getValue("dry_run"));
        Map<TopicPartition, Future<Long>> targets = new LinkedHashMap<>();
        for (int p : parts) {
            TopicPartition tp = new TopicPartition(topic, p);
            PartitionLog log = door.logs.partition(tp);
            if (log == null) {
                throw new Rest.Refused(HttpErrors.PARTITION_NOT_FOUND, tp + " not found");
            }
            targets.put(tp, switch (to) {
                case "earliest" -> Future.succeededFuture(log.logStartOffset());
                case "latest" -> Future.succeededFuture(log.highWatermark());
                case "offset" -> Future.succeededFuture(Math.max(log.logStartOffset(), Math.min(arg, log.highWatermark())));
                default -> door.logs.offsetForTimestamp(tp, arg).map(found -> found.map(t -> t.offset).orElse(log.highWatermark()));
            });
        }
        Future<Map<TopicPartition, OffsetAndMetadata>> before = door.groups.call(c -> c.fetchOffsets(group, new ArrayList<>(targets.keySet())));
        Rest.reply(ctx, 200, Future.all(new ArrayList<>(targets.values())).compose(v -> before).compose(current -> {
            Map<TopicPartition, OffsetAndMetadata> commits = new LinkedHashMap<>();
            targets.forEach((tp, f) -> commits.put(tp, new OffsetAndMetadata(f.result(), -1, "", -1)));
            JsonArray data = new JsonArray();
            commits.forEach((tp, om) -> {
                OffsetAndMetadata was = current == null ? null : current.get(tp);
                data.add(new JsonObject().put("topic_name", tp.topic()).put("partition_id", tp.partition())
                        .put("current_offset", was == null ? null : was.offset()).put("new_offset", om.offset()));
            });
            JsonObject answer = new JsonObject().put("consumer_group_id", group).put("dry_run", dryRun).put("data", data);
            if (dryRun) {
                return Future.succeededFuture(answer);
            }
            return door.groups.<String>call(c -> c.groupState(group)).compose(s -> {
                if (s != null && !s.equals("Empty") && !s.equals("Dead")) {
                    throw new Rest.Refused(40901, "Assignments can only be reset if the group '" + group
                            + "' is inactive, but the current state is " + s + ".");
                }
                return door.groups.<Map<TopicPartition, Errors>>callAsync((c, done) -> c.commitOffsets(group, "", null, -1, commits, done));
            }).map(errors -> {
                for (Map.Entry<TopicPartition, Errors> e : errors.entrySet()) {
                    if (e.getValue() != Errors.NONE) {
                        throw Rest.of(e.getValue(), e.getKey() + ": " + e.getValue().message());
                    }
                }
                return answer;
            });
        }));
    }

    private void delete(RoutingContext ctx) {
        topics.checkCluster(ctx);
        String group = ctx.pathParam("group");
        Rest.reply(ctx, 204, door.groups.<Map<String, Errors>>callAsync((c, done) -> c.deleteGroups(List.of(group), done)).map(r -> {
            Errors e = r.getOrDefault(group, Errors.NONE);
            if (e != Errors.NONE) {
                throw Rest.of(e, e == Errors.NON_EMPTY_GROUP ? "The group is not empty." : null);
            }
            return null;
        }));
    }
}
