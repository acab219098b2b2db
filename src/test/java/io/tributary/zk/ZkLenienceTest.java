package io.tributary.zk;

import io.tributary.testing.TestNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Issue 8, items 4 and 5, with the ZooKeeper Java client: what ZooKeeper 3.9 accepts and how it stores it.
 * Null data is not empty data; a repeated ACL entry is kept once.
 */
class ZkLenienceTest {
    @TempDir
    Path dir;

    @Test
    void nullDataIsStoredAsNullAndSurvivesARestart() throws Exception {
        try (TestNode node = TestNode.start(dir)) {
            ZooKeeper zk = ZkSupport.connect(node.zkConnect(), 10_000, null);
            try {
                zk.create("/nil", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                Stat stat = new Stat();
                assertNull(zk.getData("/nil", false, stat), "create(path, null) stores null, as ZooKeeper does");
                assertEquals(0, stat.getDataLength());

                zk.create("/full", "x".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                zk.setData("/full", null, -1);
                assertNull(zk.getData("/full", false, stat), "setData(path, null) stores null");
                assertEquals(0, stat.getDataLength());
                assertEquals(1, stat.getVersion());

                zk.create("/empty", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                assertArrayEquals(new byte[0], zk.getData("/empty", false, null), "empty stays empty, not null");

                zk.multi(List.of(Op.create("/multi-nil", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)));
                assertNull(zk.getData("/multi-nil", false, null), "null through multi too");
            } finally {
                zk.close();
            }

            node.restart(); // the final snapshot on a clean stop
            zk = ZkSupport.connect(node.zkConnect(), 10_000, null);
            try {
                assertNull(zk.getData("/nil", false, null), "null after a restart (snapshot)");
                assertNull(zk.getData("/full", false, null));
                assertArrayEquals(new byte[0], zk.getData("/empty", false, null));
                zk.setData("/empty", null, -1); // this one only in the transaction log
            } finally {
                zk.close();
            }
        }
        try (TestNode again = TestNode.start(dir)) {
            ZooKeeper zk = ZkSupport.connect(again.zkConnect(), 10_000, null);
            try {
                assertNull(zk.getData("/empty", false, null), "null after replaying the transaction log");
            } finally {
                zk.close();
            }
        }
    }

    @Test
    void repeatedAclEntriesAreKeptOnce() throws Exception {
        try (TestNode node = TestNode.start(dir)) {
            ZooKeeper zk = ZkSupport.connect(node.zkConnect(), 10_000, null);
            try {
                ACL anyone = new ACL(ZooDefs.Perms.ALL, new Id("world", "anyone"));
                ACL reader = new ACL(ZooDefs.Perms.READ, new Id("ip", "127.0.0.1"));
                zk.create("/dup", null, java.util.Arrays.asList(anyone, reader, anyone, reader), CreateMode.PERSISTENT);
                assertEquals(List.of(anyone, reader), zk.getACL("/dup", new Stat()), "ZooKeeper 3.5+ collapses repeats");

                zk.setACL("/dup", java.util.Arrays.asList(reader, anyone, anyone), -1);
                assertEquals(List.of(reader, anyone), zk.getACL("/dup", new Stat()), "setACL collapses them too");
            } finally {
                zk.close();
            }
        }
    }
}
