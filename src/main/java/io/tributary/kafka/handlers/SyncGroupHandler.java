package io.tributary.kafka.handlers;

import io.tributary.group.GroupCoordinator;
import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;

import java.util.function.Consumer;

/**
 * SyncGroup (v0-5): the leader hands in the assignment its client-side assignor computed; every member
 * gets its own bytes back once the assignment is stored in {@code __consumer_offsets}.
 */
public final class SyncGroupHandler implements ApiHandler {
    private final KafkaBroker broker;

    public SyncGroupHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        SyncGroupRequestData req = ((SyncGroupRequest) request).data();
        short version = request.version();
        return broker.groups().<SyncGroupResponseData>callAsync((GroupCoordinator c, Consumer<SyncGroupResponseData> done) ->
                        c.syncGroup(req, done))
                .map(r -> {
                    if (version < 5) {
                        r.setProtocolType(null).setProtocolName(null);
                    }
                    return r;
                });
    }
}
