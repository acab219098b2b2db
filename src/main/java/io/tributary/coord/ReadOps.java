package io.tributary.coord;

import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The read side of the engine (ZooKeeper's FinalRequestProcessor reads): answers from the tree and
 * registers watches. Reads never create transactions. Coordinator thread only.
 */
final class ReadOps {
    private final ZnodeTree tree;
    private final WatchRegistry watches;

    /** What {@link #read} answers for an op that is not one of these reads. */
    static final Object NOT_A_READ = new Object();

    ReadOps(ZnodeTree tree, WatchRegistry watches) {
        this.tree = tree;
        this.watches = watches;
    }

    /**
     * Answers a read or a watch request (no transaction); {@link #NOT_A_READ} for a write, a multi, a
     * multi-read or a session close, which the caller handles.
     */
    Object read(Caller c, Op op, WatchRegistry.Delivery delivery) throws CoordException {
        if (op instanceof Op.GetData g) {
            return getData(c, g);
        } else if (op instanceof Op.Exists e) {
            return exists(c, e);
        } else if (op instanceof Op.GetChildren g) {
            return getChildren(c, g);
        } else if (op instanceof Op.GetAcl g) {
            return getAcl(c, g);
        } else if (op instanceof Op.Sync s) {
            return s.path();
        } else if (op instanceof Op.GetEphemerals g) {
            return getEphemerals(c, g);
        } else if (op instanceof Op.GetAllChildrenNumber g) {
            return allChildrenNumber(g);
        } else if (op instanceof Op.AddWatch a) {
            watches.addPersistent(a.path(), c.sink(), a.recursive());
            return null;
        } else if (op instanceof Op.RemoveWatches r) {
            if (!watches.remove(r.path(), r.watcherType(), c.sink(), r.checkOnly())) {
                throw new CoordException(Codes.NOWATCHER, r.path());
            }
            return null;
        } else if (op instanceof Op.SetWatches sw) {
            setWatches(c, sw, delivery);
            return null;
        }
        return NOT_A_READ;
    }

    Object getData(Caller c, Op.GetData op) throws CoordException {
        DataNode n = node(op.path());
        Acls.check(n.acl, Codes.PERM_READ, c.ids());
        if (op.watch() && c.sink() != null) {
            watches.addData(op.path(), c.sink(), WatchRegistry.STANDARD);
        }
        return new Result.Data(n.data, n.stat());
    }

    Object exists(Caller c, Op.Exists op) throws CoordException {
        DataNode n = tree.get(op.path());
        // An exists watch is armed whether or not the node is there: it then fires on creation.
        if (op.watch() && c.sink() != null) {
            watches.addData(op.path(), c.sink(), WatchRegistry.STANDARD);
        }
        if (n == null) {
            throw new CoordException(Codes.NONODE, op.path());
        }
        return n.stat();
    }

    Object getChildren(Caller c, Op.GetChildren op) throws CoordException {
        DataNode n = node(op.path());
        Acls.check(n.acl, Codes.PERM_READ, c.ids());
        if (op.watch() && c.sink() != null) {
            watches.addChild(op.path(), c.sink(), WatchRegistry.STANDARD);
        }
        return new Result.Children(new ArrayList<>(n.children), n.stat());
    }

    /** READ or ADMIN may read an ACL; without ADMIN digest hashes are hidden, as ZooKeeper does. */
    Object getAcl(Caller c, Op.GetAcl op) throws CoordException {
        DataNode n = node(op.path());
        Acls.check(n.acl, Codes.PERM_READ | Codes.PERM_ADMIN, c.ids());
        List<ACL> acl = n.acl;
        if (!Acls.allowed(n.acl, Codes.PERM_ADMIN, c.ids())) {
            List<ACL> redacted = new ArrayList<>();
            for (ACL a : acl) {
                Id id = a.getId();
                redacted.add("digest".equals(id.getScheme())
                        ? new ACL(a.getPerms(), new Id("digest", id.getId().replaceAll(":.*", ":x"))) : a);
            }
            acl = redacted;
        }
        return new Result.Acl(acl, n.stat());
    }

    Object getEphemerals(Caller c, Op.GetEphemerals op) {
        String prefix = op.prefix() == null || op.prefix().isEmpty() ? "/" : op.prefix();
        List<String> out = new ArrayList<>();
        for (String p : tree.ephemeralsOf(c.sessionId())) {
            if (prefix.equals("/") || p.startsWith(prefix)) {
                out.add(p);
            }
        }
        return out;
    }

    Object allChildrenNumber(Op.GetAllChildrenNumber op) throws CoordException {
        node(op.path());
        int count = 0;
        ArrayDeque<String> todo = new ArrayDeque<>();
        todo.add(op.path());
        while (!todo.isEmpty()) {
            String p = todo.poll();
            DataNode n = tree.get(p);
            if (n == null) {
                continue;
            }
            for (String name : n.children) {
                count++;
                todo.add(Paths.child(p, name));
            }
        }
        return count;
    }

    /** ZooKeeper's DataTree.setWatches: re-arm, or fire at once for what changed after relativeZxid. */
    void setWatches(Caller c, Op.SetWatches op, WatchRegistry.Delivery delivery) {
        WatchSink sink = c.sink();
        for (String path : op.data()) {
            DataNode n = tree.get(path);
            if (n == null) {
                delivery.deliver(sink, Codes.EVENT_NODE_DELETED, path, -1);
            } else if (n.mzxid > op.relativeZxid()) {
                delivery.deliver(sink, Codes.EVENT_NODE_DATA_CHANGED, path, -1);
            } else {
                watches.addData(path, sink, WatchRegistry.STANDARD);
            }
        }
        for (String path : op.exist()) {
            if (tree.get(path) != null) {
                delivery.deliver(sink, Codes.EVENT_NODE_CREATED, path, -1);
            } else {
                watches.addData(path, sink, WatchRegistry.STANDARD);
            }
        }
        for (String path : op.child()) {
            DataNode n = tree.get(path);
            if (n == null) {
                delivery.deliver(sink, Codes.EVENT_NODE_DELETED, path, -1);
            } else if (n.pzxid > op.relativeZxid()) {
                delivery.deliver(sink, Codes.EVENT_NODE_CHILDREN_CHANGED, path, -1);
            } else {
                watches.addChild(path, sink, WatchRegistry.STANDARD);
            }
        }
        for (String path : op.persistent()) {
            watches.addPersistent(path, sink, false);
        }
        for (String path : op.recursive()) {
            watches.addPersistent(path, sink, true);
        }
    }

    private DataNode node(String path) throws CoordException {
        DataNode n = tree.get(path);
        if (n == null) {
            throw new CoordException(Codes.NONODE, path);
        }
        return n;
    }
}
