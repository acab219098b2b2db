package io.tributary.cluster.meta;

import io.tributary.coord.Codes;
import io.tributary.coord.Op;
import io.tributary.coord.Result;
import io.tributary.kafka.ClusterMetadata;
import io.tributary.log.LogService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Topic changes through the cluster's metadata, done by whichever broker a client asks (as Kafka's brokers did
 * with ZooKeeper): create (assignment and configs in one multi), add partitions (the assignment rewritten with
 * its version), delete (the topic's znodes removed in one multi; every broker then drops its local logs). Each
 * answers once this broker's image shows the outcome — every partition led, or the topic gone — or the
 * request's timeout passed (Kafka's REQUEST_TIMED_OUT).
 *
 * <p>Threading: the cluster verticle's context only.
 */
final class TopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    private final Vertx vertx;
    private final MetaSession session;
    private final MetadataCache cache;
    private final LogService logs;
    private final SecureRandom random = new SecureRandom();
    private final List<Runnable> waiters = new ArrayList<>();

    TopicAdmin(Vertx vertx, MetaSession session, MetadataCache cache, LogService logs) {
        this.vertx = vertx;
        this.session = session;
        this.cache = cache;
        this.logs = logs;
        cache.onChange(() -> new ArrayList<>(waiters).forEach(Runnable::run));
    }

    Future<ClusterMetadata.Topic> create(String name, int partitions, int rf, Map<Integer, List<Integer>> manual,
                                         Map<String, String> configs, boolean validateOnly, long timeoutMs) {
        ClusterMetadata.Image now = cache.image();
        if (now.topic(name) != null) {
            return Future.failedFuture(new TopicExistsException("Topic '" + name + "' already exists."));
        }
        List<Integer> brokers = new ArrayList<>(now.brokers().keySet());
        if (manual == null && rf > brokers.size()) {
            return Future.failedFuture(new InvalidReplicationFactorException("Unable to replicate the partition " + rf
                    + " time(s): The target replication factor of " + rf + " cannot be reached because only "
                    + brokers.size() + " broker(s) are registered."));
        }
        Map<Integer, List<Integer>> assignment = manual != null ? manual
                : TopicAssignments.rackUnaware(partitions, rf, brokers, random);
        // Name, collisions and config values, checked by the log engine as on a single node.
        return logs.createTopic(name, assignment.size(), configs, true).compose(checked -> {
            Uuid id = Uuid.randomUuid();
            List<ClusterMetadata.Partition> planned = assignment.values().stream()
                    .map(r -> new ClusterMetadata.Partition(-1, -1, r, List.of())).toList();
            ClusterMetadata.Topic topic = new ClusterMetadata.Topic(name, id, planned, Map.copyOf(configs));
            if (validateOnly) {
                return Future.succeededFuture(topic);
            }
            return session.callUntilConnected(new Op.Multi(List.of(
                    new Op.Create(KafkaZnodes.topicConfig(name), KafkaZnodes.topicConfig(configs), KafkaZnodes.OPEN, Op.PERSISTENT, 0),
                    new Op.Create(KafkaZnodes.topic(name), KafkaZnodes.topic(new KafkaZnodes.Assignment(id, assignment)),
                            KafkaZnodes.OPEN, Op.PERSISTENT, 0))), timeoutMs).compose(r -> {
                int err = multiError(r);
                if (err == Codes.NODEEXISTS) {
                    return createdBy(name, id, timeoutMs).compose(ours -> ours ? awaitLed(name, timeoutMs)
                            : Future.failedFuture(new TopicExistsException("Topic '" + name + "' already exists.")));
                } else if (err != Codes.OK) {
                    return Future.failedFuture(metadataWriteFailed("writing topic " + name + " to the cluster metadata", err));
                }
                LOG.info("topic {} ({}) created with assignment {}", name, id, assignment);
                return awaitLed(name, timeoutMs);
            });
        });
    }

    /** Whether the topic's znode holds {@code id}: an earlier attempt of this very create, retried, made it. */
    private Future<Boolean> createdBy(String name, Uuid id, long timeoutMs) {
        return session.callUntilConnected(new Op.GetData(KafkaZnodes.topic(name), false), timeoutMs).map(r ->
                r.err() == Codes.OK && id.equals(KafkaZnodes.topic(((Result.Data) r.value()).data()).topicId()));
    }

    Future<Void> createPartitions(String name, int total, List<List<Integer>> manual, boolean validateOnly, long timeoutMs) {
        KafkaZnodes.Assignment current = cache.topics().get(name);
        if (current == null) {
            return Future.failedFuture(new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
        }
        if (!current.adding().isEmpty() || !current.removing().isEmpty()) {
            return Future.failedFuture(new org.apache.kafka.common.errors.ReassignmentInProgressException(
                    "A partition reassignment is in progress for the topic '" + name + "'."));
        }
        int have = current.replicas().size();
        if (total < have) {
            return Future.failedFuture(new InvalidPartitionsException("Topic currently has " + have
                    + " partitions, which is higher than the requested " + total + "."));
        } else if (total == have) {
            return Future.failedFuture(new InvalidPartitionsException("Topic already has " + have + " partitions."));
        }
        int rf = current.replicas().get(0).size();
        List<Integer> brokers = new ArrayList<>(cache.image().brokers().keySet());
        if (manual == null && rf > brokers.size()) {
            return Future.failedFuture(new InvalidReplicationFactorException("Unable to replicate the partition " + rf
                    + " time(s): The target replication factor of " + rf + " cannot be reached because only "
                    + brokers.size() + " broker(s) are registered."));
        }
        Map<Integer, List<Integer>> next = new TreeMap<>(current.replicas());
        Map<Integer, List<Integer>> added = manual == null
                ? TopicAssignments.rackUnaware(total - have, rf, brokers, random) : null;
        for (int i = 0; i < total - have; i++) {
            next.put(have + i, manual == null ? added.get(i) : List.copyOf(manual.get(i)));
        }
        if (validateOnly) {
            return Future.succeededFuture();
        }
        return session.callUntilConnected(new Op.Exists(KafkaZnodes.topic(name), false), timeoutMs).compose(e -> {
            if (e.err() != Codes.OK) {
                return Future.failedFuture(new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
            }
            int version = ((org.apache.zookeeper.data.Stat) e.value()).getVersion();
            return session.callUntilConnected(new Op.SetData(KafkaZnodes.topic(name),
                    KafkaZnodes.topic(new KafkaZnodes.Assignment(current.topicId(), next)), version), timeoutMs);
        }).compose(r -> {
            if (r.err() == Codes.BADVERSION) {
                return Future.failedFuture(new InvalidPartitionsException("Topic " + name + " changed concurrently; retry."));
            } else if (r.err() != Codes.OK) {
                return Future.failedFuture(metadataWriteFailed("writing the partitions of " + name, r.err()));
            }
            LOG.info("topic {}: partitions {}..{} added with assignment {}", name, have, total - 1, next);
            return awaitLed(name, timeoutMs).<Void>mapEmpty();
        });
    }

    /** Writes the topic's config overrides to {@code /config/topics/T} (created if an older cluster lacks it). */
    Future<Void> alterConfig(String name, Map<String, String> overrides) {
        if (cache.topics().get(name) == null) {
            return Future.failedFuture(new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist."));
        }
        byte[] data = KafkaZnodes.topicConfig(overrides);
        return session.callUntilConnected(new Op.SetData(KafkaZnodes.topicConfig(name), data, -1), 30_000).compose(r -> {
            if (r.err() == Codes.NONODE) {
                return session.callUntilConnected(new Op.Create(KafkaZnodes.topicConfig(name), data, KafkaZnodes.OPEN,
                        Op.PERSISTENT, 0), 30_000);
            }
            return Future.succeededFuture(r);
        }).compose(r -> {
            if (r.err() != Codes.OK && r.err() != Codes.NODEEXISTS) {
                return Future.failedFuture(metadataWriteFailed("writing the configs of topic " + name, r.err()));
            }
            LOG.info("topic {}: config overrides now {}", name, overrides);
            // Answered once this broker's metadata shows them, so its own log is not set back to the old ones.
            return await(30_000, "the configs of topic " + name, image -> image.topic(name) == null
                    || image.topic(name).configs().equals(overrides)).<Void>mapEmpty();
        });
    }

    Future<Void> delete(String name, long timeoutMs) {
        KafkaZnodes.Assignment a = cache.topics().get(name);
        if (a == null) {
            return Future.failedFuture(new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
        }
        return session.callUntilConnected(new Op.GetChildren(KafkaZnodes.partitions(name), false), timeoutMs).compose(children -> {
            List<Op> ops = new ArrayList<>();
            if (children.err() == Codes.OK) {
                for (String p : ((Result.Children) children.value()).children()) {
                    String partition = KafkaZnodes.partitions(name) + "/" + p;
                    ops.add(new Op.Delete(partition + "/state", -1));
                    ops.add(new Op.Delete(partition, -1));
                }
                ops.add(new Op.Delete(KafkaZnodes.partitions(name), -1));
            }
            ops.add(new Op.Delete(KafkaZnodes.topic(name), -1));
            return session.callUntilConnected(new Op.Multi(ops), timeoutMs);
        }).compose(r -> {
            int err = multiError(r);
            if (err == Codes.NONODE) {
                return Future.failedFuture(new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
            } else if (err != Codes.OK) {
                return Future.failedFuture(metadataWriteFailed("deleting topic " + name, err));
            }
            session.call(new Op.Delete(KafkaZnodes.topicConfig(name), -1));
            LOG.info("topic {} ({}) deleted", name, a.topicId());
            return await(timeoutMs, "the deletion of topic " + name, image -> image.topic(name) == null).mapEmpty();
        });
    }

    private static int multiError(Result r) {
        if (r.err() != Codes.OK) {
            return r.err();
        }
        for (Result each : ((Result.Multi) r.value()).results()) {
            if (each.err() != Codes.OK && each.err() != Codes.RUNTIMEINCONSISTENCY) {
                return each.err();
            }
        }
        return Codes.OK;
    }

    /** Waits until this broker's image shows a leader for every partition of the topic (Kafka's DelayedCreatePartitions). */
    private Future<ClusterMetadata.Topic> awaitLed(String name, long timeoutMs) {
        return await(timeoutMs, "the leaders of topic " + name, image -> {
            ClusterMetadata.Topic t = image.topic(name);
            return t != null && t.partitions().stream().allMatch(x -> x.leader() >= 0);
        }).map(image -> image.topic(name));
    }

    private Future<ClusterMetadata.Image> await(long timeoutMs, String what, Predicate<ClusterMetadata.Image> done) {
        Promise<ClusterMetadata.Image> p = Promise.promise();
        Runnable[] check = new Runnable[1];
        long timer = vertx.setTimer(Math.max(1, timeoutMs), t -> {
            waiters.remove(check[0]);
            p.tryFail(new TimeoutException("Timed out waiting for " + what));
        });
        check[0] = () -> {
            ClusterMetadata.Image image = cache.image();
            if (done.test(image)) {
                waiters.remove(check[0]);
                vertx.cancelTimer(timer);
                p.tryComplete(image);
            }
        };
        waiters.add(check[0]);
        check[0].run();
        return p.future();
    }

    /**
     * A metadata write that did not succeed: still not committed when the request's timeout ran out (the
     * coordination service electing, this broker reconnecting) is Kafka's REQUEST_TIMED_OUT, as when Kafka's
     * controller cannot reach ZooKeeper in time; anything else is unexpected.
     */
    private static RuntimeException metadataWriteFailed(String what, int err) {
        if (MetaSession.isTransient(err)) {
            return new TimeoutException(what + " was not committed within the request's timeout (coordination error "
                    + err + ")");
        }
        return new UnknownServerException(what + " failed with coordination error " + err);
    }
}
