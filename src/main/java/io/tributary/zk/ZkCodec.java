package io.tributary.zk;

import io.tributary.coord.Op;
import io.tributary.coord.Result;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.InputArchive;
import org.apache.jute.OutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.CheckWatchesRequest;
import org.apache.zookeeper.proto.Create2Response;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ErrorResponse;
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
import org.apache.zookeeper.proto.GetEphemeralsRequest;
import org.apache.zookeeper.proto.GetEphemeralsResponse;
import org.apache.zookeeper.proto.MultiHeader;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetACLResponse;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetDataResponse;
import org.apache.zookeeper.proto.SetWatches;
import org.apache.zookeeper.proto.SetWatches2;
import org.apache.zookeeper.proto.SyncRequest;
import org.apache.zookeeper.proto.SyncResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.tributary.zk.OpCodes.*;

/**
 * Request decoding and response encoding with zookeeper-jute's records: one table from op code to the
 * engine's {@link Op}, one from op code and {@link Result} to the response record. multi and multiRead
 * are framed by hand as ZooKeeper's MultiOperationRecord / MultiResponse do (they live outside jute).
 * Stateless.
 */
final class ZkCodec {
    /** A decoded request; {@code subTypes} are the op codes inside a multi, needed to encode its results. */
    record Request(int type, Op op, List<Integer> subTypes) {
    }

    private ZkCodec() {
    }

    static boolean known(int type) {
        return switch (type) {
            case CREATE, CREATE2, CREATE_CONTAINER, CREATE_TTL, DELETE, EXISTS, GET_DATA, SET_DATA, GET_ACL, SET_ACL,
                 GET_CHILDREN, GET_CHILDREN2, SYNC, CHECK, MULTI, MULTI_READ, CHECK_WATCHES, REMOVE_WATCHES,
                 GET_EPHEMERALS, GET_ALL_CHILDREN_NUMBER, ADD_WATCH, SET_WATCHES, SET_WATCHES2, CLOSE_SESSION -> true;
            default -> false;
        };
    }

    static Request decode(int type, BinaryInputArchive in) throws IOException {
        if (type == MULTI || type == MULTI_READ) {
            List<Op> ops = new ArrayList<>();
            List<Integer> types = new ArrayList<>();
            MultiHeader h = new MultiHeader();
            h.deserialize(in, "multiheader");
            while (!h.getDone()) {
                boolean readOp = h.getType() == GET_DATA || h.getType() == GET_CHILDREN;
                if (readOp != (type == MULTI_READ)) {
                    throw new IOException("op " + h.getType() + " is not allowed in " + (type == MULTI ? "multi" : "multiRead"));
                }
                ops.add(decodeOne(h.getType(), in));
                types.add(h.getType());
                h.deserialize(in, "multiheader");
            }
            return new Request(type, type == MULTI ? new Op.Multi(ops) : new Op.MultiRead(ops), types);
        }
        return new Request(type, decodeOne(type, in), List.of());
    }

    private static Op decodeOne(int type, BinaryInputArchive in) throws IOException {
        switch (type) {
            case CREATE, CREATE2, CREATE_CONTAINER: {
                CreateRequest r = read(new CreateRequest(), in);
                int mode = r.getFlags();
                // createContainer must say container, and only it may (ZooKeeper's validateCreateRequest).
                if ((type == CREATE_CONTAINER) != (mode == Op.CONTAINER)) {
                    mode = -1;
                }
                return new Op.Create(r.getPath(), r.getData(), r.getAcl(), mode, 0);
            }
            case CREATE_TTL: {
                CreateTTLRequest r = read(new CreateTTLRequest(), in);
                return new Op.Create(r.getPath(), r.getData(), r.getAcl(), r.getFlags(), r.getTtl());
            }
            case DELETE: {
                DeleteRequest r = read(new DeleteRequest(), in);
                return new Op.Delete(r.getPath(), r.getVersion());
            }
            case EXISTS: {
                ExistsRequest r = read(new ExistsRequest(), in);
                return new Op.Exists(r.getPath(), r.getWatch());
            }
            case GET_DATA: {
                GetDataRequest r = read(new GetDataRequest(), in);
                return new Op.GetData(r.getPath(), r.getWatch());
            }
            case SET_DATA: {
                SetDataRequest r = read(new SetDataRequest(), in);
                return new Op.SetData(r.getPath(), r.getData(), r.getVersion());
            }
            case GET_ACL:
                return new Op.GetAcl(read(new GetACLRequest(), in).getPath());
            case SET_ACL: {
                SetACLRequest r = read(new SetACLRequest(), in);
                return new Op.SetAcl(r.getPath(), r.getAcl(), r.getVersion());
            }
            case GET_CHILDREN: {
                GetChildrenRequest r = read(new GetChildrenRequest(), in);
                return new Op.GetChildren(r.getPath(), r.getWatch());
            }
            case GET_CHILDREN2: {
                GetChildren2Request r = read(new GetChildren2Request(), in);
                return new Op.GetChildren(r.getPath(), r.getWatch());
            }
            case SYNC:
                return new Op.Sync(read(new SyncRequest(), in).getPath());
            case CHECK: {
                CheckVersionRequest r = read(new CheckVersionRequest(), in);
                return new Op.Check(r.getPath(), r.getVersion());
            }
            case CHECK_WATCHES: {
                CheckWatchesRequest r = read(new CheckWatchesRequest(), in);
                return new Op.RemoveWatches(r.getPath(), r.getType(), true);
            }
            case REMOVE_WATCHES: {
                RemoveWatchesRequest r = read(new RemoveWatchesRequest(), in);
                return new Op.RemoveWatches(r.getPath(), r.getType(), false);
            }
            case GET_EPHEMERALS:
                return new Op.GetEphemerals(read(new GetEphemeralsRequest(), in).getPrefixPath());
            case GET_ALL_CHILDREN_NUMBER:
                return new Op.GetAllChildrenNumber(read(new GetAllChildrenNumberRequest(), in).getPath());
            case ADD_WATCH: {
                AddWatchRequest r = read(new AddWatchRequest(), in);
                if (r.getMode() != 0 && r.getMode() != 1) {
                    throw new IOException("unknown addWatch mode " + r.getMode());
                }
                return new Op.AddWatch(r.getPath(), r.getMode() == 1);
            }
            case SET_WATCHES: {
                SetWatches r = read(new SetWatches(), in);
                return new Op.SetWatches(r.getRelativeZxid(), nn(r.getDataWatches()), nn(r.getExistWatches()),
                        nn(r.getChildWatches()), List.of(), List.of());
            }
            case SET_WATCHES2: {
                SetWatches2 r = read(new SetWatches2(), in);
                return new Op.SetWatches(r.getRelativeZxid(), nn(r.getDataWatches()), nn(r.getExistWatches()),
                        nn(r.getChildWatches()), nn(r.getPersistentWatches()), nn(r.getPersistentRecursiveWatches()));
            }
            case CLOSE_SESSION:
                return new Op.CloseSession();
            default:
                throw new IOException("unknown op code " + type);
        }
    }

