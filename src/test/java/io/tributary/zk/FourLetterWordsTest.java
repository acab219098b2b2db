package io.tributary.zk;

import io.tributary.server.NodeConfig;
import io.tributary.testing.TestNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Four-letter words on the client port, with the whitelist. */
class FourLetterWordsTest {
    @TempDir
    static Path dir;
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start(dir, Map.of(NodeConfig.FOUR_LETTER_WHITELIST, "ruok, srvr,stat,mntr,cons,wchs,envi,isro,conf,dirs"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static String send(String word) throws IOException {
        try (Socket s = new Socket("127.0.0.1", node.zkPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void ruokIsroAndTheWhitelist() throws Exception {
        assertEquals("imok", send("ruok"));
        assertEquals("rw", send("isro"));
        assertEquals("srst is not executed because it is not in the whitelist.\n", send("srst"));
    }

    @Test
    void srvrStatMntrConsWchsReportTheServer() throws Exception {
        ZooKeeper zk = ZkSupport.connect(node.zkConnect(), 10_000, null);
        try {
            zk.create("/fl", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            zk.exists("/fl", true);
            String srvr = send("srvr");
            assertTrue(srvr.startsWith("Zookeeper version: 3.9"), srvr);
            assertTrue(srvr.contains("Mode: standalone") && srvr.contains("Node count: 5") && srvr.contains("Zxid: 0x"), srvr);
            String stat = send("stat");
            assertTrue(stat.contains("Clients:") && stat.contains("/127.0.0.1:"), stat);
            String mntr = send("mntr");
            for (String key : new String[]{"zk_version", "zk_server_state\tstandalone", "zk_znode_count\t5", "zk_watch_count\t1",
                    "zk_ephemerals_count\t1", "zk_num_alive_connections", "zk_packets_received", "zk_avg_latency",
                    "zk_approximate_data_size", "zk_outstanding_requests"}) {
                assertTrue(mntr.contains(key), key + " in\n" + mntr);
            }
            String cons = send("cons");
            assertTrue(cons.contains("sid=0x" + Long.toHexString(zk.getSessionId())), cons);
            assertEquals("1 connections watching 1 paths\nTotal watches:1\n", send("wchs"));
            assertTrue(send("envi").contains("zookeeper.version=3.9"));
            String conf = send("conf");
            assertTrue(conf.contains("clientPort=" + node.zkPort()) && conf.contains("tickTime=2000")
                    && conf.contains("maxSessionTimeout=40000"), conf);
            assertTrue(send("dirs").contains("logdir_size: "));
        } finally {
            zk.close();
        }
    }
}
