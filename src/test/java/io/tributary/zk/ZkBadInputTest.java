package io.tributary.zk;

import io.tributary.testing.LogCapture;
import io.tributary.testing.TestNode;
import org.apache.jute.BinaryOutputArchive;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.RequestHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile or broken clients on the ZooKeeper port lose their own connection, with a log line; a real
 * client connected throughout keeps working.
 */
class ZkBadInputTest {
    @TempDir
    static Path dir;
    static TestNode node;
    static ZooKeeper bystander;
    static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        log = new LogCapture(ZkConnection.class);
        node = TestNode.start(dir);
        bystander = ZkSupport.connect(node.zkConnect(), 10_000, null);
        bystander.create("/bystander", "ok".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    @AfterAll
    static void stop() throws Exception {
        bystander.close();
        node.close();
        log.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", node.zkPort());
        s.setSoTimeout(10_000);
        return s;
    }

    private static boolean closedByPeer(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            while (true) {
                int b = in.read();
                if (b == -1) {
                    return true;
                }
            }
        } catch (SocketException e) {
            return true; // reset
        }
    }

    private static byte[] frame(org.apache.jute.Record... records) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryOutputArchive out = BinaryOutputArchive.getArchive(body);
        for (org.apache.jute.Record r : records) {
            r.serialize(out, "r");
        }
        byte[] b = body.toByteArray();
        return ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).array();
    }

    private static byte[] handshake() throws IOException {
        return frame(new ConnectRequest(0, 0, 10_000, 0, new byte[16], false));
    }

    /** Completes a handshake and returns the socket ready for requests. */
    private Socket connected() throws IOException {
        Socket s = connect();
        s.getOutputStream().write(handshake());
        DataInputStream in = new DataInputStream(s.getInputStream());
        int len = in.readInt();
        in.readFully(new byte[len]);
        return s;
    }

    private void assertLogged(String fragment) {
        log.await(fragment);
    }

    private void assertBystanderFine() throws Exception {
        assertArrayEquals("ok".getBytes(), bystander.getData("/bystander", false, null));
    }

    /** Sends a ConnectRequest, with or without the trailing read-only flag, and reads the response. */
    private byte[] handshakeResponse(boolean withReadOnly) throws IOException {
        try (Socket s = connect()) {
            byte[] req = handshake();
            if (!withReadOnly) {
                req = ByteBuffer.allocate(req.length - 1).putInt(req.length - 5).put(req, 4, req.length - 5).array();
            }
            s.getOutputStream().write(req);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return body;
        }
    }

    @Test
    void theHandshakeIsAnsweredInTheClientsOwnFormat() throws Exception {
        // protocolVersion:i32 timeOut:i32 sessionId:i64 passwd:(i32 + 16 bytes) [readOnly:bool]
        assertEquals(36, handshakeResponse(false).length, "an old client gets no read-only flag");
        byte[] withFlag = handshakeResponse(true);
        assertEquals(37, withFlag.length, "a 3.4+ client gets the read-only flag");
        assertEquals(10_000, ByteBuffer.wrap(withFlag).getInt(4), "negotiated timeout");
        assertEquals(0, withFlag[36], "not read-only");
        assertBystanderFine();
    }

    @Test
    void aClientThatHasSeenAFutureZxidIsRefused() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(frame(new ConnectRequest(0, Long.MAX_VALUE, 10_000, 0, new byte[16], false)));
            assertTrue(closedByPeer(s), "no session for a client ahead of this node");
        }
        assertLogged("refusing session request: client has seen zxid 0x7fffffffffffffff");
        assertBystanderFine();
    }

    @Test
    void garbageClosesTheConnection() throws Exception {
        try (Socket s = connect()) {
            byte[] junk = new byte[200];
            new Random(4).nextBytes(junk);
            junk[0] = 0;
            junk[1] = 0;
            junk[2] = 0;
            junk[3] = 100; // a plausible length, then nonsense for a ConnectRequest
            s.getOutputStream().write(junk);
            assertTrue(closedByPeer(s));
        }
        assertLogged("malformed ConnectRequest");
        assertBystanderFine();
    }

    @Test
    void aPacketOverJuteMaxbufferIsRefusedBeforeItIsRead() throws Exception {
        try (Socket s = connected()) {
            OutputStream out = s.getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(0xfffff + 1).array());
            assertTrue(closedByPeer(s), "closed without the body ever being sent");
        }
        assertLogged("jute.maxbuffer");
        assertBystanderFine();
    }

    @Test
    void anHttpRequestIsNotALength() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(closedByPeer(s));
        }
        assertLogged("packet length 1195725856");
        assertBystanderFine();
    }

    @Test
    void anUnknownOpCodeClosesTheConnection() throws Exception {
        try (Socket s = connected()) {
            s.getOutputStream().write(frame(new RequestHeader(1, 999), new GetDataRequest("/bystander", false)));
            assertTrue(closedByPeer(s));
        }
        assertLogged("unknown op code 999");
        assertBystanderFine();
    }

    @Test
    void aRequestBeforeTheHandshakeClosesTheConnection() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(frame(new RequestHeader(1, 4), new GetDataRequest("/bystander", false)));
            assertTrue(closedByPeer(s));
        }
        assertLogged("ConnectRequest");
        assertBystanderFine();
    }

    @Test
    void trailingBytesAfterARequestAreIgnoredAsZooKeeperDoes() throws Exception {
        // ZooKeeper reads the request record out of the packet and never checks its end (issue 8).
        try (Socket s = connected()) {
            byte[] good = frame(new RequestHeader(7, 4), new GetDataRequest("/bystander", false));
            byte[] padded = ByteBuffer.allocate(good.length + 3).putInt(good.length - 4 + 3).put(good, 4, good.length - 4)
                    .put(new byte[3]).array();
            s.getOutputStream().write(padded);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            ByteBuffer reply = ByteBuffer.wrap(body);
            assertEquals(7, reply.getInt(), "xid of the padded request");
            reply.getLong(); // zxid
            assertEquals(0, reply.getInt(), "answered OK");
            int len = reply.getInt();
            byte[] data = new byte[len];
            reply.get(data);
            assertArrayEquals("ok".getBytes(), data, "the data of /bystander");
        }
        assertBystanderFine();
    }

    @Test
    void aNegativeLengthClosesTheConnection() throws Exception {
        try (Socket s = connected()) {
            s.getOutputStream().write(ByteBuffer.allocate(4).putInt(-5).array());
            assertTrue(closedByPeer(s));
        }
        assertLogged("packet length -5");
        assertBystanderFine();
    }
}
