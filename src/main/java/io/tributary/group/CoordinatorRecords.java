package io.tributary.group;

import org.apache.kafka.common.TopicPartition;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of {@code __consumer_offsets}, in Apache Kafka's own layout (the schemas
 * {@code OffsetCommitKey}, {@code OffsetCommitValue}, {@code GroupMetadataKey}, {@code GroupMetadataValue}
 * of Kafka's group coordinator; kafka-clients does not ship their serdes, so they are written here and
 * checked against Kafka's generated classes in the tests). Every key and value starts with an int16
 * version; strings are int16 length + UTF-8 (length -1 = null), bytes are int32 length + bytes, arrays
 * int32 count + elements, all big-endian.
 *
 * <pre>
 * offset commit  key v1:  group string, topic string, partition int32
 *                value v3: offset int64, leaderEpoch int32, metadata string, commitTimestamp int64
 * group metadata key v2:  group string
 *                value v3: protocolType string, generation int32, protocol string?, leader string?,
 *                          currentStateTimestamp int64,
 *                          members [memberId string, groupInstanceId string?, clientId string, clientHost string,
 *                                   rebalanceTimeout int32, sessionTimeout int32, subscription bytes, assignment bytes]
 * </pre>
 *
 * A null value is a tombstone: the offset or the group was deleted. Keys are what compaction keeps the
 * latest value of. Reading accepts offset values v0-3 and group values v0-3 (what Kafka wrote before
 * its flexible v4), so a log written by Kafka's classic coordinator would load too. Stateless.
 */
public final class CoordinatorRecords {
    public static final short OFFSET_KEY_VERSION = 1;
    public static final short GROUP_KEY_VERSION = 2;
    public static final short OFFSET_VALUE_VERSION = 3;
    public static final short GROUP_VALUE_VERSION = 3;

    private CoordinatorRecords() {
    }

    /** One record: key and value bytes; a null value is a tombstone. */
    public record KeyValue(byte[] key, byte[] value) {
    }

    /** A decoded key: an offset commit (topic/partition set) or a group's metadata (tp null). */
    public record Key(String group, TopicPartition tp) {
        public boolean isOffset() {
            return tp != null;
        }
    }

    /** A member as stored in a group metadata record. */
    public record StoredMember(String memberId, String groupInstanceId, String clientId, String clientHost,
                               int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }

    /** A group's metadata record value. */
    public record StoredGroup(String protocolType, int generation, String protocol, String leader,
                              long currentStateTimestamp, List<StoredMember> members) {
    }

    public static KeyValue offsetCommit(String group, TopicPartition tp, OffsetAndMetadata om) {
        return new KeyValue(offsetKey(group, tp), offsetValue(om));
    }

    public static KeyValue offsetTombstone(String group, TopicPartition tp) {
        return new KeyValue(offsetKey(group, tp), null);
    }

    public static KeyValue groupMetadata(String group, StoredGroup value) {
        return new KeyValue(groupKey(group), groupValue(value));
    }

    public static KeyValue groupTombstone(String group) {
        return new KeyValue(groupKey(group), null);
    }

    static byte[] offsetKey(String group, TopicPartition tp) {
        Writer w = new Writer();
        w.int16(OFFSET_KEY_VERSION).string(group).string(tp.topic()).int32(tp.partition());
        return w.bytes();
    }

    static byte[] groupKey(String group) {
        return new Writer().int16(GROUP_KEY_VERSION).string(group).bytes();
    }

    static byte[] offsetValue(OffsetAndMetadata om) {
        return new Writer().int16(OFFSET_VALUE_VERSION).int64(om.offset()).int32(om.leaderEpoch())
                .string(om.metadata()).int64(om.commitTimestamp()).bytes();
    }

    static byte[] groupValue(StoredGroup g) {
        Writer w = new Writer().int16(GROUP_VALUE_VERSION).string(g.protocolType() == null ? "" : g.protocolType())
                .int32(g.generation()).string(g.protocol()).string(g.leader()).int64(g.currentStateTimestamp())
                .int32(g.members().size());
        for (StoredMember m : g.members()) {
            w.string(m.memberId()).string(m.groupInstanceId()).string(m.clientId()).string(m.clientHost())
                    .int32(m.rebalanceTimeoutMs()).int32(m.sessionTimeoutMs()).bytes(m.subscription()).bytes(m.assignment());
        }
        return w.bytes();
    }

    /** Decodes a key; null for a key version this coordinator does not own (e.g. KIP-848 records). */
    public static Key readKey(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        short version = b.getShort();
        if (version == 0 || version == 1) {
            String group = readString(b);
            String topic = readString(b);
            int partition = b.getInt();
            return new Key(group, new TopicPartition(topic, partition));
        }
        if (version == 2) {
            return new Key(readString(b), null);
        }
        return null;
    }

    public static OffsetAndMetadata readOffsetValue(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        short version = b.getShort();
        if (version < 0 || version > 3) {
            throw new IllegalArgumentException("unsupported offset commit value version " + version);
        }
        long offset = b.getLong();
        int epoch = version >= 3 ? b.getInt() : -1;
        String metadata = readString(b);
        long commitTimestamp = b.getLong();
        return new OffsetAndMetadata(offset, epoch, metadata, commitTimestamp);
    }

    public static StoredGroup readGroupValue(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        short version = b.getShort();
        if (version < 0 || version > 3) {
            throw new IllegalArgumentException("unsupported group metadata value version " + version);
        }
        String protocolType = readString(b);
        int generation = b.getInt();
        String protocol = readString(b);
        String leader = readString(b);
        long stateTimestamp = version >= 2 ? b.getLong() : -1L;
        int count = b.getInt();
        List<StoredMember> members = new ArrayList<>(Math.max(0, count));
        for (int i = 0; i < count; i++) {
            String memberId = readString(b);
            String instanceId = version >= 3 ? readString(b) : null;
            String clientId = readString(b);
            String clientHost = readString(b);
            int sessionTimeout;
            int rebalanceTimeout;
            if (version >= 1) {
                rebalanceTimeout = b.getInt();
                sessionTimeout = b.getInt();
            } else {
                sessionTimeout = b.getInt();
                rebalanceTimeout = sessionTimeout;
            }
            byte[] subscription = readBytes(b);
            byte[] assignment = readBytes(b);
            members.add(new StoredMember(memberId, instanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout,
                    subscription, assignment));
        }
        return new StoredGroup(protocolType, generation, protocol, leader, stateTimestamp, members);
    }

    private static String readString(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) {
            return null;
        }
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0) {
            return new byte[0];
        }
        byte[] s = new byte[len];
        b.get(s);
        return s;
    }

    /** A growable big-endian writer for the layouts above. */
    private static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(64);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        Writer int16(short v) {
            ensure(2);
            buf.putShort(v);
            return this;
        }

        Writer int32(int v) {
            ensure(4);
            buf.putInt(v);
            return this;
        }

        Writer int64(long v) {
            ensure(8);
            buf.putLong(v);
            return this;
        }

        Writer string(String s) {
            if (s == null) {
                return int16((short) -1);
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("string of " + b.length + " bytes is too long for an int16 length");
            }
            int16((short) b.length);
            ensure(b.length);
            buf.put(b);
            return this;
        }

        Writer bytes(byte[] b) {
            byte[] v = b == null ? new byte[0] : b;
            int32(v.length);
            ensure(v.length);
            buf.put(v);
            return this;
        }

        byte[] bytes() {
            byte[] out = new byte[buf.position()];
            System.arraycopy(buf.array(), 0, out, 0, out.length);
            return out;
        }
    }
}
