package io.tributary.http;

import io.tributary.cluster.LocalCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser's watch stream on one node of a 3-node ensemble (three JVMs through bin/cluster) sees a change
 * a ZooKeeper client made through another node: the subscription's read-and-watch runs as local reads in
 * the socket session's order, and the event fires after the change is committed and applied there.
 */
@io.tributary.cluster.UsesSharedCluster
class WsOnEnsembleTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Vertx vertx;

    @BeforeAll
    static void up() {
        cluster = LocalCluster.ensemble();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void down() throws Exception {
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWatchOnNodeTwoSeesAWriteMadeThroughNodeOne() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(cluster.zkConnect(1), 30_000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        try {
            assertTrue(connected.await(30, TimeUnit.SECONDS), "ZooKeeper client connected to node 1");
            zk.create("/ens-ws", "v0".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            try (WsClient c = WsClient.connect(vertx, cluster.httpPort(2))) {
                // node 2 may not have applied the create yet when the socket subscribes: ask until it has
                JsonObject snap = null;
                for (int attempt = 0; attempt < 50 && snap == null; attempt++) {
                    c.send(WsWatchTest.watch("w" + attempt, "/ens-ws", "persistent", true));
                    JsonObject f = c.nextFor("w" + attempt);
                    if ("snapshot".equals(f.getString("type"))) {
                        snap = f;
                    }
                }
                assertTrue(snap != null, "node 2 serves the snapshot of /ens-ws");
                assertEquals("v0", snap.getString("data"));
                Stat s = zk.setData("/ens-ws", "v1".getBytes(StandardCharsets.UTF_8), -1);
                JsonObject ev = c.nextFor(snap.getString("id"));
                assertEquals("event", ev.getString("type"), ev.encode());
                assertEquals("NodeDataChanged", ev.getString("event"));
                assertEquals(s.getMzxid(), ev.getLong("zxid"), "the zxid the writer was answered with");
                assertEquals(List.of(), WsWatchTest.framesUntilPong(c, snap.getString("id")).stream()
                        .filter(f -> "error".equals(f.getString("type"))).toList());
            }
        } finally {
            zk.close();
        }
    }
}
