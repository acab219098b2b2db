package io.tributary.coord;

import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One state change, stamped with its zxid, the leader's clock and the session that caused it. Applying a
 * transaction is deterministic given the tree it is applied to, so replaying the log rebuilds the state.
 *
 * <p>Encoding (big-endian, inside a {@link TxnLog} record): {@code zxid:i64 time:i64 session:i64
 * body}; a body is {@code type:u8} then its fields; strings are {@code len:i32 utf8}, byte arrays
 * {@code len:i32 bytes}, an ACL list {@code n:i32 (perms:i32 scheme:str id:str)*}.
 */
public record Txn(long zxid, long time, long sessionId, Body body) {

    public sealed interface Body permits CreateSession, CloseSession, Create, Delete, SetData, SetAcl, Multi {
    }

    public record CreateSession(int timeout, byte[] password) implements Body {
    }

    /** Closes the session and deletes its ephemerals (in path order). */
    public record CloseSession() implements Body {
    }

    public record Create(String path, byte[] data, List<ACL> acl, long ephemeralOwner) implements Body {
    }

    public record Delete(String path) implements Body {
    }

    public record SetData(String path, byte[] data) implements Body {
    }

    public record SetAcl(String path, List<ACL> acl) implements Body {
    }

    /** The successful sub-transactions of a multi, applied under one zxid. */
    public record Multi(List<Body> ops) implements Body {
    }

    public void write(DataOutput out) throws IOException {
        out.writeLong(zxid);
        out.writeLong(time);
        out.writeLong(sessionId);
        writeBody(out, body);
    }

    public static Txn read(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        Txn t = new Txn(in.readLong(), in.readLong(), in.readLong(), readBody(in));
        if (in.available() != 0) {
            throw new IOException("trailing bytes in transaction");
        }
        return t;
    }

    private static void writeBody(DataOutput out, Body body) throws IOException {
        if (body instanceof CreateSession b) {
            out.writeByte(1);
            out.writeInt(b.timeout());
            writeBytes(out, b.password());
        } else if (body instanceof CloseSession) {
            out.writeByte(2);
        } else if (body instanceof Create b) {
            out.writeByte(3);
            writeStr(out, b.path());
            writeBytes(out, b.data());
            writeAcl(out, b.acl());
            out.writeLong(b.ephemeralOwner());
        } else if (body instanceof Delete b) {
            out.writeByte(4);
            writeStr(out, b.path());
        } else if (body instanceof SetData b) {
            out.writeByte(5);
            writeStr(out, b.path());
            writeBytes(out, b.data());
        } else if (body instanceof SetAcl b) {
            out.writeByte(6);
            writeStr(out, b.path());
            writeAcl(out, b.acl());
        } else if (body instanceof Multi b) {
            out.writeByte(7);
            out.writeInt(b.ops().size());
            for (Body op : b.ops()) {
                writeBody(out, op);
            }
        }
    }

    private static Body readBody(DataInput in) throws IOException {
        int type = in.readUnsignedByte();
        switch (type) {
            case 1:
                return new CreateSession(in.readInt(), readBytes(in));
            case 2:
                return new CloseSession();
            case 3:
                return new Create(readStr(in), readBytes(in), readAcl(in), in.readLong());
            case 4:
                return new Delete(readStr(in));
            case 5:
                return new SetData(readStr(in), readBytes(in));
            case 6:
                return new SetAcl(readStr(in), readAcl(in));
            case 7: {
                int n = in.readInt();
                List<Body> ops = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ops.add(readBody(in));
                }
                return new Multi(ops);
            }
            default:
                throw new IOException("unknown transaction type " + type);
        }
    }

    static void writeStr(DataOutput out, String s) throws IOException {
        writeBytes(out, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static String readStr(DataInput in) throws IOException {
        return new String(readBytes(in), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Length-prefixed bytes; -1 for null (znode data may be null, as in ZooKeeper's jute buffers). */
    static void writeBytes(DataOutput out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(b.length);
        out.write(b);
    }

    static byte[] readBytes(DataInput in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > 64 * 1024 * 1024) {
            throw new IOException("bad byte array length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    static void writeAcl(DataOutput out, List<ACL> acl) throws IOException {
        out.writeInt(acl.size());
        for (ACL a : acl) {
            out.writeInt(a.getPerms());
            writeStr(out, a.getId().getScheme());
            writeStr(out, a.getId().getId());
        }
    }

    static List<ACL> readAcl(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 20) {
            throw new IOException("bad ACL count " + n);
        }
        List<ACL> acl = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            acl.add(new ACL(in.readInt(), new Id(readStr(in), readStr(in))));
        }
        return acl;
    }
}
