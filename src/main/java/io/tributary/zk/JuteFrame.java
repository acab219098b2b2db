package io.tributary.zk;

import io.vertx.core.buffer.Buffer;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.ReplyHeader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Serializes jute records into one length-prefixed ZooKeeper frame. Not thread-safe; one per frame. */
final class JuteFrame {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    private final BinaryOutputArchive out = BinaryOutputArchive.getArchive(bytes);

    JuteFrame() {
        bytes.write(0);
        bytes.write(0);
        bytes.write(0);
        bytes.write(0);
    }

    JuteFrame add(Record r) {
        try {
            r.serialize(out, "r");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    BinaryOutputArchive archive() {
        return out;
    }

    Buffer toBuffer() {
        Buffer b = Buffer.buffer(bytes.toByteArray());
        b.setInt(0, b.length() - 4);
        return b;
    }

    static Buffer reply(int xid, long zxid, int err, Record body) {
        JuteFrame f = new JuteFrame().add(new ReplyHeader(xid, zxid, err));
        if (body != null && err == 0) {
            f.add(body);
        }
        return f.toBuffer();
    }
}
