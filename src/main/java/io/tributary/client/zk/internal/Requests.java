package io.tributary.client.zk.internal;

import io.tributary.client.zk.Children;
import io.tributary.client.zk.CreateMode;
import io.tributary.client.zk.Created;
import io.tributary.client.zk.NodeAcl;
import io.tributary.client.zk.NodeData;
import io.tributary.client.zk.OpResult;
import io.tributary.client.zk.ZkException;
import io.tributary.client.zk.ZkOp;
import io.vertx.core.Future;
import org.apache.jute.Record;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.Create2Response;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.ExistsResponse;
import org.apache.zookeeper.proto.GetACLRequest;
import org.apache.zookeeper.proto.GetACLResponse;
import org.apache.zookeeper.proto.GetAllChildrenNumberRequest;
import org.apache.zookeeper.proto.GetAllChildrenNumberResponse;
import org.apache.zookeeper.proto.GetChildren2Request;
import org.apache.zookeeper.proto.GetChildren2Response;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetChildrenResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetACLResponse;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetDataResponse;
import org.apache.zookeeper.proto.SyncRequest;
import org.apache.zookeeper.proto.SyncResponse;

import java.util.List;
import java.util.Objects;

/**
 * Each ZooKeeper operation as the real client encodes it: the request record, the opcode, the response record, and
 * the argument checks made before anything is sent. On the client's loop; every method returns a future (a bad
 * argument fails it, it is never thrown).
 */
public final class Requests {
    private final ZkSession session;

    public Requests(ZkSession session) {
        this.session = session;
    }

    /** A read's result with the zxid the server answered at. */
    public record Read<T>(T value, long zxid) {
    }

    static int createOpcode(CreateMode mode) {
        return switch (mode) {
            case CONTAINER -> Wire.CREATE_CONTAINER;
            case PERSISTENT_WITH_TTL, PERSISTENT_SEQUENTIAL_WITH_TTL -> Wire.CREATE_TTL;
            default -> Wire.CREATE2;
        };
    }

    static Record createRecord(String path, byte[] data, List<ACL> acl, CreateMode mode, long ttlMs) {
        Objects.requireNonNull(mode, "mode");
        Paths.check(path, mode.isSequential());
        if (acl == null || acl.isEmpty()) {
            throw new IllegalArgumentException("an ACL is required for " + path + " (ZooKeeper refuses an empty one)");
        }
        if (mode.isTtl()) {
            // EphemeralType.TTL: 1 ms to 2^40 - 1 ms.
            if (ttlMs <= 0 || ttlMs > 0xFFFFFFFFFFL) {
                throw new IllegalArgumentException("a TTL mode needs a TTL of 1 ms to 2^40-1 ms, not " + ttlMs);
            }
            return new CreateTTLRequest(path, data == null ? new byte[0] : data, acl, mode.flag(), ttlMs);
        }
        if (ttlMs > 0) {
            throw new IllegalArgumentException("a TTL is only for PERSISTENT_WITH_TTL modes, not " + mode);
        }
        return new CreateRequest(path, data == null ? new byte[0] : data, acl, mode.flag());
    }

    public Future<Created> create(String path, byte[] data, List<ACL> acl, CreateMode mode, long ttlMs) {
        Record req = createRecord(path, data, acl, mode, ttlMs);
        return session.submit(createOpcode(mode), req, new Create2Response(), path).map(r -> {
            Create2Response c = r.as();
            return new Created(c.getPath(), c.getStat());
        });
    }

    public Future<Void> delete(String path, int version) {
        return session.submit(Wire.DELETE, new DeleteRequest(Paths.check(path), version), null, path).mapEmpty();
    }

    /** The stat, or null if the node does not exist; with {@code watch}, an exist or data watch is left. */
    public Future<Read<Stat>> exists(String path, boolean watch) {
        return session.submit(Wire.EXISTS, new ExistsRequest(Paths.check(path), watch), new ExistsResponse(), path)
                .map(r -> new Read<>(((ExistsResponse) r.body()).getStat(), r.zxid()))
                .recover(e -> e instanceof ZkException z && z.code() == ZkException.NONODE
                        ? Future.succeededFuture(new Read<>(null, 0L)) : Future.failedFuture(e));
    }

    public Future<Read<NodeData>> getData(String path, boolean watch) {
        return session.submit(Wire.GET_DATA, new GetDataRequest(Paths.check(path), watch), new GetDataResponse(), path)
                .map(r -> {
                    GetDataResponse g = r.as();
                    return new Read<>(new NodeData(g.getData(), g.getStat()), r.zxid());
                });
    }

