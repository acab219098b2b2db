package io.tributary.zk;

import io.tributary.server.NodeConfig;
import io.tributary.testing.LogCapture;
import io.tributary.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.apache.jute.BinaryOutputArchive;
import org.apache.zookeeper.proto.ConnectRequest;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** maxClientCnxns bounds connections per client address, as in ZooKeeper. */
class ZkConnectionLimitTest {
    @TempDir
    Path dir;

    @Test
    void connectionsBeyondMaxClientCnxnsAreClosedWithALogLine() throws Exception {
        try (LogCapture log = new LogCapture(ZkConnection.class);
             TestNode node = TestNode.start(dir, Map.of(NodeConfig.MAX_CLIENT_CNXNS, "3"))) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    // A full handshake on each, so all three are counted before the fourth arrives.
                    Socket s = new Socket("127.0.0.1", node.zkPort());
                    s.setSoTimeout(10_000);
                    open.add(s);
                    s.getOutputStream().write(handshake());
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    in.readFully(new byte[in.readInt()]);
                }
                try (Socket extra = new Socket("127.0.0.1", node.zkPort())) {
                    extra.setSoTimeout(10_000);
                    assertTrue(closed(extra), "the fourth connection is closed");
                }
                log.await("too many connections from 127.0.0.1 - max is 3");
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
            // Closing frees the slots: a four-letter word on a fresh connection is answered.
            String answer = null;
            for (int attempt = 0; attempt < 50 && !"imok".equals(answer); attempt++) {
                try (Socket s = new Socket("127.0.0.1", node.zkPort())) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("ruok".getBytes(StandardCharsets.US_ASCII));
                    answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    answer = null;
                }
            }
            assertEquals("imok", answer);
        }
    }

    private static byte[] handshake() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        new ConnectRequest(0, 0, 10_000, 0, new byte[16], false).serialize(BinaryOutputArchive.getArchive(body), "r");
        byte[] b = body.toByteArray();
        return ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).array();
    }

    private static boolean closed(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException e) {
            return true;
        }
    }
}
