package io.tributary.coord;

/**
 * ZooKeeper's result codes ({@code KeeperException.Code}) and event types ({@code Watcher.Event.EventType}),
 * with ZooKeeper's numbers, because they go on the wire unchanged.
 */
public final class Codes {
    public static final int OK = 0;
    public static final int SYSTEMERROR = -1;
    public static final int RUNTIMEINCONSISTENCY = -2;
    /** Never sent by ZooKeeper (a client makes it up when its connection drops); used internally only. */
    public static final int CONNECTIONLOSS = -4;
    public static final int MARSHALLINGERROR = -5;
    public static final int OPERATIONTIMEOUT = -7;
    public static final int UNIMPLEMENTED = -6;
    public static final int BADARGUMENTS = -8;
    public static final int NONODE = -101;
    public static final int NOAUTH = -102;
    public static final int BADVERSION = -103;
    public static final int NOCHILDRENFOREPHEMERALS = -108;
    public static final int NODEEXISTS = -110;
    public static final int NOTEMPTY = -111;
    public static final int SESSIONEXPIRED = -112;
    public static final int SESSIONMOVED = -118;
    public static final int INVALIDACL = -114;
    public static final int AUTHFAILED = -115;
    public static final int NOWATCHER = -121;
    public static final int RECONFIGDISABLED = -123;
    public static final int QUOTAEXCEEDED = -125;

    // Watcher.Event.EventType
    public static final int EVENT_NODE_CREATED = 1;
    public static final int EVENT_NODE_DELETED = 2;
    public static final int EVENT_NODE_DATA_CHANGED = 3;
    public static final int EVENT_NODE_CHILDREN_CHANGED = 4;

    // Perms (ZooDefs.Perms)
    public static final int PERM_READ = 1;
    public static final int PERM_WRITE = 2;
    public static final int PERM_CREATE = 4;
    public static final int PERM_DELETE = 8;
    public static final int PERM_ADMIN = 16;
    public static final int PERM_ALL = 31;

    private Codes() {
    }
}
