package io.tributary.group;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One member of a classic group: identity, timeouts, the protocols it offered in its last JoinGroup
 * (name + opaque metadata, in its order of preference), its assignment, and the JoinGroup/SyncGroup
 * answers it is waiting for. Owned by the coordinator's thread; not thread-safe.
 */
final class MemberMetadata {
    /** A protocol a member supports: the assignor's name and its subscription bytes, relayed untouched. */
    record Protocol(String name, byte[] metadata) {
    }

    final String memberId;
    final String groupInstanceId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    List<Protocol> protocols;
    byte[] assignment = new byte[0];
    Consumer<JoinGroupResponseData> awaitingJoin;
    Consumer<SyncGroupResponseData> awaitingSync;
    /** Joined but has not yet received a JoinGroup answer. */
    boolean isNew;
    long heartbeatTimer = -1;

    MemberMetadata(String memberId, String groupInstanceId, String clientId, String clientHost,
                   int rebalanceTimeoutMs, int sessionTimeoutMs, List<Protocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = List.copyOf(protocols);
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    /** The metadata this member offered for {@code protocol}. */
    byte[] metadata(String protocol) {
        for (Protocol p : protocols) {
            if (p.name().equals(protocol)) {
                return p.metadata();
            }
        }
        throw new IllegalStateException("member " + memberId + " does not support protocol " + protocol);
    }

    /** Whether {@code others} are exactly the protocols (names, order and bytes) this member offered. */
    boolean sameProtocols(List<Protocol> others) {
        if (others.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < others.size(); i++) {
            Protocol a = protocols.get(i);
            Protocol b = others.get(i);
            if (!a.name().equals(b.name()) || !Arrays.equals(a.metadata(), b.metadata())) {
                return false;
            }
        }
        return true;
    }

    /** The member's preferred protocol among {@code candidates} (its first listed that is a candidate). */
    String vote(java.util.Set<String> candidates) {
        for (Protocol p : protocols) {
            if (candidates.contains(p.name())) {
                return p.name();
            }
        }
        throw new IllegalStateException("member " + memberId + " supports none of " + candidates);
    }
}
