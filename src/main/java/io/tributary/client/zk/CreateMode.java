package io.tributary.client.zk;

/**
 * How a znode is created: ZooKeeper's {@code CreateMode}, with the flag each sends on the wire. TTL modes need
 * {@code zookeeper.extendedTypesEnabled=true} on an Apache ZooKeeper server and a TTL given to {@code create}.
 */
public enum CreateMode {
    PERSISTENT(0),
    EPHEMERAL(1),
    PERSISTENT_SEQUENTIAL(2),
    EPHEMERAL_SEQUENTIAL(3),
    /** Deleted by the server once its last child is gone (Create opcode 19). */
    CONTAINER(4),
    /** Deleted by the server once it has had no children and no change for its TTL (CreateTTL opcode 21). */
    PERSISTENT_WITH_TTL(5),
    PERSISTENT_SEQUENTIAL_WITH_TTL(6);

    private final int flag;

    CreateMode(int flag) {
        this.flag = flag;
    }

    /** The {@code flags} field of CreateRequest / CreateTTLRequest. */
    public int flag() {
        return flag;
    }

    public boolean isSequential() {
        return this == PERSISTENT_SEQUENTIAL || this == EPHEMERAL_SEQUENTIAL || this == PERSISTENT_SEQUENTIAL_WITH_TTL;
    }

    public boolean isEphemeral() {
        return this == EPHEMERAL || this == EPHEMERAL_SEQUENTIAL;
    }

    public boolean isTtl() {
        return this == PERSISTENT_WITH_TTL || this == PERSISTENT_SEQUENTIAL_WITH_TTL;
    }
}
