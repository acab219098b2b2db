package io.tributary.group;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * How one record of {@code __consumer_offsets}, replayed in log order, rebuilds the coordinator's memory: the
 * latest value of a key wins, a tombstone deletes; a group record brings its members back (Stable if it has any).
 */
final class GroupReplay {
    private GroupReplay() {
    }

    static void apply(GroupRegistry reg, ByteBuffer key, ByteBuffer value) {
        CoordinatorRecords.Key k = CoordinatorRecords.readKey(key);
        if (k == null) {
            return;
        }
        GroupMetadata group = reg.groups.get(k.group());
        if (k.isOffset()) {
            if (value == null) {
                if (group != null) {
                    group.offsets.remove(k.tp());
                }
                return;
            }
            if (group == null) {
                group = new GroupMetadata(k.group(), reg.now());
                reg.groups.put(k.group(), group);
            }
            group.offsets.put(k.tp(), CoordinatorRecords.readOffsetValue(value));
            return;
        }
        if (value == null) {
            reg.groups.remove(k.group());
            return;
        }
        CoordinatorRecords.StoredGroup stored = CoordinatorRecords.readGroupValue(value);
        GroupMetadata fresh = new GroupMetadata(k.group(), stored.currentStateTimestamp() >= 0 ? stored.currentStateTimestamp() : reg.now());
        if (group != null) {
            fresh.offsets.putAll(group.offsets);
        }
        fresh.protocolType = stored.protocolType() == null || stored.protocolType().isEmpty() ? null : stored.protocolType();
        fresh.generationId = stored.generation();
        fresh.protocolName = stored.protocol();
        fresh.leaderId = stored.leader();
        for (CoordinatorRecords.StoredMember m : stored.members()) {
            MemberMetadata member = new MemberMetadata(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(),
                    List.of(new MemberMetadata.Protocol(stored.protocol() == null ? "" : stored.protocol(), m.subscription())));
            member.assignment = m.assignment();
            fresh.members.put(member.memberId, member);
            if (member.isStatic()) {
                fresh.staticMembers.put(member.groupInstanceId, member.memberId);
            }
        }
        // A group stored with members was Stable (members are only stored with their assignment).
        fresh.state = fresh.members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
        if (fresh.leaderId != null && !fresh.members.containsKey(fresh.leaderId)) {
            fresh.leaderId = fresh.members.isEmpty() ? null : fresh.members.keySet().iterator().next();
        }
        reg.groups.put(k.group(), fresh);
    }
}
