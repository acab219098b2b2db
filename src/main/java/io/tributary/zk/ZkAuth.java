package io.tributary.zk;

import io.tributary.coord.Acls;
import io.tributary.coord.Caller;
import io.tributary.coord.Codes;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.proto.WhoAmIResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The identities one connection has proved, as ZooKeeper's authentication providers grant them: always
 * {@code ip:<address>}; each {@code addauth digest user:password} adds
 * {@code digest:user:base64(sha1(user:password))}, preceded by the super id when that digest equals
 * {@code zookeeper.DigestAuthenticationProvider.superDigest} (ZooKeeper's DigestAuthenticationProvider;
 * the super id passes every ACL check). Other schemes are refused (AUTHFAILED; the connection then
 * closes, as in ZooKeeper).
 *
 * <p>Also the HTTP front door's: a WebSocket or REST caller proves the same ids with the same rules.
 *
 * <p>Changed on the connection's event loop only; {@link #ids()} is an immutable snapshot, safe to hand
 * to the coordinator with each request.
 */
public final class ZkAuth {
    private final String superDigest;
    private final List<Id> ids = new ArrayList<>();
    private volatile List<Id> view;

    /** @param superDigest the super user's digest ({@code user:base64(sha1(user:password))}), or null */
    public ZkAuth(String clientIp, String superDigest) {
        this.superDigest = superDigest;
        ids.add(new Id("ip", clientIp));
        view = List.copyOf(ids);
    }

    public List<Id> ids() {
        return view;
    }

    /** An auth packet's scheme and data; returns OK, or AUTHFAILED for an unsupported scheme. */
    public int add(String scheme, byte[] auth) {
        if (!"digest".equals(scheme) || auth == null) {
            return Codes.AUTHFAILED;
        }
        String digest = Acls.digest(new String(auth, StandardCharsets.UTF_8));
        if (digest.equals(superDigest)) {
            grant(Caller.SUPER);
        }
        grant(new Id("digest", digest));
        return Codes.OK;
    }

    private void grant(Id id) {
        if (!ids.contains(id)) {
            ids.add(id);
            view = List.copyOf(ids);
        }
    }

    /** whoAmI: scheme and user name of each id (a digest's user part; the super id's user is empty, as in ZooKeeper). */
    WhoAmIResponse whoAmI() {
        List<ClientInfo> infos = new ArrayList<>();
        for (Id id : view) {
            String user = "digest".equals(id.getScheme()) ? id.getId().substring(0, id.getId().indexOf(':')) : id.getId();
            infos.add(new ClientInfo(id.getScheme(), user));
        }
        return new WhoAmIResponse(infos);
    }
}
