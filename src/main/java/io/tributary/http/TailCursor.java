package io.tributary.http;

import io.tributary.log.PartitionLog;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One partition of a topic tail: its position and its reads. A read ({@code LogService.readToHeap}, whole
 * batches below the high watermark, at most {@link #READ_BYTES}) is issued only while the socket's send
 * queue is below its bound. When a read arrives and the queue has room, the next read (from the end of this
 * one) is issued <em>before</em> this one is encoded, so the log read and the copy on a worker overlap the
 * encoding on the socket's loop; a read that arrives while the queue is full is held (never dropped) until
 * it drains. So a partition holds at most one read in flight and one read waiting — the heap bound per
 * partition is two reads. A read whose start is past the position (the position moved back) is discarded
 * and read again; one that starts before it has its leading records skipped by the owner. At the high
 * watermark the cursor waits for the log's append watcher (registered before the first read, so no append
 * is missed), never a timer. Event loop of the socket only.
 */
final class TailCursor {
    static final int READ_BYTES = 256 * 1024;

    /** The subscription the cursor delivers to. */
    interface Owner {
        /** False once the tail ended or the partition was revoked: callbacks then do nothing. */
        boolean live(TailCursor c);

        /** Sends the records at and after {@link #next} and advances {@link #next} past them. */
        void emit(TailCursor c, MemoryRecords records);

        void failed(int code, String message);
    }

    final int partition;
    final TopicPartition tp;
    /** The next offset to deliver. */
    long next;
    private final WsConnection conn;
    private final Owner owner;
    private boolean busy;
    private boolean parked;
    private MemoryRecords ready;
    private long readyFrom;
    private Runnable unwatch;

    TailCursor(WsConnection conn, Owner owner, TopicPartition tp, long next) {
        this.conn = conn;
        this.owner = owner;
        this.tp = tp;
        this.partition = tp.partition();
        this.next = next;
    }

    /** Watch first, then read: an append between the two only wakes a cursor already reading. */
    void start() {
        unwatch = conn.door.logs.watchAppends(tp, () -> conn.context.runOnContext(v -> pump()));
        pump();
    }

    void stop() {
        if (unwatch != null) {
            unwatch.run();
            unwatch = null;
        }
        ready = null;
    }

    void pump() {
        if (!owner.live(this) || !conn.isOpen()) {
            return;
        }
        if (ready != null) {
            deliverReady();
            return;
        }
        if (busy) {
            return;
        }
        if (conn.out.full()) {
            park();
            return;
        }
        PartitionLog log = conn.door.logs.partition(tp);
        if (log == null) {
            owner.failed(HttpErrors.TOPIC_NOT_FOUND, "Topic " + tp.topic() + " was deleted.");
            return;
        }
        if (next < log.highWatermark()) {
            read(next);
        } // else the append watcher calls again
    }

    private void park() {
        if (!parked) {
            parked = true;
            conn.out.whenDrained(() -> {
                parked = false;
                pump();
            });
        }
    }

    private void read(long from) {
        busy = true;
        conn.door.logs.readToHeap(tp, from, READ_BYTES, true).onComplete(ar -> {
            busy = false;
            if (!owner.live(this)) {
                return; // ended, or the partition was revoked while reading
            }
            if (ar.failed()) {
                if (ar.cause() instanceof OffsetOutOfRangeException) {
                    // Retention removed what we were about to read: continue at the new log start.
                    PartitionLog l = conn.door.logs.partition(tp);
                    if (l != null && next < l.logStartOffset()) {
                        next = l.logStartOffset();
                        ready = null;
                        pump();
                        return;
                    }
                }
                owner.failed(50000, "reading " + tp + " failed: " + ar.cause().getMessage());
                return;
            }
            ready = ar.result();
            readyFrom = from;
            pump();
        });
    }

    /** Encodes the waiting read, after issuing the one that follows it when the queue has room. */
    private void deliverReady() {
        if (conn.out.full()) {
            park();
            return;
        }
        MemoryRecords records = ready;
        long from = readyFrom;
        ready = null;
        if (from > next) {
            pump(); // read ahead of a position that has since moved back: read again from the position
            return;
        }
        long end = next;
        for (RecordBatch b : records.batches()) {
            end = Math.max(end, b.nextOffset());
        }
        PartitionLog log = conn.door.logs.partition(tp);
        if (!busy && log != null && end < log.highWatermark()) {
            read(end);
        }
        owner.emit(this, records);
        pump();
    }
}