    public Future<Stat> setData(String path, byte[] data, int version) {
        SetDataRequest req = new SetDataRequest(Paths.check(path), data == null ? new byte[0] : data, version);
        return session.submit(Wire.SET_DATA, req, new SetDataResponse(), path).map(r -> ((SetDataResponse) r.body()).getStat());
    }

    public Future<Children> getChildren(String path) {
        return session.submit(Wire.GET_CHILDREN, new GetChildrenRequest(Paths.check(path), false),
                new GetChildrenResponse(), path).map(r -> new Children(List.copyOf(((GetChildrenResponse) r.body())
                .getChildren()), null));
    }

    public Future<Read<Children>> getChildren2(String path, boolean watch) {
        return session.submit(Wire.GET_CHILDREN2, new GetChildren2Request(Paths.check(path), watch),
                new GetChildren2Response(), path).map(r -> {
                    GetChildren2Response g = r.as();
                    return new Read<>(new Children(List.copyOf(g.getChildren()), g.getStat()), r.zxid());
                });
    }

    public Future<Integer> getAllChildrenNumber(String path) {
        return session.submit(Wire.GET_ALL_CHILDREN_NUMBER, new GetAllChildrenNumberRequest(Paths.check(path)),
                new GetAllChildrenNumberResponse(), path).map(r -> ((GetAllChildrenNumberResponse) r.body()).getTotalNumber());
    }

    public Future<NodeAcl> getAcl(String path) {
        return session.submit(Wire.GET_ACL, new GetACLRequest(Paths.check(path)), new GetACLResponse(), path).map(r -> {
            GetACLResponse g = r.as();
            return new NodeAcl(List.copyOf(g.getAcl()), g.getStat());
        });
    }

    public Future<Stat> setAcl(String path, List<ACL> acl, int aclVersion) {
        if (acl == null || acl.isEmpty()) {
            return Future.failedFuture(new IllegalArgumentException("an ACL is required for " + path));
        }
        return session.submit(Wire.SET_ACL, new SetACLRequest(Paths.check(path), acl, aclVersion),
                new SetACLResponse(), path).map(r -> ((SetACLResponse) r.body()).getStat());
    }

    public Future<String> sync(String path) {
        return session.submit(Wire.SYNC, new SyncRequest(Paths.check(path)), new SyncResponse(), path)
                .map(r -> ((SyncResponse) r.body()).getPath());
    }

    /** All or nothing: fails with a ZkException carrying every result if any operation failed. */
    public Future<List<OpResult>> multi(List<ZkOp> ops) {
        check(ops, false);
        MultiRecords.Results out = new MultiRecords.Results();
        return session.submit(Wire.MULTI, new MultiRecords.Ops(List.copyOf(ops)), out, null).compose(r -> {
            for (int i = 0; i < out.results.size(); i++) {
                if (out.results.get(i) instanceof OpResult.ErrorResult e && e.code() != ZkException.OK
                        && e.code() != ZkException.RUNTIMEINCONSISTENCY) {
                    return Future.failedFuture(new ZkException(e.code(), ops.get(i).path(), out.results, "multi failed"));
                }
            }
            return Future.succeededFuture(List.copyOf(out.results));
        });
    }

    /** Reads only; each answered on its own (an ErrorResult for one that failed). */
    public Future<List<OpResult>> multiRead(List<ZkOp> ops) {
        check(ops, true);
        MultiRecords.Results out = new MultiRecords.Results();
        return session.submit(Wire.MULTI_READ, new MultiRecords.Ops(List.copyOf(ops)), out, null)
                .map(r -> List.copyOf(out.results));
    }

    private static void check(List<ZkOp> ops, boolean reads) {
        if (ops == null || ops.isEmpty()) {
            throw new IllegalArgumentException("a multi needs at least one operation");
        }
        for (ZkOp op : ops) {
            Objects.requireNonNull(op, "null operation in a multi");
            boolean read = op instanceof ZkOp.GetData || op instanceof ZkOp.GetChildren;
            if (read != reads) {
                throw new IllegalArgumentException((reads ? "multiRead takes only reads, not " : "multi takes no reads: ") + op);
            }
            if (op instanceof ZkOp.Create c) {
                createRecord(c.path(), c.data(), c.acl(), c.mode(), c.ttlMs());
            } else {
                Paths.check(op.path());
            }
        }
    }
}
