package io.tributary.zk;

import io.tributary.coord.Acls;
import io.tributary.server.NodeConfig;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ClientInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ZooKeeper's super user ({@code zookeeper.DigestAuthenticationProvider.superDigest}) and
 * {@code zookeeper.skipACL}, with the real client: a node only alice may use is readable and deletable
 * by super and by anyone when ACLs are skipped, and by nobody else otherwise.
 */
class ZkSuperUserTest {
    @TempDir
    Path dir;

    private static ZooKeeper connect(TestNode node, String auth) throws Exception {
        ZooKeeper zk = ZkSupport.connect(node.zkConnect(), 20_000, null);
        if (auth != null) {
            zk.addAuthInfo("digest", auth.getBytes());
        }
        return zk;
    }

    /** alice's /secret (hers alone) with a child /secret/c that only she may delete. */
    private static void alicesNodes(ZooKeeper alice) throws Exception {
        alice.create("/secret", "s".getBytes(), ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        alice.create("/secret/c", new byte[0], ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
    }

    @Test
    void theSuperUserPassesEveryAclAndOthersGetNoAuth() throws Exception {
        Map<String, String> cfg = Map.of(NodeConfig.SUPER_DIGEST, Acls.digest("super:password"));
        try (TestNode node = TestNode.start(dir, cfg)) {
            ZooKeeper alice = connect(node, "alice:secret");
            alicesNodes(alice);

            ZooKeeper anonymous = connect(node, null);
            assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getData("/secret", false, null));
            assertThrows(KeeperException.NoAuthException.class, () -> anonymous.delete("/secret/c", -1));
            ZooKeeper impostor = connect(node, "super:wrong");
            assertThrows(KeeperException.NoAuthException.class, () -> impostor.getData("/secret", false, null));

            ZooKeeper admin = connect(node, "super:password");
            assertArrayEquals("s".getBytes(), admin.getData("/secret", false, null));
            assertTrue(admin.whoAmI().stream().map(ClientInfo::getAuthScheme).anyMatch("super"::equals),
                    "whoAmI lists the super id, as ZooKeeper does: " + admin.whoAmI());
            admin.delete("/secret/c", -1);
            admin.delete("/secret", -1);
            assertNull(anonymous.exists("/secret", false));
            for (ZooKeeper zk : new ZooKeeper[]{alice, anonymous, impostor, admin}) {
                zk.close();
            }
        }
    }

    @Test
    void skipAclLetsEveryoneThrough() throws Exception {
        try (TestNode node = TestNode.start(dir, Map.of(NodeConfig.SKIP_ACL, "yes"))) {
            ZooKeeper alice = connect(node, "alice:secret");
            alicesNodes(alice);
            ZooKeeper anonymous = connect(node, null);
            assertArrayEquals("s".getBytes(), anonymous.getData("/secret", false, null));
            anonymous.delete("/secret/c", -1);
            anonymous.delete("/secret", -1);
            alice.close();
            anonymous.close();
        }
    }
}
