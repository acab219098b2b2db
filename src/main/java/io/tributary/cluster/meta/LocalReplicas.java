package io.tributary.cluster.meta;

import io.tributary.kafka.ClusterMetadata;
import io.tributary.log.LogService;
import io.tributary.log.TopicInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * Makes this broker's log hold the cluster's topics: a topic appears locally, with the cluster's topic id,
 * configs and partition count, once its assignment is written. For now every broker holds a log of every
 * partition, also those it holds no replica of, which stay empty (the log's catalog has one partition count
 * per topic, and DescribeConfigs reads topic configs from it); produce and fetch on a partition this broker
 * does not lead are refused with NOT_LEADER_OR_FOLLOWER by the front door whatever the local log holds. A
 * topic deleted from the cluster is deleted here when this broker saw it in this run (a topic deleted while it
 * was down stays, with a log line, until the controller tracks deletions per replica as Kafka's does).
 *
 * <p>Threading: the owner's context; the log's work runs on its workers.
 */
final class LocalReplicas {
    private static final Logger LOG = LoggerFactory.getLogger(LocalReplicas.class);

    private final int self;
    private final MetadataCache cache;
    private final LogService logs;
    private final Set<String> creating = new HashSet<>();
    /** Ids of the cluster's topics seen in this run: a local log of one that is gone from the cluster is deleted. */
    private final Set<org.apache.kafka.common.Uuid> seen = new HashSet<>();
    private final Set<String> warned = new HashSet<>();

    private final Runnable created;
    private final java.util.function.Consumer<String> deleted;

    /**
     * @param created run (on the context) when local logs were created, so roles are taken on them
     * @param deleted told (on the context) of a topic the cluster deleted
     */
    LocalReplicas(int self, MetadataCache cache, LogService logs, Runnable created, java.util.function.Consumer<String> deleted) {
        this.self = self;
        this.cache = cache;
        this.logs = logs;
        this.created = created;
        this.deleted = deleted;
    }

    void changed() {
        if (!cache.loaded()) {
            return;
        }
        ClusterMetadata.Image image = cache.image();
        for (TopicInfo local : logs.manager().topics().values()) {
            if (!seen.contains(local.topicId()) && image.topic(local.name()) == null
                    && !org.apache.kafka.common.internals.Topic.isInternal(local.name()) && warned.add(local.name())) {
                LOG.warn("local topic {} ({}) is not in the cluster's metadata: it is not served (deleted while this "
                        + "broker was down, or from before it joined the cluster)", local.name(), local.topicId());
            }
            if (seen.contains(local.topicId()) && image.topic(local.name()) == null && !creating.contains(local.name())) {
                creating.add(local.name());
                seen.remove(local.topicId());
                deleted.accept(local.name());
                logs.deleteTopic(local.name()).onComplete(ar -> {
                    creating.remove(local.name());
                    if (ar.failed()) {
                        LOG.error("cannot delete the local log of deleted topic {}", local.name(), ar.cause());
                    } else {
                        LOG.info("deleted the local log of topic {} ({}): the cluster deleted it", local.name(), local.topicId());
                    }
                });
            }
        }
        for (ClusterMetadata.Topic t : image.topics().values()) {
            seen.add(t.id());
            if (creating.contains(t.name())) {
                continue;
            }
            TopicInfo local = logs.manager().topic(t.name());
            if (local == null) {
                creating.add(t.name());
                logs.createTopic(t.name(), t.id(), t.partitions().size(), t.configs()).onComplete(ar -> {
                    creating.remove(t.name());
                    if (ar.failed()) {
                        LOG.error("cannot create the local log of topic {} ({})", t.name(), t.id(), ar.cause());
                    } else {
                        LOG.info("created the local log of topic {} ({}, {} partitions)", t.name(), t.id(), t.partitions().size());
                        created.run();
                    }
                });
            } else if (!local.topicId().equals(t.id())) {
                LOG.warn("local topic {} has id {} but the cluster's has {}: left alone", t.name(), local.topicId(), t.id());
            } else if (!local.configOverrides().equals(t.configs()) && cache.hasConfigs(t.name())) {
                creating.add(t.name());
                logs.alterTopicConfig(t.name(), t.configs(), false).onComplete(ar -> {
                    creating.remove(t.name());
                    if (ar.failed()) {
                        LOG.error("cannot apply the cluster's configs {} to the local log of topic {}", t.configs(), t.name(), ar.cause());
                    } else {
                        LOG.info("topic {}: configs {} from the cluster applied to the local log", t.name(), t.configs());
                    }
                });
            } else if (local.partitions() < t.partitions().size()) {
                creating.add(t.name());
                logs.createPartitions(t.name(), t.partitions().size(), false).onComplete(ar -> {
                    creating.remove(t.name());
                    created.run();
                });
            }
        }
    }
}
