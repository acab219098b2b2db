package io.tributary.client.kafka.internal.group;

import io.tributary.client.kafka.GroupOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.utils.Utils;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A member's own instances of the configured kafka-clients assignors (they keep state between generations: the
 * sticky ones remember the last assignment), the rebalance protocol they allow — cooperative only if every one of
 * them supports it, as kafka-clients decides — and the subscriptions and assignments they exchange through
 * {@link ConsumerProtocol}.
 */
final class Assignors {
    private final List<ConsumerPartitionAssignor> assignors = new ArrayList<>();
    private final boolean cooperative;

    Assignors(GroupOptions options) {
        boolean coop = true;
        for (var s : options.assignors()) {
            ConsumerPartitionAssignor a = s.get();
            assignors.add(a);
            coop &= a.supportedProtocols().contains(ConsumerPartitionAssignor.RebalanceProtocol.COOPERATIVE);
        }
        this.cooperative = coop;
    }

    boolean cooperative() {
        return cooperative;
    }

    /** The assignor the group chose, or null if this member did not offer it. */
    ConsumerPartitionAssignor byName(String name) {
        for (ConsumerPartitionAssignor a : assignors) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        return null;
    }

    /**
     * One protocol per assignor, in preference order, each carrying the member's subscription: topics, the assignor's
     * user data, the partitions owned now (cooperative assignors keep them where they are) and the generation they
     * were owned in (the sticky assignors' tie-break).
     */
    JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols(List<String> topics,
                                                                     Collection<TopicPartition> owned, int generation) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        Set<String> topicSet = new LinkedHashSet<>(topics);
        for (ConsumerPartitionAssignor a : assignors) {
            var sub = new ConsumerPartitionAssignor.Subscription(topics, a.subscriptionUserData(topicSet),
                    List.copyOf(owned), generation, Optional.empty());
            protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(a.name())
                    .setMetadata(Utils.toArray(ConsumerProtocol.serializeSubscription(sub))));
        }
        return protocols;
    }

    /** Reads this member's assignment from SyncGroup and tells the chosen assignor about it. */
    List<TopicPartition> assigned(String protocol, byte[] bytes, ConsumerGroupMetadata generation) {
        ConsumerPartitionAssignor.Assignment a = bytes == null || bytes.length == 0
                ? new ConsumerPartitionAssignor.Assignment(List.of())
                : ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(bytes));
        byName(protocol).onAssignment(a, generation);
        return a.partitions();
    }
}
