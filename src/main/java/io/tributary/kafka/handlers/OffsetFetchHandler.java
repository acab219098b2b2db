package io.tributary.kafka.handlers;

import io.tributary.group.OffsetAndMetadata;
import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.tributary.log.TopicInfo;
import io.vertx.core.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * OffsetFetch (v1-10): one group (v1-7) or several (v8+), the listed partitions or all the group's
 * (null topics, v2+), topics by name or by id (v10). A partition without a committed offset answers
 * offset -1 with no error, as Kafka does. While the coordinator loads, the group (v8+), the top level
 * (v2-7) or each partition (v1) carries COORDINATOR_LOAD_IN_PROGRESS.
 */
public final class OffsetFetchHandler implements ApiHandler {
    private final KafkaBroker broker;

    public OffsetFetchHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    /** One group's question: the partitions asked for, or null for all of them. */
    private record Ask(String groupId, List<TopicPartition> partitions, List<TopicPartition> unknownTopics,
                       Map<String, Uuid> unknownIds) {
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        OffsetFetchRequestData req = ((OffsetFetchRequest) request).data();
        short version = request.version();
        boolean byId = version >= 10;
        List<Ask> asks = new ArrayList<>();
        if (version < 8) {
            List<TopicPartition> parts = null;
            if (req.topics() != null) {
                parts = new ArrayList<>();
                for (OffsetFetchRequestTopic t : req.topics()) {
                    for (int p : t.partitionIndexes()) {
                        parts.add(new TopicPartition(t.name(), p));
                    }
                }
            }
            asks.add(new Ask(req.groupId(), parts, List.of(), Map.of()));
        } else {
            for (OffsetFetchRequestGroup g : req.groups()) {
                List<TopicPartition> parts = null;
                List<TopicPartition> unknown = new ArrayList<>();
                Map<String, Uuid> unknownIds = new LinkedHashMap<>();
                if (g.topics() != null) {
                    parts = new ArrayList<>();
                    for (OffsetFetchRequestTopics t : g.topics()) {
                        String name = t.name();
                        if (byId) {
                            TopicInfo info = broker.logs().manager().topicById(t.topicId());
                            if (info == null) {
                                String placeholder = "\u0000" + t.topicId();
                                unknownIds.put(placeholder, t.topicId());
                                for (int p : t.partitionIndexes()) {
                                    unknown.add(new TopicPartition(placeholder, p));
                                }
                                continue;
                            }
                            name = info.name();
                        }
                        for (int p : t.partitionIndexes()) {
                            parts.add(new TopicPartition(name, p));
                        }
                    }
                }
                asks.add(new Ask(g.groupId(), parts, unknown, unknownIds));
            }
        }
        return broker.groups().call(c -> {
            List<Map<TopicPartition, OffsetAndMetadata>> found = new ArrayList<>();
            List<Errors> errors = new ArrayList<>();
            for (Ask a : asks) {
                found.add(c.fetchOffsets(a.groupId(), a.partitions()));
                errors.add(c.availability(a.groupId()));
            }
            return new Fetched(found, errors);
        }).map(f -> version < 8 ? single(asks.get(0), f.found().get(0), f.errors().get(0), version) : batched(asks, f, byId));
    }

    /** Per asked group: its offsets, or null with the reason (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS). */
    private record Fetched(List<Map<TopicPartition, OffsetAndMetadata>> found, List<Errors> errors) {
    }

    /** The partitions to answer: those asked for, or every committed one when all were asked for. */
    private static List<TopicPartition> answerFor(Ask ask, Map<TopicPartition, OffsetAndMetadata> found) {
        return ask.partitions() != null ? ask.partitions() : new ArrayList<>(found.keySet());
    }

