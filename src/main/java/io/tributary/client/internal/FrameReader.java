package io.tributary.client.internal;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.core.streams.ReadStream;

import java.util.function.Consumer;

/**
 * The framing both protocols share on the client side: a 4-byte big-endian length, then that many bytes. A length
 * outside {@code 0..maxFrameBytes} is refused before any buffer for the frame exists (a corrupt or hostile length
 * prefix cannot make the client allocate), and the connection is then closed by the owner.
 */
public final class FrameReader {
    private final RecordParser parser;
    private final int maxFrameBytes;
    private final Consumer<Buffer> onFrame;
    private final Consumer<Throwable> onError;
    private boolean expectSize = true;
    private int expected = 4;

    public FrameReader(ReadStream<Buffer> in, int maxFrameBytes, Consumer<Buffer> onFrame, Consumer<Throwable> onError) {
        this.maxFrameBytes = maxFrameBytes;
        this.onFrame = onFrame;
        this.onError = onError;
        this.parser = RecordParser.newFixed(4, in);
        parser.exceptionHandler(onError::accept);
        parser.handler(this::onRecord);
    }

    private void onRecord(Buffer record) {
        if (record.length() != expected) {
            return; // the stream ended inside a frame
        }
        if (expectSize) {
            int size = record.getInt(0);
            if (size < 0 || size > maxFrameBytes) {
                onError.accept(new IllegalStateException("frame of " + size + " bytes refused (limit " + maxFrameBytes + ")"));
                return;
            }
            if (size == 0) {
                onFrame.accept(Buffer.buffer());
                return;
            }
            expectSize = false;
            expected = size;
            parser.fixedSizeMode(size);
        } else {
            expectSize = true;
            expected = 4;
            parser.fixedSizeMode(4);
            onFrame.accept(record);
        }
    }

    public void pause() {
        parser.pause();
    }

    public void resume() {
        parser.resume();
    }
}
