package io.tributary.client.zk;

import java.util.List;
import java.util.Map;

/**
 * A ZooKeeper operation failed with one of ZooKeeper's error codes ({@code KeeperException.Code}), carried with the
 * path it concerned. {@link #CONNECTIONLOSS} is ambiguous for a write (it may or may not have been applied);
 * {@link #SESSIONEXPIRED} is final for the client. A failed {@code multi} carries every operation's result.
 */
public final class ZkException extends RuntimeException {
    public static final int OK = 0;
    public static final int SYSTEMERROR = -1;
    public static final int RUNTIMEINCONSISTENCY = -2;
    public static final int DATAINCONSISTENCY = -3;
    public static final int CONNECTIONLOSS = -4;
    public static final int MARSHALLINGERROR = -5;
    public static final int UNIMPLEMENTED = -6;
    public static final int OPERATIONTIMEOUT = -7;
    public static final int BADARGUMENTS = -8;
    public static final int UNKNOWNSESSION = -12;
    public static final int NEWCONFIGNOQUORUM = -13;
    public static final int RECONFIGINPROGRESS = -14;
    public static final int APIERROR = -100;
    public static final int NONODE = -101;
    public static final int NOAUTH = -102;
    public static final int BADVERSION = -103;
    public static final int NOCHILDRENFOREPHEMERALS = -108;
    public static final int NODEEXISTS = -110;
    public static final int NOTEMPTY = -111;
    public static final int SESSIONEXPIRED = -112;
    public static final int INVALIDCALLBACK = -113;
    public static final int INVALIDACL = -114;
    public static final int AUTHFAILED = -115;
    public static final int SESSIONMOVED = -118;
    public static final int NOTREADONLY = -119;
    public static final int EPHEMERALONLOCALSESSION = -120;
    public static final int NOWATCHER = -121;
    public static final int REQUESTTIMEOUT = -122;
    public static final int RECONFIGDISABLED = -123;
    public static final int SESSIONCLOSEDREQUIRESASLAUTH = -124;
    public static final int QUOTAEXCEEDED = -125;
    public static final int THROTTLEDOP = -127;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(OK, "OK"), Map.entry(SYSTEMERROR, "SYSTEMERROR"),
            Map.entry(RUNTIMEINCONSISTENCY, "RUNTIMEINCONSISTENCY"), Map.entry(DATAINCONSISTENCY, "DATAINCONSISTENCY"),
            Map.entry(CONNECTIONLOSS, "CONNECTIONLOSS"), Map.entry(MARSHALLINGERROR, "MARSHALLINGERROR"),
            Map.entry(UNIMPLEMENTED, "UNIMPLEMENTED"), Map.entry(OPERATIONTIMEOUT, "OPERATIONTIMEOUT"),
            Map.entry(BADARGUMENTS, "BADARGUMENTS"), Map.entry(UNKNOWNSESSION, "UNKNOWNSESSION"),
            Map.entry(NEWCONFIGNOQUORUM, "NEWCONFIGNOQUORUM"), Map.entry(RECONFIGINPROGRESS, "RECONFIGINPROGRESS"),
            Map.entry(APIERROR, "APIERROR"), Map.entry(NONODE, "NONODE"), Map.entry(NOAUTH, "NOAUTH"),
            Map.entry(BADVERSION, "BADVERSION"), Map.entry(NOCHILDRENFOREPHEMERALS, "NOCHILDRENFOREPHEMERALS"),
            Map.entry(NODEEXISTS, "NODEEXISTS"), Map.entry(NOTEMPTY, "NOTEMPTY"),
            Map.entry(SESSIONEXPIRED, "SESSIONEXPIRED"), Map.entry(INVALIDCALLBACK, "INVALIDCALLBACK"),
            Map.entry(INVALIDACL, "INVALIDACL"), Map.entry(AUTHFAILED, "AUTHFAILED"),
            Map.entry(SESSIONMOVED, "SESSIONMOVED"), Map.entry(NOTREADONLY, "NOTREADONLY"),
            Map.entry(EPHEMERALONLOCALSESSION, "EPHEMERALONLOCALSESSION"), Map.entry(NOWATCHER, "NOWATCHER"),
            Map.entry(REQUESTTIMEOUT, "REQUESTTIMEOUT"), Map.entry(RECONFIGDISABLED, "RECONFIGDISABLED"),
            Map.entry(SESSIONCLOSEDREQUIRESASLAUTH, "SESSIONCLOSEDREQUIRESASLAUTH"),
            Map.entry(QUOTAEXCEEDED, "QUOTAEXCEEDED"), Map.entry(THROTTLEDOP, "THROTTLEDOP"));

    private final int code;
    private final String path;
    private final List<OpResult> results;
    private long zxid;

    public ZkException(int code, String path) {
        this(code, path, List.of(), null);
    }

    public ZkException(int code, String path, String detail) {
        this(code, path, List.of(), detail);
    }

    public ZkException(int code, String path, List<OpResult> results, String detail) {
        super(codeName(code) + (path == null ? "" : " for " + path) + (detail == null ? "" : ": " + detail));
        this.code = code;
        this.path = path;
        this.results = List.copyOf(results);
    }

    /** ZooKeeper's error code, one of this class's constants. */
    public int code() {
        return code;
    }

    /** The path the failed operation concerned (for a multi, the failing operation's), or null. */
    public String path() {
        return path;
    }

    /** For a failed multi: each operation's result (the failing one and those after it are errors); else empty. */
    public List<OpResult> results() {
        return results;
    }

    /** The zxid the server answered at (its ReplyHeader), or 0 if the error did not come from a server reply. */
    public long zxid() {
        return zxid;
    }

    /** Records the reply's zxid; used by the client when it reads an error reply. */
    public ZkException withZxid(long zxid) {
        this.zxid = zxid;
        return this;
    }

    /** ZooKeeper's name of {@code code}, e.g. {@code NONODE}. */
    public static String codeName(int code) {
        return NAMES.getOrDefault(code, "UNKNOWN(" + code + ")");
    }

    /** True if the operation may succeed when retried after a reconnect (its outcome may be unknown). */
    public boolean isConnectionLoss() {
        return code == CONNECTIONLOSS || code == OPERATIONTIMEOUT || code == SESSIONMOVED;
    }
}
