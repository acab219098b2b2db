package io.tributary.kafka;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.ByteUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Serializes a response frame (4-byte size, response header, body) with kafka-clients' generated
 * writers into a list of parts: {@link ByteBuf}s for everything the writers produce and
 * {@link RecordsRegion}s for record bytes that stay in segment files. Single use, one thread.
 */
final class ResponseWriter implements Writable {
    private final ByteBufAllocator alloc;
    private final List<Object> parts = new ArrayList<>(2);
    private ByteBuf current;
    private ByteBufOutputStream currentOut;

    private ResponseWriter(ByteBufAllocator alloc, int initialCapacity) {
        this.alloc = alloc;
        newChunk(initialCapacity);
    }

    /**
     * @return the frame's parts in send order; ByteBufs are owned by the caller (released when written)
     */
    static List<Object> frame(ByteBufAllocator alloc, int correlationId, short headerVersion, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        int headerSize = header.size(cache, headerVersion);
        int bodySize = body.size(cache, version);
        ResponseWriter w = new ResponseWriter(alloc, Math.min(4 + headerSize + bodySize, 64 * 1024));
        w.writeInt(headerSize + bodySize);
        header.write(w, cache, headerVersion);
        body.write(w, cache, version);
        return w.finish();
    }

    private void newChunk(int capacity) {
        current = alloc.heapBuffer(Math.max(capacity, 64));
        currentOut = null;
    }

    private ByteBufOutputStream out() {
        if (currentOut == null) {
            currentOut = new ByteBufOutputStream(current);
        }
        return currentOut;
    }

    private List<Object> finish() {
        if (current.isReadable()) {
            parts.add(current);
        } else {
            current.release();
        }
        current = null;
        return parts;
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof RecordsRegion region) {
            if (region.size() == 0) {
                return;
            }
            parts.add(current);
            parts.add(region);
            newChunk(256);
        } else if (records instanceof MemoryRecords memory) {
            writeByteBuffer(memory.buffer());
        } else {
            throw new IllegalArgumentException("unsupported records type " + records.getClass());
        }
    }

    @Override
    public void writeByte(byte val) {
        current.writeByte(val);
    }

    @Override
    public void writeShort(short val) {
        current.writeShort(val);
    }

    @Override
    public void writeInt(int val) {
        current.writeInt(val);
    }

    @Override
    public void writeLong(long val) {
        current.writeLong(val);
    }

    @Override
    public void writeDouble(double val) {
        current.writeDouble(val);
    }

    @Override
    public void writeByteArray(byte[] arr) {
        current.writeBytes(arr);
    }

    @Override
    public void writeByteBuffer(ByteBuffer buf) {
        current.writeBytes(buf.duplicate());
    }

    @Override
    public void writeUnsignedVarint(int i) {
        try {
            ByteUtils.writeUnsignedVarint(i, out());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeVarint(int i) {
        try {
            ByteUtils.writeVarint(i, out());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeVarlong(long i) {
        try {
            ByteUtils.writeVarlong(i, out());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