    private static List<String> nn(List<String> l) {
        return l == null ? List.of() : l;
    }

    private static <T extends Record> T read(T record, BinaryInputArchive in) throws IOException {
        record.deserialize(in, "request");
        return record;
    }

    /** The response body for a successful result, or null when ZooKeeper sends none. */
    static Record encode(Request req, Result r) {
        return encode(req.type(), req.subTypes(), r);
    }

    private static Record encode(int type, List<Integer> subTypes, Result r) {
        Object v = r.value();
        return switch (type) {
            case CREATE -> new CreateResponse(((Result.Created) v).path());
            case CREATE2, CREATE_CONTAINER, CREATE_TTL -> new Create2Response(((Result.Created) v).path(), ((Result.Created) v).stat());
            case EXISTS -> new ExistsResponse((Stat) v);
            case GET_DATA -> new GetDataResponse(((Result.Data) v).data(), ((Result.Data) v).stat());
            case SET_DATA -> new SetDataResponse((Stat) v);
            case GET_ACL -> new GetACLResponse(((Result.Acl) v).acl(), ((Result.Acl) v).stat());
            case SET_ACL -> new SetACLResponse((Stat) v);
            case GET_CHILDREN -> new GetChildrenResponse(((Result.Children) v).children());
            case GET_CHILDREN2 -> new GetChildren2Response(((Result.Children) v).children(), ((Result.Children) v).stat());
            case SYNC -> new SyncResponse((String) v);
            case GET_EPHEMERALS -> new GetEphemeralsResponse(castList(v));
            case GET_ALL_CHILDREN_NUMBER -> new GetAllChildrenNumberResponse((Integer) v);
            case ADD_WATCH -> new ErrorResponse(0);
            case MULTI, MULTI_READ -> {
                List<Result> results = ((Result.Multi) v).results();
                // A failed multi answers an ErrorResult for every op (OK before the failure).
                boolean failed = type == MULTI && results.stream().anyMatch(x -> x.err() != 0);
                yield new MultiResults(failed, subTypes, results);
            }
            default -> null;
        };
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object v) {
        return (List<String>) v;
    }

    /** ZooKeeper's MultiResponse layout: per result a MultiHeader then its body; a done header closes it. */
    private record MultiResults(boolean allErrors, List<Integer> types, List<Result> results) implements Record {
        @Override
        public void serialize(OutputArchive out, String tag) throws IOException {
            out.startRecord(this, tag);
            for (int i = 0; i < results.size(); i++) {
                Result r = results.get(i);
                int type = types.get(i);
                if (allErrors || r.err() != 0) {
                    int err = r.err();
                    new MultiHeader(ERROR, false, err).serialize(out, tag);
                    new ErrorResponse(err).serialize(out, tag);
                    continue;
                }
                int resultType = type == CREATE_CONTAINER || type == CREATE_TTL ? CREATE2 : type;
                new MultiHeader(resultType, false, 0).serialize(out, tag);
                Record body = encode(resultType, List.of(), r);
                if (body != null) {
                    body.serialize(out, tag);
                }
            }
            new MultiHeader(-1, true, -1).serialize(out, tag);
            out.endRecord(this, tag);
        }

        @Override
        public void deserialize(InputArchive in, String tag) {
            throw new UnsupportedOperationException();
        }
    }
}
