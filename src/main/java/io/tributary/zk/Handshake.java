package io.tributary.zk;

import io.vertx.core.buffer.Buffer;
import org.apache.jute.BinaryInputArchive;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * The session handshake's wire format: a ConnectRequest ({@code protocolVersion:i32 lastZxidSeen:i64
 * timeOut:i32 sessionId:i64 passwd:buffer [readOnly:bool]}) and the ConnectResponse, which carries the
 * trailing read-only flag only if the request did (clients before 3.4 send and expect none). Stateless.
 *
 * <p>The password is always 16 bytes, zeros for an expired session included: ZooKeeper's C client reads
 * the response into a fixed 41-byte buffer (length, protocol version, timeout, session id, password
 * length, 16 password bytes, read-only flag) and copies 16 password bytes whatever the length says.
 */
final class Handshake {
    /** A parsed request, or the reason it is not one. */
    record Parsed(ConnectRequest request, boolean withReadOnly, String problem) {
    }

    private Handshake() {
    }

    static Parsed parse(byte[] frame, int maxBuffer) {
        ByteArrayInputStream bytes = new ByteArrayInputStream(frame);
        BinaryInputArchive in = new BinaryInputArchive(new DataInputStream(bytes), maxBuffer, 0);
        ConnectRequest req = new ConnectRequest();
        boolean withReadOnly;
        try {
            req.setProtocolVersion(in.readInt("protocolVersion"));
            req.setLastZxidSeen(in.readLong("lastZxidSeen"));
            req.setTimeOut(in.readInt("timeOut"));
            req.setSessionId(in.readLong("sessionId"));
            req.setPasswd(in.readBuffer("passwd"));
            withReadOnly = bytes.available() > 0;
            if (withReadOnly) {
                req.setReadOnly(in.readBool("readOnly"));
            }
        } catch (IOException | RuntimeException e) {
            return new Parsed(null, false, "malformed ConnectRequest (expected a handshake first): " + e.getMessage());
        }
        // Bytes after the read-only flag are ignored, as ZooKeeper's processConnectRequest ignores them.
        if (req.getProtocolVersion() != 0 || req.getTimeOut() < 0) {
            return new Parsed(null, false, "first packet is not a ConnectRequest (protocol version "
                    + req.getProtocolVersion() + ", timeout " + req.getTimeOut() + ")");
        }
        return new Parsed(req, withReadOnly, null);
    }

    /** The response frame; timeout 0 and session 0 tell the client its session expired. */
    static Buffer response(int timeout, long sessionId, byte[] password, boolean withReadOnly) {
        Buffer b = new JuteFrame().add(new ConnectResponse(0, timeout, sessionId, password, false)).toBuffer();
        if (!withReadOnly) {
            b = b.getBuffer(0, b.length() - 1); // drop the one-byte boolean at the end
            b.setInt(0, b.length() - 4);
        }
        return b;
    }
}
