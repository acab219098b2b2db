package io.tributary.group;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.coordinator.group.generated.GroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Our {@code __consumer_offsets} records are byte-for-byte Apache Kafka's: each is read back by the
 * classes Kafka's group coordinator generates from its schemas (kafka-group-coordinator, test scope),
 * and Kafka-written bytes are read by ours.
 */
class CoordinatorRecordsTest {
    private static ByteBuffer body(byte[] versioned, short expectedVersion) {
        ByteBuffer b = ByteBuffer.wrap(versioned);
        assertEquals(expectedVersion, b.getShort(), "version prefix");
        return b.slice();
    }

    @Test
    void offsetCommitKeyAndValueAreKafkasLayout() {
        TopicPartition tp = new TopicPartition("orders", 7);
        CoordinatorRecords.KeyValue kv = CoordinatorRecords.offsetCommit("my-group", tp,
                new OffsetAndMetadata(1234, 5, "meta", 1_700_000_000_000L));
        OffsetCommitKey key = new OffsetCommitKey(new ByteBufferAccessor(body(kv.key(), (short) 1)), (short) 1);
        assertEquals("my-group", key.group());
        assertEquals("orders", key.topic());
        assertEquals(7, key.partition());
        OffsetCommitValue value = new OffsetCommitValue(new ByteBufferAccessor(body(kv.value(), (short) 3)), (short) 3);
        assertEquals(1234, value.offset());
        assertEquals(5, value.leaderEpoch());
        assertEquals("meta", value.metadata());
        assertEquals(1_700_000_000_000L, value.commitTimestamp());

        CoordinatorRecords.Key ours = CoordinatorRecords.readKey(ByteBuffer.wrap(kv.key()));
        assertEquals(new CoordinatorRecords.Key("my-group", tp), ours);
        assertEquals(new OffsetAndMetadata(1234, 5, "meta", 1_700_000_000_000L),
                CoordinatorRecords.readOffsetValue(ByteBuffer.wrap(kv.value())));
        assertNull(CoordinatorRecords.offsetTombstone("my-group", tp).value());
    }

    @Test
    void groupMetadataKeyAndValueAreKafkasLayout() {
        CoordinatorRecords.StoredGroup g = new CoordinatorRecords.StoredGroup("consumer", 9, "range", "m1", 42L, List.of(
                new CoordinatorRecords.StoredMember("m1", null, "c1", "/10.0.0.1", 30000, 10000, new byte[]{1, 2}, new byte[]{3}),
                new CoordinatorRecords.StoredMember("m2", "inst-2", "c2", "/10.0.0.2", 45000, 6000, new byte[0], new byte[]{4, 5})));
        CoordinatorRecords.KeyValue kv = CoordinatorRecords.groupMetadata("grp", g);
        GroupMetadataKey key = new GroupMetadataKey(new ByteBufferAccessor(body(kv.key(), (short) 2)), (short) 2);
        assertEquals("grp", key.group());
        GroupMetadataValue v = new GroupMetadataValue(new ByteBufferAccessor(body(kv.value(), (short) 3)), (short) 3);
        assertEquals("consumer", v.protocolType());
        assertEquals(9, v.generation());
        assertEquals("range", v.protocol());
        assertEquals("m1", v.leader());
        assertEquals(42L, v.currentStateTimestamp());
        assertEquals(2, v.members().size());
        assertEquals("inst-2", v.members().get(1).groupInstanceId());
        assertEquals(45000, v.members().get(1).rebalanceTimeout());
        assertEquals(6000, v.members().get(1).sessionTimeout());
        assertArrayEquals(new byte[]{4, 5}, v.members().get(1).assignment());

        // And the other way: bytes written by Kafka's classes read by ours.
        GroupMetadataValue kafka = new GroupMetadataValue().setProtocolType("consumer").setGeneration(3).setProtocol("sticky")
                .setLeader("x").setCurrentStateTimestamp(7).setMembers(List.of(new GroupMetadataValue.MemberMetadata()
                        .setMemberId("x").setGroupInstanceId(null).setClientId("cx").setClientHost("/h")
                        .setRebalanceTimeout(1).setSessionTimeout(2).setSubscription(new byte[]{9}).setAssignment(new byte[]{8})));
        org.apache.kafka.common.protocol.ObjectSerializationCache cache = new org.apache.kafka.common.protocol.ObjectSerializationCache();
        ByteBuffer buf = ByteBuffer.allocate(2 + kafka.size(cache, (short) 3));
        buf.putShort((short) 3);
        kafka.write(new ByteBufferAccessor(buf), cache, (short) 3);
        buf.flip();
        CoordinatorRecords.StoredGroup read = CoordinatorRecords.readGroupValue(buf);
        assertEquals("sticky", read.protocol());
        assertEquals(3, read.generation());
        assertEquals("x", read.members().get(0).memberId());
        assertArrayEquals(new byte[]{8}, read.members().get(0).assignment());
    }
}
