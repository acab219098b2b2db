package io.tributary.group;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A classic group: state, generation, selected protocol, leader, members (in join order), static
 * members by instance id, member ids handed out with MEMBER_ID_REQUIRED but not yet joined, and the
 * group's committed offsets. A group that only ever received simple commits (consumers outside any
 * group) has no protocol type and stays Empty. Owned by the coordinator's thread; not thread-safe.
 */
final class GroupMetadata {
    final String groupId;
    GroupState state = GroupState.EMPTY;
    long stateTimestamp;
    int generationId;
    String protocolType;
    String protocolName;
    String leaderId;
    final LinkedHashMap<String, MemberMetadata> members = new LinkedHashMap<>();
    final Map<String, String> staticMembers = new HashMap<>();
    final Map<String, Long> pendingMembers = new HashMap<>();
    final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    /** A member joined while the initial rebalance delay was running (it then extends, as in Kafka). */
    boolean newMemberAdded;
    long joinTimer = -1;
    long syncTimer = -1;
    /** Time left in the rebalance timeout while the initial delay keeps extending. */
    long initialDelayRemainingMs = -1;

    GroupMetadata(String groupId, long now) {
        this.groupId = groupId;
        this.stateTimestamp = now;
    }

    boolean is(GroupState s) {
        return state == s;
    }

    void transitionTo(GroupState next, long now) {
        if (!next.validPrevious().contains(state)) {
            throw new IllegalStateException("group " + groupId + " cannot move from " + state + " to " + next);
        }
        state = next;
        stateTimestamp = now;
    }

    boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    MemberMetadata get(String memberId) {
        return members.get(memberId);
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    /** Kafka's fencing rule: the instance id is owned by another member id. */
    boolean isStaticMemberFenced(String groupInstanceId, String memberId) {
        if (groupInstanceId == null) {
            return false;
        }
        String owner = staticMembers.get(groupInstanceId);
        return owner != null && !owner.equals(memberId);
    }

    void add(MemberMetadata member) {
        members.put(member.memberId, member);
        if (member.isStatic()) {
            staticMembers.put(member.groupInstanceId, member.memberId);
        }
        if (leaderId == null) {
            leaderId = member.memberId;
        }
    }

    void remove(String memberId) {
        MemberMetadata m = members.remove(memberId);
        if (m != null && m.isStatic() && memberId.equals(staticMembers.get(m.groupInstanceId))) {
            staticMembers.remove(m.groupInstanceId);
        }
        if (memberId.equals(leaderId)) {
            leaderId = pickLeader();
        }
    }

    /** Prefers a member that is already waiting to join (it can assign), as Kafka does. */
    private String pickLeader() {
        for (MemberMetadata m : members.values()) {
            if (m.awaitingJoin != null) {
                return m.memberId;
            }
        }
        return members.isEmpty() ? null : members.keySet().iterator().next();
    }

    int maxRebalanceTimeoutMs() {
        int max = 0;
        for (MemberMetadata m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs);
        }
        return max;
    }

    boolean hasAllMembersJoined() {
        for (MemberMetadata m : members.values()) {
            if (m.awaitingJoin == null) {
                return false;
            }
        }
        return pendingMembers.isEmpty();
    }

    /** Protocols every member supports. */
    Set<String> candidateProtocols() {
        Set<String> candidates = null;
        for (MemberMetadata m : members.values()) {
            Set<String> names = new HashSet<>();
            m.protocols.forEach(p -> names.add(p.name()));
            if (candidates == null) {
                candidates = names;
            } else {
                candidates.retainAll(names);
            }
        }
        return candidates == null ? new HashSet<>() : candidates;
    }

    /** Whether a member offering these protocols may join (Kafka's supportsProtocols). */
    boolean supportsProtocols(String memberProtocolType, List<MemberMetadata.Protocol> protocols) {
        if (memberProtocolType == null || memberProtocolType.isEmpty() || protocols.isEmpty()) {
            return false;
        }
        if (members.isEmpty()) {
            return true;
        }
        if (!memberProtocolType.equals(protocolType)) {
            return false;
        }
        Set<String> candidates = candidateProtocols();
        for (MemberMetadata.Protocol p : protocols) {
            if (candidates.contains(p.name())) {
                return true;
            }
        }
        return false;
    }

    /** Kafka's vote: each member votes for its preferred candidate; the most votes wins (first on ties). */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (MemberMetadata m : members.values()) {
            votes.merge(m.vote(candidates), 1, Integer::sum);
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    List<MemberMetadata> memberList() {
        return new ArrayList<>(members.values());
    }
}
