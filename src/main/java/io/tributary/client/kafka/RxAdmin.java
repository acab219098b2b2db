package io.tributary.client.kafka;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.tributary.client.internal.Rx;
import io.tributary.client.kafka.internal.KafkaCluster;
import io.tributary.client.kafka.internal.MetadataImage;
import io.tributary.client.kafka.internal.Offsets;
import io.vertx.core.Future;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Admin basics over the Kafka protocol. Every method is cold: nothing is sent until the result is subscribed to.
 */
public final class RxAdmin {
    private final KafkaCluster cluster;

    RxAdmin(KafkaCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Creates a topic and completes once every partition has a leader (so a producer can use it at once).
     * Fails with {@code TopicExistsException} if it exists.
     */
    public Completable createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        return Rx.completable(() -> cluster.loop().call(() -> {
            CreateTopicsRequestData.CreatableTopicConfigCollection cfgs =
                    new CreateTopicsRequestData.CreatableTopicConfigCollection();
            configs.forEach((k, v) -> cfgs.add(new CreateTopicsRequestData.CreatableTopicConfig().setName(k).setValue(v)));
            CreateTopicsRequestData.CreatableTopicCollection topics = new CreateTopicsRequestData.CreatableTopicCollection();
            topics.add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(partitions)
                    .setReplicationFactor(replicationFactor).setConfigs(cfgs));
            CreateTopicsRequestData req = new CreateTopicsRequestData().setTopics(topics)
                    .setTimeoutMs((int) cluster.options().requestTimeoutMs());
            return cluster.any().compose(c -> c.<CreateTopicsResponseData>call(ApiKeys.CREATE_TOPICS, req))
                    .compose(resp -> {
                        CreateTopicsResponseData.CreatableTopicResult r = resp.topics().find(name);
                        Errors err = r == null ? Errors.UNKNOWN_SERVER_ERROR : Errors.forCode(r.errorCode());
                        if (err != Errors.NONE) {
                            String msg = r != null && r.errorMessage() != null ? r.errorMessage() : err.message();
                            return Future.failedFuture(err.exception(msg));
                        }
                        return cluster.topicWithLeaders(name).mapEmpty();
                    });
        }));
    }

    /** Deletes a topic. */
    public Completable deleteTopic(String name) {
        return Rx.completable(() -> cluster.loop().call(() -> {
            DeleteTopicsRequestData req = new DeleteTopicsRequestData()
                    .setTimeoutMs((int) cluster.options().requestTimeoutMs());
            return cluster.any().compose(c -> {
                if (c.version(ApiKeys.DELETE_TOPICS) >= 6) {
                    req.setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(name)
                            .setTopicId(Uuid.ZERO_UUID)));
                } else {
                    req.setTopicNames(List.of(name));
                }
                return c.<DeleteTopicsResponseData>call(ApiKeys.DELETE_TOPICS, req);
            }).compose(resp -> {
                for (DeleteTopicsResponseData.DeletableTopicResult r : resp.responses()) {
                    Errors err = Errors.forCode(r.errorCode());
                    if (err != Errors.NONE) {
                        return Future.failedFuture(err.exception(r.errorMessage() != null ? r.errorMessage()
                                : err.message()));
                    }
                }
                return Future.succeededFuture();
            });
        }));
    }

    /** The topic's partitions and leaders, from a fresh Metadata request. */
    public Single<TopicDescription> describeTopic(String name) {
        return Rx.single(() -> cluster.loop().call(() -> cluster.refresh(List.of(name)).compose(img -> {
            MetadataImage.TopicMeta t = img.topic(name);
            if (t == null || t.error() != Errors.NONE) {
                Errors err = t == null ? Errors.UNKNOWN_TOPIC_OR_PARTITION : t.error();
                return Future.failedFuture(err.exception(name + ": " + err.message()));
            }
            List<TopicDescription.Partition> ps = new ArrayList<>();
            for (MetadataImage.PartitionMeta p : t.partitions()) {
                ps.add(new TopicDescription.Partition(p.partition(), p.leader(), p.leaderEpoch()));
            }
            String id = t.topicId() == null || Uuid.ZERO_UUID.equals(t.topicId()) ? null : t.topicId().toString();
            return Future.succeededFuture(new TopicDescription(name, id, List.copyOf(ps)));
        })));
    }

    /** The log end offset of every partition of {@code topic}. */
    public Single<Map<Integer, Long>> endOffsets(String topic) {
        return offsets(topic, Offsets.LATEST);
    }

    /** The log start offset of every partition of {@code topic}. */
    public Single<Map<Integer, Long>> beginningOffsets(String topic) {
        return offsets(topic, Offsets.EARLIEST);
    }

    private Single<Map<Integer, Long>> offsets(String topic, long ts) {
        return Rx.single(() -> cluster.loop().call(() -> cluster.topicWithLeaders(topic).compose(meta ->
                Offsets.list(cluster, topic, IntStream.range(0, meta.partitions().size()).boxed()
                        .collect(Collectors.toList()), ts))));
    }
}
