package io.tributary.coord;

import org.apache.zookeeper.data.Id;

import java.util.ArrayList;
import java.util.List;

/**
 * Who sent a request: the session, the identities its connection has proved (always {@code ip}, plus
 * any {@code digest} from addauth, plus {@code super} when that digest is the configured super user's),
 * and the connection's sink for watches registered by this request.
 */
public record Caller(long sessionId, List<Id> ids, WatchSink sink) {
    /** ZooKeeper's super user id: an ACL check passes for any caller holding it. */
    public static final Id SUPER = new Id("super", "");

    /** This caller with the super id added, for {@code zookeeper.skipACL} (ZooKeeper then checks no ACL at all). */
    Caller asSuper() {
        List<Id> all = new ArrayList<>(ids.size() + 1);
        all.addAll(ids);
        all.add(SUPER);
        return new Caller(sessionId, List.copyOf(all), sink);
    }
}
