package io.tributary.client.zk.internal;

import io.vertx.core.buffer.Buffer;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.RequestHeader;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * ZooKeeper's request types ({@code ZooDefs.OpCode}), special xids and event codes as the real client sends them, and
 * the jute framing: {@code len:i32 RequestHeader(xid:i32 type:i32) body}; replies are {@code len:i32
 * ReplyHeader(xid:i32 zxid:i64 err:i32) body-if-err-is-0}. Stateless.
 */
public final class Wire {
    public static final int CREATE = 1;
    public static final int DELETE = 2;
    public static final int EXISTS = 3;
    public static final int GET_DATA = 4;
    public static final int SET_DATA = 5;
    public static final int GET_ACL = 6;
    public static final int SET_ACL = 7;
    public static final int GET_CHILDREN = 8;
    public static final int SYNC = 9;
    public static final int PING = 11;
    public static final int GET_CHILDREN2 = 12;
    public static final int CHECK = 13;
    public static final int MULTI = 14;
    public static final int CREATE2 = 15;
    public static final int REMOVE_WATCHES = 18;
    public static final int CREATE_CONTAINER = 19;
    public static final int CREATE_TTL = 21;
    public static final int MULTI_READ = 22;
    public static final int AUTH = 100;
    public static final int GET_ALL_CHILDREN_NUMBER = 104;
    public static final int SET_WATCHES2 = 105;
    public static final int ADD_WATCH = 106;
    public static final int CLOSE_SESSION = -11;
    public static final int ERROR = -1;

    public static final int XID_NOTIFICATION = -1;
    public static final int XID_PING = -2;
    public static final int XID_AUTH = -4;
    public static final int XID_SET_WATCHES = -8;

    // Watcher.Event.EventType
    public static final int EVENT_CREATED = 1;
    public static final int EVENT_DELETED = 2;
    public static final int EVENT_DATA_CHANGED = 3;
    public static final int EVENT_CHILDREN_CHANGED = 4;

    // WatcherType of RemoveWatches (Persistent and PersistentRecursive since ZooKeeper 3.9)
    public static final int WATCHER_PERSISTENT = 4;
    public static final int WATCHER_PERSISTENT_RECURSIVE = 5;

    private Wire() {
    }

    /** A whole frame: length, then {@code records} serialized in order (nulls skipped). */
    public static Buffer frame(Record... records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        bytes.write(0);
        bytes.write(0);
        bytes.write(0);
        bytes.write(0);
        BinaryOutputArchive out = BinaryOutputArchive.getArchive(bytes);
        try {
            for (Record r : records) {
                if (r != null) {
                    r.serialize(out, "r");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Buffer b = Buffer.buffer(bytes.toByteArray());
        b.setInt(0, b.length() - 4);
        return b;
    }

    public static Buffer request(int xid, int type, Record body) {
        return frame(new RequestHeader(xid, type), body);
    }

    /** An archive over one frame's bytes (the length prefix already removed), bounded by {@code maxBuffer}. */
    public static Input input(Buffer frame, int maxBuffer) {
        ByteArrayInputStream bytes = new ByteArrayInputStream(frame.getBytes());
        return new Input(bytes, new BinaryInputArchive(new DataInputStream(bytes), maxBuffer, 0));
    }

    /** A frame being read: the archive, and how many bytes are left in it. */
    public record Input(ByteArrayInputStream bytes, BinaryInputArchive archive) {
        public int remaining() {
            return bytes.available();
        }
    }
}
