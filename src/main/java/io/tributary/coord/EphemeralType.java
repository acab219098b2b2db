package io.tributary.coord;

/**
 * The meaning of a znode's {@code ephemeralOwner}, encoded exactly as ZooKeeper's {@code EphemeralType}
 * so clients read the same stat: 0 persistent, {@link Long#MIN_VALUE} container, high byte 0xff with
 * the TTL in milliseconds in the low 40 bits for TTL nodes, any other value a session id.
 */
public final class EphemeralType {
    public static final long CONTAINER = Long.MIN_VALUE;
    private static final long EXTENDED_MASK = 0xff00000000000000L;
    public static final long MAX_TTL = 0x000000ffffffffffL;

    private EphemeralType() {
    }

    public static boolean isContainer(long owner) {
        return owner == CONTAINER;
    }

    public static boolean isTtl(long owner) {
        return owner != CONTAINER && (owner & EXTENDED_MASK) == EXTENDED_MASK;
    }

    /** Owned by a session: ephemeral in the classic sense (no children allowed). */
    public static boolean isSession(long owner) {
        return owner != 0 && !isContainer(owner) && !isTtl(owner);
    }

    public static long ttlOwner(long ttl) {
        return EXTENDED_MASK | ttl;
    }

    public static long ttlOf(long owner) {
        return owner & MAX_TTL;
    }
}
