package io.tributary.coord;

import io.tributary.testing.ManualTime;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** An engine with a manual clock, an in-memory log and immediate outputs: no threads, no sleeps. */
final class Engine {
    final ManualTime time = new ManualTime(1_000_000);
    final List<Txn> log = new ArrayList<>();
    final Coordinator c;

    Engine() {
        this(CoordOptions.defaults());
    }

    Engine(CoordOptions options) {
        c = new Coordinator(new InMemoryCoordStore(), options, time, log::add, Runnable::run);
        c.startEpoch();
    }

    /** A recording connection. */
    static final class Sink implements WatchSink {
        final List<String> events = new ArrayList<>();
        final List<String> closed = new ArrayList<>();

        @Override
        public void event(int type, String path, long zxid) {
            events.add(name(type) + " " + path);
        }

        @Override
        public void sessionClosed(String reason) {
            closed.add(reason);
        }

        List<String> take() {
            List<String> l = new ArrayList<>(events);
            events.clear();
            return l;
        }

        static String name(int type) {
            return switch (type) {
                case 1 -> "NodeCreated";
                case 2 -> "NodeDeleted";
                case 3 -> "NodeDataChanged";
                case 4 -> "NodeChildrenChanged";
                default -> "type" + type;
            };
        }
    }

    Caller session() {
        return session(new Sink(), List.of());
    }

    Caller session(Sink sink, List<Id> ids) {
        long id = c.createSession(10_000, sink).id();
        List<Id> all = new ArrayList<>(ids);
        all.add(new Id("ip", "127.0.0.1"));
        return new Caller(id, all, sink);
    }

    Result run(Caller caller, Op op) {
        return c.execute(caller, op);
    }

    /** Runs and asserts the result code. */
    Result expect(int code, Caller caller, Op op) {
        Result r = c.execute(caller, op);
        assertEquals(code, r.err(), () -> op + " -> " + r);
        return r;
    }

    String create(Caller caller, String path, String data, int mode) {
        Result r = expect(Codes.OK, caller, new Op.Create(path, data.getBytes(), ZnodeTree.OPEN_ACL, mode, 0));
        return ((Result.Created) r.value()).path();
    }

    Stat stat(Caller caller, String path) {
        Result r = expect(Codes.OK, caller, new Op.Exists(path, false));
        return (Stat) r.value();
    }

    static List<ACL> acl(int perms, String scheme, String id) {
        return List.of(new ACL(perms, new Id(scheme, id)));
    }
}
