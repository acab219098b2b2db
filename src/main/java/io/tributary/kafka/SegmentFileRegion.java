package io.tributary.kafka;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A Netty {@link FileRegion} over a segment's already-open channel. Unlike Netty's DefaultFileRegion it
 * never closes the channel when released: the log owns the channel and closes it only after the
 * segment's delayed physical deletion, so an in-flight send is not cut short.
 * Used on one event loop only.
 */
final class SegmentFileRegion extends AbstractReferenceCounted implements FileRegion {
    private final FileChannel channel;
    private final long position;
    private final long count;
    private long transferred;

    SegmentFileRegion(RecordsRegion region) {
        this.channel = region.channel();
        this.position = region.position();
        this.count = region.size();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    public long transferTo(WritableByteChannel target, long pos) throws IOException {
        long remaining = count - pos;
        if (remaining <= 0) {
            return 0;
        }
        long written = channel.transferTo(position + pos, remaining, target);
        if (written == 0 && channel.size() < position + count) {
            // The segment shrank under us (truncation): never send a short frame, fail the connection.
            throw new IOException("segment file is shorter than the region being sent");
        }
        transferred += written;
        return written;
    }

    @Override
    protected void deallocate() {
        // The channel belongs to the log; nothing to free here.
    }

    @Override
    public FileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public FileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FileRegion touch() {
        return this;
    }

    @Override
    public FileRegion touch(Object hint) {
        return this;
    }
}
