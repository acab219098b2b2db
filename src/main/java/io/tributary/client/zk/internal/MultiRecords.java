package io.tributary.client.zk.internal;

import io.tributary.client.zk.OpResult;
import io.tributary.client.zk.ZkOp;
import org.apache.jute.InputArchive;
import org.apache.jute.OutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.Create2Response;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ErrorResponse;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetChildrenResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.MultiHeader;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetDataResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The multi and read-only multi bodies (MultiOperationRecord / MultiResponse): for each operation a
 * {@code MultiHeader(type, done=false, err=-1)} and its request record, closed by {@code MultiHeader(-1, true, -1)};
 * the response repeats a header per result ({@code type -1} with an ErrorResponse for a failure) and the same end.
 */
final class MultiRecords {
    private MultiRecords() {
    }

    /** The request body of a multi. */
    static final class Ops implements Record {
        private final List<ZkOp> ops;

        Ops(List<ZkOp> ops) {
            this.ops = ops;
        }

        @Override
        public void serialize(OutputArchive out, String tag) throws IOException {
            for (ZkOp op : ops) {
                Record r;
                int type;
                if (op instanceof ZkOp.Create c) {
                    type = Requests.createOpcode(c.mode());
                    r = Requests.createRecord(c.path(), c.data(), c.acl(), c.mode(), c.ttlMs());
                } else if (op instanceof ZkOp.Delete d) {
                    type = Wire.DELETE;
                    r = new DeleteRequest(d.path(), d.version());
                } else if (op instanceof ZkOp.SetData sd) {
                    type = Wire.SET_DATA;
                    r = new SetDataRequest(sd.path(), sd.data() == null ? new byte[0] : sd.data(), sd.version());
                } else if (op instanceof ZkOp.Check k) {
                    type = Wire.CHECK;
                    r = new CheckVersionRequest(k.path(), k.version());
                } else if (op instanceof ZkOp.GetData g) {
                    type = Wire.GET_DATA;
                    r = new GetDataRequest(g.path(), false);
                } else {
                    type = Wire.GET_CHILDREN;
                    r = new GetChildrenRequest(op.path(), false);
                }
                new MultiHeader(type, false, -1).serialize(out, "header");
                r.serialize(out, "op");
            }
            new MultiHeader(-1, true, -1).serialize(out, "header");
        }

        @Override
        public void deserialize(InputArchive in, String tag) {
            throw new UnsupportedOperationException("the client only writes multi requests");
        }
    }

    /** The response body of a multi: the results in order. */
    static final class Results implements Record {
        final List<OpResult> results = new ArrayList<>();

        @Override
        public void serialize(OutputArchive out, String tag) {
            throw new UnsupportedOperationException("the client only reads multi responses");
        }

        @Override
        public void deserialize(InputArchive in, String tag) throws IOException {
            MultiHeader h = new MultiHeader();
            h.deserialize(in, "header");
            while (!h.getDone()) {
                switch (h.getType()) {
                    case Wire.CREATE -> {
                        CreateResponse r = new CreateResponse();
                        r.deserialize(in, "response");
                        results.add(new OpResult.CreateResult(r.getPath(), null));
                    }
                    case Wire.CREATE2, Wire.CREATE_CONTAINER, Wire.CREATE_TTL -> {
                        Create2Response r = new Create2Response();
                        r.deserialize(in, "response");
                        results.add(new OpResult.CreateResult(r.getPath(), r.getStat()));
                    }
                    case Wire.DELETE -> results.add(new OpResult.DeleteResult());
                    case Wire.SET_DATA -> {
                        SetDataResponse r = new SetDataResponse();
                        r.deserialize(in, "response");
                        results.add(new OpResult.SetDataResult(r.getStat()));
                    }
                    case Wire.CHECK -> results.add(new OpResult.CheckResult());
                    case Wire.GET_DATA -> {
                        GetDataResponse r = new GetDataResponse();
                        r.deserialize(in, "response");
                        results.add(new OpResult.GetDataResult(r.getData(), r.getStat()));
                    }
                    case Wire.GET_CHILDREN -> {
                        GetChildrenResponse r = new GetChildrenResponse();
                        r.deserialize(in, "response");
                        results.add(new OpResult.GetChildrenResult(List.copyOf(r.getChildren())));
                    }
                    case Wire.ERROR -> {
                        ErrorResponse r = new ErrorResponse();
                        r.deserialize(in, "response");
                        results.add(new OpResult.ErrorResult(r.getErr()));
                    }
                    default -> throw new IOException("unknown multi result type " + h.getType());
                }
                h.deserialize(in, "header");
            }
        }
    }
}
