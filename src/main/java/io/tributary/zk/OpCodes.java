package io.tributary.zk;

/** ZooKeeper's request types (ZooDefs.OpCode) and special xids (ClientCnxn), as on the wire. */
final class OpCodes {
    static final int NOTIFICATION = 0;
    static final int CREATE = 1;
    static final int DELETE = 2;
    static final int EXISTS = 3;
    static final int GET_DATA = 4;
    static final int SET_DATA = 5;
    static final int GET_ACL = 6;
    static final int SET_ACL = 7;
    static final int GET_CHILDREN = 8;
    static final int SYNC = 9;
    static final int PING = 11;
    static final int GET_CHILDREN2 = 12;
    static final int CHECK = 13;
    static final int MULTI = 14;
    static final int CREATE2 = 15;
    static final int RECONFIG = 16;
    static final int CHECK_WATCHES = 17;
    static final int REMOVE_WATCHES = 18;
    static final int CREATE_CONTAINER = 19;
    static final int DELETE_CONTAINER = 20;
    static final int CREATE_TTL = 21;
    static final int MULTI_READ = 22;
    static final int AUTH = 100;
    static final int SET_WATCHES = 101;
    static final int SASL = 102;
    static final int GET_EPHEMERALS = 103;
    static final int GET_ALL_CHILDREN_NUMBER = 104;
    static final int SET_WATCHES2 = 105;
    static final int ADD_WATCH = 106;
    static final int WHO_AM_I = 107;
    static final int CREATE_SESSION = -10;
    static final int CLOSE_SESSION = -11;
    static final int ERROR = -1;

    static final int XID_NOTIFICATION = -1;
    static final int XID_PING = -2;
    static final int XID_AUTH = -4;
    static final int XID_SET_WATCHES = -8;

    /** KeeperState.SyncConnected, the state carried by every notification. */
    static final int STATE_SYNC_CONNECTED = 3;

    /** The four-letter names ZooKeeper's {@code cons} shows as the last operation ("lop"). */
    static String shortName(int type) {
        return switch (type) {
            case CREATE, CREATE2, CREATE_CONTAINER, CREATE_TTL -> "CREA";
            case DELETE -> "DELE";
            case EXISTS -> "EXIS";
            case GET_DATA -> "GETD";
            case SET_DATA -> "SETD";
            case GET_ACL -> "GETA";
            case SET_ACL -> "SETA";
            case GET_CHILDREN, GET_CHILDREN2 -> "GETC";
            case SYNC -> "SYNC";
            case MULTI, MULTI_READ -> "MULT";
            case CLOSE_SESSION -> "CLOS";
            default -> "OTHR";
        };
    }

    /**
     * The suffix of ZooKeeper's {@code op_count_<name>} counter for a request type (ServerMetrics, as
     * FinalRequestProcessor counts them), or null for types it does not count.
     */
    static String metricName(int type) {
        return switch (type) {
            case CREATE, CREATE2, CREATE_CONTAINER, CREATE_TTL -> "create";
            case DELETE -> "delete";
            case EXISTS -> "exists";
            case GET_DATA -> "get_data";
            case SET_DATA -> "set_data";
            case GET_ACL -> "get_acl";
            case SET_ACL -> "set_acl";
            case GET_CHILDREN, GET_CHILDREN2 -> "get_children";
            case SYNC -> "sync";
            case PING -> "ping";
            case CHECK -> "check";
            case MULTI -> "multi";
            case MULTI_READ -> "multi_read";
            case RECONFIG -> "reconfig";
            case CHECK_WATCHES -> "check_watches";
            case REMOVE_WATCHES -> "remove_watches";
            case SET_WATCHES, SET_WATCHES2 -> "set_watches";
            case GET_EPHEMERALS -> "get_ephemerals";
            case GET_ALL_CHILDREN_NUMBER -> "get_all_children_number";
            case ADD_WATCH -> "add_watch";
            case WHO_AM_I -> "who_am_i";
            case CLOSE_SESSION -> "close_session";
            case CREATE_SESSION -> "create_session";
            default -> null;
        };
    }

    /** Requests that change state: their latency is ZooKeeper's updatelatency, the others' readlatency. */
    static boolean isWrite(int type) {
        return switch (type) {
            case CREATE, CREATE2, CREATE_CONTAINER, CREATE_TTL, DELETE, SET_DATA, SET_ACL, MULTI, CLOSE_SESSION,
                 RECONFIG -> true;
            default -> false;
        };
    }

    private OpCodes() {
    }
}
