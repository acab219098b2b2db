package io.tributary.http;

import io.tributary.log.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /consumers/{group}/instances/{instance}/records} of one {@link ConsumerInstance}: reads every
 * assigned partition that has records below its high watermark (one read of up to 1 MiB each, in
 * parallel), and returns what fits in {@code max_bytes} of keys and values (at least one record, so a
 * large record never blocks the consumer). With nothing to read it waits — woken by the log's append
 * watchers, an assignment or a seek, never by polling — until {@code timeout} ms have passed, then answers
 * an empty list. Reads of one instance run one after the other, in arrival order. A record the instance's
 * format cannot embed (json of bytes that are not JSON) ends the response before it; alone, it is an
 * error and the position stays on it (seek past it), as REST Proxy's deserializer does.
 * Owner context of the instance only.
 */
final class ConsumerRead {
    private static final int READ_BYTES = 1024 * 1024;

    private final ConsumerInstance c;
    private Future<JsonArray> reads = Future.succeededFuture();

    ConsumerRead(ConsumerInstance c) {
        this.c = c;
    }

    Future<JsonArray> read(long timeoutMs, long maxBytes) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Future<JsonArray> next = reads.transform(ignored -> c.resolve().compose(v -> attempt(deadline, maxBytes)));
        reads = next;
        return next;
    }

    private Future<JsonArray> attempt(long deadline, long maxBytes) {
        if (c.failure != null) {
            return Future.failedFuture(c.failure);
        }
        if (c.closed()) {
            return Future.succeededFuture(new JsonArray());
        }
        c.autoCommitManual(false);
        Map<TopicPartition, Long> ready = new LinkedHashMap<>();
        List<TopicPartition> undefined = new ArrayList<>();
        for (Map.Entry<TopicPartition, Long> e : c.positions.entrySet()) {
            PartitionLog log = c.door.logs.partition(e.getKey());
            if (log == null) {
                continue;
            }
            Long at = e.getValue();
            if (at != null && (at < log.logStartOffset() || at > log.highWatermark())) {
                at = c.resetPosition(e.getKey()); // out of range: auto.offset.reset, as the Kafka consumer does
                e.setValue(at);
            }
            if (at == null) {
                undefined.add(e.getKey());
            } else if (at < log.highWatermark()) {
                ready.put(e.getKey(), at);
            }
        }
        if (!undefined.isEmpty()) {
            return Future.failedFuture(ConsumerInstance.illegal(
                    "Undefined offset with no reset policy (auto.offset.reset is none) for partitions: " + undefined));
        }
        if (ready.isEmpty()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return Future.succeededFuture(new JsonArray());
            }
            return waitForData(left).compose(v -> c.resolve()).compose(v -> attempt(deadline, maxBytes));
        }
        Map<TopicPartition, Future<MemoryRecords>> reading = new LinkedHashMap<>();
        ready.forEach((tp, at) -> reading.put(tp, c.door.logs.readToHeap(tp, at, READ_BYTES, true)));
        return Future.all(new ArrayList<>(reading.values())).map(v -> {
            JsonArray out = new JsonArray();
            long budget = maxBytes;
            for (Map.Entry<TopicPartition, Future<MemoryRecords>> e : reading.entrySet()) {
                TopicPartition tp = e.getKey();
                long from = ready.get(tp);
                if (!java.util.Objects.equals(c.positions.get(tp), from)) {
                    continue; // sought or revoked while reading: those records are not this position's
                }
                long next = from;
                boolean full = false;
                outer:
                for (RecordBatch batch : e.getValue().result().batches()) {
                    for (Record r : batch.isControlBatch() ? List.<Record>of() : batch) {
                        if (r.offset() < from) {
                            continue;
                        }
                        long size = V2Format.size(r.key()) + V2Format.size(r.value());
                        if (!out.isEmpty() && size > budget) {
                            full = true;
                            break outer;
                        }
                        JsonObject rendered;
                        try {
                            rendered = render(tp, r);
                        } catch (IllegalArgumentException bad) {
                            if (out.isEmpty()) {
                                throw new Rest.Refused(50002, "Kafka error: the " + c.format.name + " consumer cannot embed "
                                        + tp + " offset " + r.offset() + ": " + bad.getMessage());
                            }
                            full = true;
                            break outer;
                        }
                        out.add(rendered);
                        budget -= size;
                        next = r.offset() + 1;
                    }
                    next = Math.max(next, batch.nextOffset());
                }
                c.positions.put(tp, next);
                if (full) {
                    break;
                }
            }
            return out;
        });
    }

    /** REST Proxy v2's record: topic, key, value, partition, offset. */
    private JsonObject render(TopicPartition tp, Record r) {
        return new JsonObject().put("topic", tp.topic()).put("key", c.format.embed(r.hasKey() ? r.key() : null))
                .put("value", c.format.embed(r.hasValue() ? r.value() : null))
                .put("partition", tp.partition()).put("offset", r.offset());
    }

    /** Completes on an append to an assigned partition, a change of assignment or position, or after {@code ms}. */
    private Future<Void> waitForData(long ms) {
        Promise<Void> p = Promise.promise();
        List<Runnable> undo = new ArrayList<>();
        Runnable[] fire = new Runnable[1];
        fire[0] = () -> {
            if (p.tryComplete()) {
                undo.forEach(Runnable::run);
                c.wakers.remove(fire[0]);
            }
        };
        io.vertx.core.Context here = c.door.vertx.getOrCreateContext();
        for (TopicPartition tp : c.positions.keySet()) {
            undo.add(c.door.logs.watchAppends(tp, () -> here.runOnContext(x -> fire[0].run())));
        }
        long timer = c.door.vertx.setTimer(ms, id -> fire[0].run());
        undo.add(() -> c.door.vertx.cancelTimer(timer));
        c.wakers.add(fire[0]);
        // An append between the readiness check and the watch registration would otherwise be missed.
        for (Map.Entry<TopicPartition, Long> e : c.positions.entrySet()) {
            PartitionLog log = c.door.logs.partition(e.getKey());
            if (log != null && e.getValue() != null && e.getValue() < log.highWatermark()) {
                fire[0].run();
                break;
            }
        }
        return p.future();
    }
}
