package io.tributary.client.kafka.internal.group;

import io.tributary.client.kafka.internal.KafkaCluster;
import io.tributary.client.kafka.internal.MetadataImage;
import io.vertx.core.Future;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the group's leader does between JoinGroup and SyncGroup: reads every member's subscription (kafka-clients'
 * {@link ConsumerProtocol}), looks up the subscribed topics, runs the assignor the group chose over them and
 * serializes one assignment per member (members the assignor leaves out get an empty one).
 */
final class LeaderAssignment {
    private LeaderAssignment() {
    }

    static Future<List<SyncGroupRequestData.SyncGroupRequestAssignment>> assign(
            KafkaCluster cluster, ConsumerPartitionAssignor assignor, List<JoinGroupResponseData.JoinGroupResponseMember> members) {
        Map<String, ConsumerPartitionAssignor.Subscription> subscriptions = new HashMap<>();
        Set<String> topics = new LinkedHashSet<>();
        for (JoinGroupResponseData.JoinGroupResponseMember m : members) {
            ConsumerPartitionAssignor.Subscription s = ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(m.metadata()));
            s.setGroupInstanceId(Optional.ofNullable(m.groupInstanceId()));
            subscriptions.put(m.memberId(), s);
            topics.addAll(s.topics());
        }
        return cluster.refresh(topics).map(img -> {
            Cluster metadata = toCluster(img, topics);
            Map<String, ConsumerPartitionAssignor.Assignment> out = assignor.assign(metadata,
                    new ConsumerPartitionAssignor.GroupSubscription(subscriptions)).groupAssignment();
            List<SyncGroupRequestData.SyncGroupRequestAssignment> list = new ArrayList<>();
            for (String member : subscriptions.keySet()) {
                ConsumerPartitionAssignor.Assignment a = out.getOrDefault(member,
                        new ConsumerPartitionAssignor.Assignment(List.of()));
                list.add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(member)
                        .setAssignment(Utils.toArray(ConsumerProtocol.serializeAssignment(a))));
            }
            return list;
        });
    }

    /** The assignor's view of the cluster: the subscribed topics that exist, with their partitions' leaders. */
    private static Cluster toCluster(MetadataImage img, Set<String> topics) {
        Map<Integer, Node> nodes = new HashMap<>();
        for (MetadataImage.Broker b : img.brokers().values()) {
            nodes.put(b.id(), new Node(b.id(), b.host(), b.port(), b.rack()));
        }
        List<PartitionInfo> partitions = new ArrayList<>();
        for (String t : topics) {
            MetadataImage.TopicMeta tm = img.topic(t);
            if (tm == null || tm.error() != Errors.NONE) {
                continue; // not there (yet): the assignor gives none of it
            }
            for (MetadataImage.PartitionMeta pm : tm.partitions()) {
                Node leader = nodes.get(pm.leader());
                Node[] replicas = leader == null ? new Node[0] : new Node[]{leader};
                partitions.add(new PartitionInfo(t, pm.partition(), leader, replicas, replicas));
            }
        }
        return new Cluster(img.clusterId(), nodes.values(), partitions, Set.of(), Set.of());
    }
}
