package io.tributary.coord;

import org.apache.zookeeper.data.ACL;

import java.util.List;

/**
 * Validation of a write against the current tree and its translation into a transaction body, with
 * ZooKeeper's rules and result codes (its PrepRequestProcessor): path syntax, parent existence, ACL,
 * expected version, no children under ephemerals, data size, create modes and TTLs, quotas. Reads the
 * tree, never changes it. Coordinator thread only.
 */
final class Prep {
    private final ZnodeTree tree;
    private final CoordOptions options;

    Prep(ZnodeTree tree, CoordOptions options) {
        this.tree = tree;
        this.options = options;
    }

    record Prepared(Txn.Body body, String path) {
    }

    /** Validation and translation of one write into a transaction body (ZooKeeper's rules and codes). */
    Prepared prepare(Caller c, Op op) throws CoordException {
        if (op instanceof Op.Create cr) {
            return prepareCreate(c, cr);
        } else if (op instanceof Op.Delete d) {
            Paths.validate(d.path());
            if (Paths.isSpecial(d.path())) {
                throw new CoordException(Codes.BADARGUMENTS, "cannot delete " + d.path());
            }
            DataNode parent = tree.get(Paths.parent(d.path()));
            DataNode n = require(d.path());
            Acls.check(parent.acl, Codes.PERM_DELETE, c.ids());
            checkVersion(d.version(), n.version);
            if (!n.children.isEmpty()) {
                throw new CoordException(Codes.NOTEMPTY, d.path());
            }
            return new Prepared(new Txn.Delete(d.path()), d.path());
        } else if (op instanceof Op.SetData sd) {
            Paths.validate(sd.path());
            DataNode n = require(sd.path());
            Acls.check(n.acl, Codes.PERM_WRITE, c.ids());
            byte[] data = sd.data();
            // ZooKeeper checks the quota after the ACL and before the version.
            tree.quotas().check(sd.path(), DataNode.length(data) - DataNode.length(n.data), 0, options.enforceQuota());
            checkVersion(sd.version(), n.version);
            checkSize(data);
            return new Prepared(new Txn.SetData(sd.path(), data), sd.path());
        } else if (op instanceof Op.SetAcl sa) {
            Paths.validate(sa.path());
            List<ACL> acl = Acls.fixup(sa.acl(), c.ids());
            DataNode n = require(sa.path());
            Acls.check(n.acl, Codes.PERM_ADMIN, c.ids());
            checkVersion(sa.version(), n.aversion);
            return new Prepared(new Txn.SetAcl(sa.path(), acl), sa.path());
        } else if (op instanceof Op.Check ch) {
            Paths.validate(ch.path());
            DataNode n = require(ch.path());
            Acls.check(n.acl, Codes.PERM_READ, c.ids());
            checkVersion(ch.version(), n.version);
            return new Prepared(null, ch.path());
        }
        throw new CoordException(Codes.UNIMPLEMENTED, "not a write: " + op.getClass().getSimpleName());
    }

    private Prepared prepareCreate(Caller c, Op.Create cr) throws CoordException {
        String path = cr.path();
        if (path == null || path.lastIndexOf('/') < 0 || path.indexOf('\0') >= 0) {
            throw new CoordException(Codes.BADARGUMENTS, "bad path " + path);
        }
        if (cr.withTtl() ? cr.ttl() <= 0 || cr.ttl() > EphemeralType.MAX_TTL : cr.ttl() != 0 && cr.ttl() != -1) {
            throw new CoordException(Codes.BADARGUMENTS, "bad ttl " + cr.ttl() + " for mode " + cr.mode());
        }
        if (cr.mode() < Op.PERSISTENT || cr.mode() > Op.PERSISTENT_SEQUENTIAL_WITH_TTL) {
            throw new CoordException(Codes.BADARGUMENTS, "unknown create mode " + cr.mode());
        }
        // A sequential name is validated with a suffix in place, as the final name will carry one.
        Paths.validate(cr.sequential() ? path + "0000000000" : path);
        checkSize(cr.data());
        List<ACL> acl = Acls.fixup(cr.acl(), c.ids());
        String parentPath = path.lastIndexOf('/') == 0 ? Paths.ROOT : path.substring(0, path.lastIndexOf('/'));
        DataNode parent = tree.get(parentPath);
        if (parent == null) {
            throw new CoordException(Codes.NONODE, parentPath);
        }
        Acls.check(parent.acl, Codes.PERM_CREATE, c.ids());
        if (cr.sequential()) {
            path = path + String.format("%010d", parent.cversion);
        }
        Paths.validate(path);
        if (tree.get(path) != null) {
            throw new CoordException(Codes.NODEEXISTS, path);
        }
        if (EphemeralType.isSession(parent.ephemeralOwner)) {
            throw new CoordException(Codes.NOCHILDRENFOREPHEMERALS, path);
        }
        byte[] data = cr.data();
        tree.quotas().check(path, DataNode.length(data), 1, options.enforceQuota());
        long owner = cr.ephemeral() ? c.sessionId()
                : cr.mode() == Op.CONTAINER ? EphemeralType.CONTAINER
                : cr.withTtl() ? EphemeralType.ttlOwner(cr.ttl()) : 0;
        return new Prepared(new Txn.Create(path, data, acl, owner), path);
    }

    private void checkSize(byte[] data) throws CoordException {
        if (data != null && data.length > options.maxBuffer()) {
            throw new CoordException(Codes.BADARGUMENTS, "data of " + data.length + " bytes exceeds jute.maxbuffer " + options.maxBuffer());
        }
    }

    private DataNode require(String path) throws CoordException {
        DataNode n = tree.get(path);
        if (n == null) {
            throw new CoordException(Codes.NONODE, path);
        }
        return n;
    }

    private static void checkVersion(int expected, int actual) throws CoordException {
        if (expected != -1 && expected != actual) {
            throw new CoordException(Codes.BADVERSION, "expected version " + expected + ", is " + actual);
        }
    }

}
