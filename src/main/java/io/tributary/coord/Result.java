package io.tributary.coord;

import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

import java.util.List;

/**
 * The engine's answer to an {@link Op}: a ZooKeeper result code, the zxid to put in the reply header,
 * and a value whose type depends on the op (see the nested records).
 */
public record Result(int err, long zxid, Object value) {
    public record Created(String path, Stat stat) {
    }

    public record Data(byte[] data, Stat stat) {
    }

    public record Children(List<String> children, Stat stat) {
    }

    public record Acl(List<ACL> acl, Stat stat) {
    }

    /** One result per op of a multi or multiRead; for a failed multi every entry is an error. */
    public record Multi(List<Result> results) {
    }

    public static Result error(int err, long zxid) {
        return new Result(err, zxid, null);
    }
}
