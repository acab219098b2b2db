package io.tributary.coord;

import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

import java.util.List;
import java.util.TreeSet;

/**
 * One znode: data (null when a client wrote null, as in ZooKeeper), ACL, child names and the persisted part of ZooKeeper's stat. Mutable, owned by the
 * coordinator thread; {@link #copy()} is used to undo a failed multi and to hand stats out.
 */
public final class DataNode {
    byte[] data;
    List<ACL> acl;
    long czxid;
    long mzxid;
    long pzxid;
    long ctime;
    long mtime;
    int version;
    int cversion;
    int aversion;
    long ephemeralOwner;
    final TreeSet<String> children;

    DataNode(byte[] data, List<ACL> acl, long zxid, long time, long ephemeralOwner) {
        this.data = data; // null stays null: ZooKeeper keeps and returns it (issue 8)
        this.acl = List.copyOf(acl);
        this.czxid = zxid;
        this.mzxid = zxid;
        this.pzxid = zxid;
        this.ctime = time;
        this.mtime = time;
        this.ephemeralOwner = ephemeralOwner;
        this.children = new TreeSet<>();
    }

    private DataNode(DataNode o) {
        this.data = o.data;
        this.acl = o.acl;
        this.czxid = o.czxid;
        this.mzxid = o.mzxid;
        this.pzxid = o.pzxid;
        this.ctime = o.ctime;
        this.mtime = o.mtime;
        this.version = o.version;
        this.cversion = o.cversion;
        this.aversion = o.aversion;
        this.ephemeralOwner = o.ephemeralOwner;
        this.children = new TreeSet<>(o.children);
    }

    DataNode copy() {
        return new DataNode(this);
    }

    /** Bytes of {@code data}; null data counts 0, as ZooKeeper's dataLength. */
    static int length(byte[] data) {
        return data == null ? 0 : data.length;
    }

    /** The node's data, null when it was created or set with null. */
    public byte[] data() {
        return data;
    }

    public List<ACL> acl() {
        return acl;
    }

    public int version() {
        return version;
    }

    public int cversion() {
        return cversion;
    }

    public long ephemeralOwner() {
        return ephemeralOwner;
    }

    public java.util.SortedSet<String> children() {
        return java.util.Collections.unmodifiableSortedSet(children);
    }

    /** A fresh jute Stat (the wire and API type) for this node. */
    public Stat stat() {
        return new Stat(czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner,
                length(data), children.size(), pzxid);
    }
}
