package io.tributary.coord;

import org.apache.zookeeper.data.Id;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of the replicated coordination log (cluster mode): a write request as the proposing node
 * received it, with everything non-deterministic already decided by that node — its clock, the session,
 * the caller's proven identities, a new session's id and password. Every node applies the same entry to
 * the same state and so computes the same outcome (validation included, with ZooKeeper's result codes);
 * the zxid comes from the log (the entry's term and the commands applied before it), not from the proposer.
 * A node sends what it received in one pass of its event loop as one entry ({@link #encodeBatch}).
 *
 * <p>{@code origin} and {@code requestId} let the proposing node find the client waiting for this entry
 * when it applies it (origin is the node id in the top 16 bits and random bits per process run, so a
 * replayed entry of an earlier run matches
 * nothing).
 *
 * <p>Encoding (big-endian): {@code kind:u8 origin:i64 requestId:i64 time:i64 session:i64} then for
 * {@link Kind#WRITE}: {@code ids:i32 (scheme:str id:str)* op}; for {@link Kind#NEW_SESSION}: {@code timeout:i32
 * password:bytes}; for {@link Kind#EXPIRE} and {@link Kind#MOVE}: nothing. An op is {@code type:u8} and its fields (see
 * {@link #writeOp}); strings, byte arrays and ACLs as in {@link Txn}.
 */
public record Command(Kind kind, long origin, long requestId, long time, long session, List<Id> ids, Op op,
                      int timeout, byte[] password) {
    public enum Kind { WRITE, NEW_SESSION, EXPIRE, MOVE }

    /** The node id in an origin's top 16 bits (0 for the leader's own expiries and sweeps). */
    public static int nodeOf(long origin) {
        return (int) (origin >>> 48);
    }

    /** A client reconnected through the node of {@code origin}: it owns the session from now on. */
    public static Command move(long origin, long requestId, long time, long session) {
        return new Command(Kind.MOVE, origin, requestId, time, session, List.of(), null, 0, null);
    }

    public static Command write(long origin, long requestId, long time, Caller c, Op op) {
        return new Command(Kind.WRITE, origin, requestId, time, c.sessionId(), c.ids(), op, 0, null);
    }

    public static Command newSession(long origin, long requestId, long time, long session, int timeout, byte[] password) {
        return new Command(Kind.NEW_SESSION, origin, requestId, time, session, List.of(), null, timeout, password);
    }

    /**
     * Session expiry, decided by the leader of {@code term} (carried in {@code requestId}). It is applied only
     * when committed in that same term: a deposed leader's expiry, forwarded to its successor by the log's
     * client retries, must not end sessions the new leader has renewed.
     */
    public static Command expire(long time, long session, long term) {
        return new Command(Kind.EXPIRE, 0, term, time, session, List.of(), null, 0, null);
    }

    /** True for the ops that change state and so go through the log in cluster mode. */
    public static boolean isWrite(Op op) {
        return op instanceof Op.Create || op instanceof Op.Delete || op instanceof Op.SetData || op instanceof Op.SetAcl
                || op instanceof Op.Check || op instanceof Op.Multi || op instanceof Op.CloseSession;
    }

    public byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(kind.ordinal());
            out.writeLong(origin);
            out.writeLong(requestId);
            out.writeLong(time);
            out.writeLong(session);
            switch (kind) {
                case WRITE -> {
                    out.writeInt(ids.size());
                    for (Id id : ids) {
                        Txn.writeStr(out, id.getScheme());
                        Txn.writeStr(out, id.getId());
                    }
                    writeOp(out, op);
                }
                case NEW_SESSION -> {
                    out.writeInt(timeout);
                    Txn.writeBytes(out, password);
                }
                case EXPIRE, MOVE -> {
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
    }

    /** First byte of a batch (a single command starts with its kind, 0..2). */
    private static final int BATCH = 0x7f;

    /**
     * Several commands as one log entry ({@code 0x7f count:i32 (len:i32 command)*}): one proposal, one
     * replication round and one fsync for every command a node received in one pass of its event loop.
     */
    public static byte[] encodeBatch(List<byte[]> commands) {
        int size = 5;
        for (byte[] c : commands) {
            size += 4 + c.length;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(size).put((byte) BATCH).putInt(commands.size());
        for (byte[] c : commands) {
            b.putInt(c.length).put(c);
        }
        return b.array();
    }

    /** The commands of one log entry, in order (a batch, or a single command). */
    public static List<Command> decodeEntry(byte[] bytes) throws IOException {
        if (bytes.length == 0 || (bytes[0] & 0xff) != BATCH) {
            return List.of(decode(bytes));
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        int n = b.remaining() >= 4 ? b.getInt() : -1;
        if (n < 0 || n > bytes.length) {
            throw new IOException("bad batch size " + n);
        }
        List<Command> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = b.remaining() >= 4 ? b.getInt() : -1;
            if (len < 0 || len > b.remaining()) {
                throw new IOException("bad command length " + len + " in batch");
            }
            byte[] c = new byte[len];
            b.get(c);
            out.add(decode(c));
        }
        if (b.hasRemaining()) {
            throw new IOException("trailing bytes in batch");
        }
        return out;
    }

    public static Command decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int k = in.readUnsignedByte();
        if (k >= Kind.values().length) {
            throw new IOException("unknown command kind " + k);
        }
        Kind kind = Kind.values()[k];
        long origin = in.readLong();
        long requestId = in.readLong();
        long time = in.readLong();
        long session = in.readLong();
        Command c = switch (kind) {
            case WRITE -> {
                int n = in.readInt();
                if (n < 0 || n > 1024) {
                    throw new IOException("bad id count " + n);
                }
                List<Id> ids = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ids.add(new Id(Txn.readStr(in), Txn.readStr(in)));
                }
                yield new Command(kind, origin, requestId, time, session, List.copyOf(ids), readOp(in), 0, null);
            }
            case NEW_SESSION -> new Command(kind, origin, requestId, time, session, List.of(), null, in.readInt(),
                    Txn.readBytes(in));
            case EXPIRE, MOVE -> new Command(kind, origin, requestId, time, session, List.of(), null, 0, null);
        };
        if (in.available() != 0) {
            throw new IOException("trailing bytes in command");
        }
        return c;
    }

    private static void writeOp(DataOutput out, Op op) throws IOException {
        if (op instanceof Op.Create c) {
            out.writeByte(1);
            Txn.writeStr(out, str(c.path()));
            Txn.writeBytes(out, c.data() == null ? new byte[0] : c.data());
            Txn.writeAcl(out, c.acl() == null ? List.of() : c.acl());
            out.writeInt(c.mode());
            out.writeLong(c.ttl());
        } else if (op instanceof Op.Delete d) {
            out.writeByte(2);
            Txn.writeStr(out, str(d.path()));
            out.writeInt(d.version());
        } else if (op instanceof Op.SetData s) {
            out.writeByte(3);
            Txn.writeStr(out, str(s.path()));
            Txn.writeBytes(out, s.data() == null ? new byte[0] : s.data());
            out.writeInt(s.version());
        } else if (op instanceof Op.SetAcl s) {
            out.writeByte(4);
            Txn.writeStr(out, str(s.path()));
            Txn.writeAcl(out, s.acl() == null ? List.of() : s.acl());
            out.writeInt(s.version());
        } else if (op instanceof Op.Check c) {
            out.writeByte(5);
            Txn.writeStr(out, str(c.path()));
            out.writeInt(c.version());
        } else if (op instanceof Op.Multi m) {
            out.writeByte(6);
            out.writeInt(m.ops().size());
            for (Op o : m.ops()) {
                writeOp(out, o);
            }
        } else if (op instanceof Op.CloseSession) {
            out.writeByte(7);
        } else {
            throw new IllegalArgumentException("not a replicated write: " + op);
        }
    }

    /** A null path (jute allows one) fails validation exactly as an empty one does. */
    private static String str(String s) {
        return s == null ? "" : s;
    }

    private static Op readOp(DataInput in) throws IOException {
        int type = in.readUnsignedByte();
        return switch (type) {
            case 1 -> new Op.Create(Txn.readStr(in), Txn.readBytes(in), Txn.readAcl(in), in.readInt(), in.readLong());
            case 2 -> new Op.Delete(Txn.readStr(in), in.readInt());
            case 3 -> new Op.SetData(Txn.readStr(in), Txn.readBytes(in), in.readInt());
            case 4 -> new Op.SetAcl(Txn.readStr(in), Txn.readAcl(in), in.readInt());
            case 5 -> new Op.Check(Txn.readStr(in), in.readInt());
            case 6 -> {
                int n = in.readInt();
                if (n < 0 || n > 1 << 20) {
                    throw new IOException("bad multi size " + n);
                }
                List<Op> ops = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ops.add(readOp(in));
                }
                yield new Op.Multi(ops);
            }
            case 7 -> new Op.CloseSession();
            default -> throw new IOException("unknown op type " + type);
        };
    }
}
