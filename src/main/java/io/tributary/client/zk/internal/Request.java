package io.tributary.client.zk.internal;

import io.vertx.core.Promise;
import org.apache.jute.Record;

/**
 * One request of a session: what to send, the record its reply body is read into (null: none expected), and the
 * promise the reply completes. Lives on the client's loop.
 */
public final class Request {
    final int type;
    final Record body;
    final Record response;
    final String path;
    final Promise<Reply> promise = Promise.promise();
    int xid;
    long queueTimer = -1;

    Request(int type, Record body, Record response, String path) {
        this.type = type;
        this.body = body;
        this.response = response;
        this.path = path;
    }

    /** A reply: the server's zxid when it answered ({@code ReplyHeader.zxid}) and the body read, if any. */
    public record Reply(long zxid, Record body) {
        @SuppressWarnings("unchecked")
        public <T extends Record> T as() {
            return (T) body;
        }
    }
}
