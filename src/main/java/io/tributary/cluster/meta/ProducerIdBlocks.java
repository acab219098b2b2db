package io.tributary.cluster.meta;

import io.tributary.coord.Codes;
import io.tributary.coord.Op;
import io.tributary.coord.Result;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Cluster-unique producer id blocks, as Kafka's ZooKeeper mode handed them out: {@code /latest_producer_id_block}
 * holds the last block given ({@code {"version":1,"broker":N,"block_start":"S","block_end":"E"}}); a broker takes
 * the next one with a versioned write, retrying when another broker took one first.
 *
 * <p>Threading: the cluster verticle's context.
 */
final class ProducerIdBlocks {
    static final String PATH = "/latest_producer_id_block";

    private ProducerIdBlocks() {
    }

    static Future<Long> reserve(MetaSession session, int broker, long size, int attempts) {
        if (attempts <= 0) {
            return Future.failedFuture("too many concurrent reservations of producer id blocks");
        }
        return session.call(new Op.GetData(PATH, false)).compose(r -> {
            long start;
            Op write;
            if (r.err() == Codes.OK && ((Result.Data) r.value()).data().length > 0) {
                Result.Data d = (Result.Data) r.value();
                JsonObject last = KafkaZnodes.json(d.data());
                start = Long.parseLong(last.getString("block_end")) + 1;
                write = new Op.SetData(PATH, block(broker, start, size), d.stat().getVersion());
            } else if (r.err() == Codes.OK) {
                // The empty persistent parent the registration creates: no block given yet.
                start = 0;
                write = new Op.SetData(PATH, block(broker, start, size), ((Result.Data) r.value()).stat().getVersion());
            } else if (r.err() == Codes.NONODE) {
                start = 0;
                write = new Op.Create(PATH, block(broker, start, size), KafkaZnodes.OPEN, Op.PERSISTENT, 0);
            } else {
                return Future.failedFuture("reading " + PATH + " failed with error " + r.err());
            }
            return session.call(write).compose(w -> {
                if (w.err() == Codes.OK) {
                    return Future.succeededFuture(start);
                } else if (w.err() == Codes.BADVERSION || w.err() == Codes.NODEEXISTS) {
                    return reserve(session, broker, size, attempts - 1);
                }
                return Future.failedFuture("writing " + PATH + " failed with error " + w.err());
            });
        });
    }

    private static byte[] block(int broker, long start, long size) {
        return KafkaZnodes.bytes(new JsonObject().put("version", 1).put("broker", broker)
                .put("block_start", Long.toString(start)).put("block_end", Long.toString(start + size - 1)));
    }
}
