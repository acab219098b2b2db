package io.tributary.http;

import io.vertx.core.json.JsonObject;

/**
 * {@code produce} frames: one record appended through {@link RecordAppender} (the log engine's append,
 * as the Kafka front door's Produce), answered with {@code produced} (partition, offset, timestamp) or an
 * {@code error} frame with the frame's id. The socket stops reading while too many are in flight.
 */
final class WsProduce {
    private final WsConnection conn;

    WsProduce(WsConnection conn) {
        this.conn = conn;
    }

    void onProduce(String id, JsonObject frame) {
        RecordAppender.Request req;
        try {
            req = RecordAppender.Request.fromJson(frame, conn.door.logs);
        } catch (RecordAppender.BadRecord e) {
            conn.error(id, e.code, e.getMessage());
            return;
        }
        conn.produceStarted();
        RecordAppender.append(conn.door.logs, req).onComplete(ar -> {
            conn.produceDone();
            if (!conn.isOpen()) {
                return;
            }
            if (ar.failed()) {
                RecordAppender.BadRecord e = RecordAppender.classify(ar.cause());
                conn.error(id, e.code, e.getMessage());
                return;
            }
            JsonObject f = new JsonObject().put("type", "produced");
            if (id != null) {
                f.put("id", id);
            }
            conn.out.send(f.put("topic", req.topic()).put("partition", req.partition())
                    .put("offset", ar.result().firstOffset()).put("timestamp", req.timestamp()));
        });
    }
}
