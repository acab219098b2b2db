package io.tributary.cluster;

import java.io.Serializable;

/**
 * Values of the Hazelcast maps {@code znodes} (path -> {@link Znode}) and {@code sessions} (session id ->
 * {@link Session}): a cluster-wide view of the coordination state, each value tagged with the zxid of the
 * state it was taken from. Never read for a decision the coordination guarantees depend on.
 */
public final class Views {
    private Views() {
    }

    public record Znode(byte[] data, long czxid, long mzxid, long pzxid, long ctime, long mtime, int version,
                        int cversion, int aversion, long ephemeralOwner, int numChildren, long zxid)
            implements Serializable {
        /** The same znode state, whatever zxid the view was taken at. */
        boolean sameAs(Znode o) {
            return o != null && java.util.Arrays.equals(data, o.data) && czxid == o.czxid && mzxid == o.mzxid
                    && pzxid == o.pzxid && ctime == o.ctime && mtime == o.mtime && version == o.version
                    && cversion == o.cversion && aversion == o.aversion && ephemeralOwner == o.ephemeralOwner
                    && numChildren == o.numChildren;
        }
    }

    /**
     * {@code ownerNode}: the node whose connection last showed the session alive (0: none seen since this
     * leader took over); {@code lastTouch}: when, by the leader's clock.
     */
    public record Session(int timeout, int ownerNode, long lastTouch, int ephemerals, long zxid) implements Serializable {
        boolean sameAs(Session o) {
            return o != null && timeout == o.timeout && ownerNode == o.ownerNode && lastTouch == o.lastTouch
                    && ephemerals == o.ephemerals;
        }
    }
}