    private static ApiMessage single(Ask ask, Map<TopicPartition, OffsetAndMetadata> found, Errors unavailable, short version) {
        OffsetFetchResponseData resp = new OffsetFetchResponseData();
        boolean loading = found == null;
        if (loading && version >= 2) {
            return resp.setErrorCode(unavailable.code());
        }
        Map<String, OffsetFetchResponseTopic> topics = new LinkedHashMap<>();
        List<TopicPartition> partitions = loading ? (ask.partitions() == null ? List.of() : ask.partitions()) : answerFor(ask, found);
        for (TopicPartition tp : sorted(partitions, ask.partitions() == null)) {
            OffsetAndMetadata om = loading ? null : found.get(tp);
            OffsetFetchResponsePartition p = new OffsetFetchResponsePartition()
                    .setPartitionIndex(tp.partition())
                    .setCommittedOffset(om == null ? -1 : om.offset())
                    .setMetadata(om == null ? "" : om.metadata())
                    .setErrorCode(loading ? unavailable.code() : Errors.NONE.code());
            if (version >= 5) {
                p.setCommittedLeaderEpoch(om == null ? -1 : om.leaderEpoch());
            }
            topics.computeIfAbsent(tp.topic(), n -> new OffsetFetchResponseTopic().setName(n)).partitions().add(p);
        }
        resp.setTopics(new ArrayList<>(topics.values()));
        return resp;
    }

    private ApiMessage batched(List<Ask> asks, Fetched fetched, boolean byId) {
        OffsetFetchResponseData resp = new OffsetFetchResponseData();
        for (int i = 0; i < asks.size(); i++) {
            Ask ask = asks.get(i);
            Map<TopicPartition, OffsetAndMetadata> offsets = fetched.found().get(i);
            OffsetFetchResponseGroup g = new OffsetFetchResponseGroup().setGroupId(ask.groupId());
            resp.groups().add(g);
            if (offsets == null) {
                g.setErrorCode(fetched.errors().get(i).code());
                continue;
            }
            Map<String, OffsetFetchResponseTopics> topics = new LinkedHashMap<>();
            for (TopicPartition tp : sorted(answerFor(ask, offsets), ask.partitions() == null)) {
                OffsetFetchResponseTopics t = topics.get(tp.topic());
                if (t == null) {
                    t = new OffsetFetchResponseTopics();
                    if (byId) {
                        TopicInfo info = broker.logs().manager().topic(tp.topic());
                        if (info == null) {
                            continue; // committed for a topic that no longer exists: it has no id to show
                        }
                        t.setTopicId(info.topicId());
                    } else {
                        t.setName(tp.topic());
                    }
                    topics.put(tp.topic(), t);
                }
                OffsetAndMetadata om = offsets.get(tp);
                t.partitions().add(new OffsetFetchResponsePartitions()
                        .setPartitionIndex(tp.partition())
                        .setCommittedOffset(om == null ? -1 : om.offset())
                        .setCommittedLeaderEpoch(om == null ? -1 : om.leaderEpoch())
                        .setMetadata(om == null ? "" : om.metadata())
                        .setErrorCode(Errors.NONE.code()));
            }
            for (TopicPartition tp : ask.unknownTopics()) {
                OffsetFetchResponseTopics t = topics.computeIfAbsent(tp.topic(),
                        n -> new OffsetFetchResponseTopics().setTopicId(ask.unknownIds().get(n)));
                t.partitions().add(new OffsetFetchResponsePartitions().setPartitionIndex(tp.partition())
                        .setCommittedOffset(-1).setMetadata("").setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
            }
            g.setTopics(new ArrayList<>(topics.values()));
        }
        return resp;
    }

    /** All-partition answers come out grouped by topic in a stable order; explicit ones in request order. */
    private static List<TopicPartition> sorted(List<TopicPartition> parts, boolean sort) {
        if (!sort) {
            return parts;
        }
        TreeMap<String, TreeMap<Integer, TopicPartition>> byTopic = new TreeMap<>();
        parts.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), k -> new TreeMap<>()).put(tp.partition(), tp));
        List<TopicPartition> out = new ArrayList<>();
        byTopic.values().forEach(m -> out.addAll(m.values()));
        return out;
    }
}
