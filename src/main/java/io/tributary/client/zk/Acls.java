package io.tributary.client.zk;

import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/** ZooKeeper's usual ACLs and permission bits ({@code ZooDefs.Ids} and {@code ZooDefs.Perms}), and digest ids. */
public final class Acls {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int CREATE = 4;
    public static final int DELETE = 8;
    public static final int ADMIN = 16;
    public static final int ALL = READ | WRITE | CREATE | DELETE | ADMIN;

    /** world:anyone with every permission. */
    public static final List<ACL> OPEN_ACL_UNSAFE = List.of(new ACL(ALL, new Id("world", "anyone")));
    /** world:anyone may read. */
    public static final List<ACL> READ_ACL_UNSAFE = List.of(new ACL(READ, new Id("world", "anyone")));
    /** Every permission for the creator's authenticated ids. */
    public static final List<ACL> CREATOR_ALL_ACL = List.of(new ACL(ALL, new Id("auth", "")));

    private Acls() {
    }

    /**
     * The {@code digest} id of {@code user:password}: {@code user:base64(sha1(user:password))}, as ZooKeeper's
     * DigestAuthenticationProvider computes it.
     */
    public static Id digestId(String user, String password) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA1")
                    .digest((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            return new Id("digest", user + ":" + Base64.getEncoder().encodeToString(sha));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
