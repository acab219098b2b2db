package io.tributary.net;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.core.streams.ReadStream;

import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * The framing both wire protocols share: a 4-byte big-endian length, then that many bytes. The owner
 * sees each length before a byte of its frame is buffered and refuses it there (so a length prefix never
 * makes the node allocate more than the owner allows), then gets the whole frame. When the client
 * closes in the middle of a frame, the parser hands over the partial rest; that is dropped, not taken
 * for a short request. Runs on the connection's event loop.
 */
public final class Framer {
    private final RecordParser parser;
    private final IntPredicate onSize;
    private final Consumer<Buffer> onFrame;
    private boolean expectSize = true;
    /** Bytes the parser was asked for: 4 for a length prefix, else the frame's size. */
    private int expected = 4;

    /**
     * @param onSize  a length prefix arrived: true to read a frame of that size, false if refused (the
     *                owner then closes the connection)
     * @param onFrame a whole frame, without its length prefix
     */
    public Framer(ReadStream<Buffer> in, IntPredicate onSize, Consumer<Buffer> onFrame, Consumer<Throwable> onError) {
        this.onSize = onSize;
        this.onFrame = onFrame;
        this.parser = RecordParser.newFixed(4, in);
        parser.exceptionHandler(onError::accept);
    }

    /** Starts delivering (set up the owner's other handlers first). */
    public void start() {
        parser.handler(this::onRecord);
    }

    public void pause() {
        parser.pause();
    }

    public void resume() {
        parser.resume();
    }

    private void onRecord(Buffer record) {
        if (record.length() != expected) {
            return; // the stream ended inside a frame: nothing to answer
        }
        if (expectSize) {
            int size = record.getInt(0);
            if (onSize.test(size)) {
                expectSize = false;
                expected = size;
                parser.fixedSizeMode(size);
            }
        } else {
            expectSize = true;
            expected = 4;
            parser.fixedSizeMode(4);
            onFrame.accept(record);
        }
    }
}
