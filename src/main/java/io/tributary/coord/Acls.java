package io.tributary.coord;

import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * ACL checks with ZooKeeper's built-in schemes: {@code world:anyone}, {@code auth} (expanded at create
 * time into the caller's authenticated ids), {@code digest} ({@code user:base64(sha1(user:password))})
 * and {@code ip} (an address or {@code address/bits}). A caller's identities are its connection's ids:
 * always {@code ip:<address>}, plus a {@code digest} id per successful {@code addauth digest}.
 * Stateless; safe from any thread.
 */
public final class Acls {
    private Acls() {
    }

    /** @throws CoordException NOAUTH unless some entry grants {@code perm} to one of {@code ids} */
    public static void check(List<ACL> acl, int perm, List<Id> ids) throws CoordException {
        if (!allowed(acl, perm, ids)) {
            throw new CoordException(Codes.NOAUTH, "not authorized");
        }
    }

    public static boolean allowed(List<ACL> acl, int perm, List<Id> ids) {
        if (acl == null || acl.isEmpty()) {
            return true;
        }
        for (Id id : ids) {
            if ("super".equals(id.getScheme())) {
                return true;
            }
        }
        for (ACL a : acl) {
            if ((a.getPerms() & perm) == 0) {
                continue;
            }
            Id want = a.getId();
            if ("world".equals(want.getScheme()) && "anyone".equals(want.getId())) {
                return true;
            }
            for (Id have : ids) {
                if (!have.getScheme().equals(want.getScheme())) {
                    continue;
                }
                if ("ip".equals(want.getScheme()) ? ipMatches(want.getId(), have.getId()) : want.getId().equals(have.getId())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Validates an ACL for create/setACL, drops repeated entries and expands {@code auth} entries, as
     * ZooKeeper's fixupACL.
     *
     * @throws CoordException INVALIDACL for an empty list, an unknown scheme or a malformed id, or an
     *                        {@code auth} entry from a caller without authenticated ids
     */
    public static List<ACL> fixup(List<ACL> acl, List<Id> ids) throws CoordException {
        if (acl == null || acl.isEmpty()) {
            throw new CoordException(Codes.INVALIDACL, "empty ACL");
        }
        List<ACL> out = new ArrayList<>(acl.size());
        // ZooKeeper 3.5+ (ZOOKEEPER-1877) drops repeated entries before expanding them: getACL shows each once.
        for (ACL a : new java.util.LinkedHashSet<>(acl)) {
            if (a == null) {
                throw new CoordException(Codes.INVALIDACL, "null ACL entry");
            }
            Id id = a.getId();
            if (id == null || id.getScheme() == null) {
                throw new CoordException(Codes.INVALIDACL, "ACL without id");
            }
            switch (id.getScheme()) {
                case "world" -> {
                    if (!"anyone".equals(id.getId())) {
                        throw new CoordException(Codes.INVALIDACL, "world scheme only has the id anyone");
                    }
                    out.add(a);
                }
                case "auth" -> {
                    boolean any = false;
                    for (Id have : ids) {
                        if ("digest".equals(have.getScheme())) {
                            out.add(new ACL(a.getPerms(), have));
                            any = true;
                        }
                    }
                    if (!any) {
                        throw new CoordException(Codes.INVALIDACL, "auth scheme needs an authenticated caller");
                    }
                }
                case "digest" -> {
                    if (id.getId() == null || id.getId().indexOf(':') <= 0) {
                        throw new CoordException(Codes.INVALIDACL, "digest id must be user:digest");
                    }
                    out.add(a);
                }
                case "ip" -> {
                    if (parseIp(id.getId()) == null) {
                        throw new CoordException(Codes.INVALIDACL, "bad ip ACL " + id.getId());
                    }
                    out.add(a);
                }
                default -> throw new CoordException(Codes.INVALIDACL, "unknown ACL scheme " + id.getScheme());
            }
        }
        return out;
    }

    /** ZooKeeper's DigestAuthenticationProvider.generateDigest: {@code user:base64(sha1("user:password"))}. */
    public static String digest(String userColonPassword) {
        int colon = userColonPassword.indexOf(':');
        String user = colon < 0 ? userColonPassword : userColonPassword.substring(0, colon);
        try {
            byte[] sha = MessageDigest.getInstance("SHA1").digest(userColonPassword.getBytes(StandardCharsets.UTF_8));
            return user + ":" + Base64.getEncoder().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] parseIp(String spec) {
        if (spec == null) {
            return null;
        }
        String addr = spec.contains("/") ? spec.substring(0, spec.indexOf('/')) : spec;
        // Only literal addresses: a host name here would mean a DNS lookup on the coordinator thread.
        if (!addr.matches("[0-9.]+") && !addr.contains(":")) {
            return null;
        }
        try {
            return InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    static boolean ipMatches(String spec, String address) {
        byte[] want = parseIp(spec);
        byte[] have = parseIp(address);
        if (want == null || have == null || want.length != have.length) {
            return false;
        }
        int bits = want.length * 8;
        int slash = spec.indexOf('/');
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(spec.substring(slash + 1));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        for (int i = 0; i < want.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((want[i] & mask) != (have[i] & mask)) {
                return false;
            }
        }
        return true;
    }
}
