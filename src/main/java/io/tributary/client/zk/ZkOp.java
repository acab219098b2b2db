package io.tributary.client.zk;

import org.apache.zookeeper.data.ACL;

import java.util.List;

/**
 * One operation of {@link ZkClient#multi} (all or nothing) or {@link ZkClient#multiRead} (reads only, each answered
 * on its own). Made with the static factories; the client validates the paths when the multi is subscribed to.
 */
public sealed interface ZkOp {
    String path();

    record Create(String path, byte[] data, List<ACL> acl, CreateMode mode, long ttlMs) implements ZkOp {
    }

    record Delete(String path, int version) implements ZkOp {
    }

    record SetData(String path, byte[] data, int version) implements ZkOp {
    }

    record Check(String path, int version) implements ZkOp {
    }

    record GetData(String path) implements ZkOp {
    }

    record GetChildren(String path) implements ZkOp {
    }

    static ZkOp create(String path, byte[] data, CreateMode mode) {
        return new Create(path, data, Acls.OPEN_ACL_UNSAFE, mode, -1);
    }

    static ZkOp create(String path, byte[] data, List<ACL> acl, CreateMode mode, long ttlMs) {
        return new Create(path, data, acl, mode, ttlMs);
    }

    /** Deletes {@code path} if its version is {@code version} (-1: any). */
    static ZkOp delete(String path, int version) {
        return new Delete(path, version);
    }

    static ZkOp setData(String path, byte[] data, int version) {
        return new SetData(path, data, version);
    }

    /** Fails the multi unless {@code path}'s version is {@code version}. */
    static ZkOp check(String path, int version) {
        return new Check(path, version);
    }

    /** A read for {@link ZkClient#multiRead}. */
    static ZkOp getData(String path) {
        return new GetData(path);
    }

    /** A read for {@link ZkClient#multiRead}. */
    static ZkOp getChildren(String path) {
        return new GetChildren(path);
    }
}
