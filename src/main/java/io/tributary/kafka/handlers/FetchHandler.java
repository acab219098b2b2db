package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch for consumers. Sessionless: every response carries session id 0, which tells clients to keep
 * sending full fetch requests (KIP-227 allows a broker to decline sessions); a request naming a
 * session we never created gets FETCH_SESSION_ID_NOT_FOUND. The read and the long poll live in
 * {@link FetchOperation}.
 */
public final class FetchHandler implements ApiHandler {
    private final KafkaBroker broker;
    private final int maxWaitCapMs;

    public FetchHandler(KafkaBroker broker) {
        this(broker, 30_000);
    }

    FetchHandler(KafkaBroker broker, int maxWaitCapMs) {
        this.broker = broker;
        this.maxWaitCapMs = maxWaitCapMs;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        FetchRequestData req = ((FetchRequest) request).data();
        if (req.sessionId() != 0) {
            return Future.succeededFuture(new FetchResponseData()
                    .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code())
                    .setSessionId(0));
        }
        return new FetchOperation(broker, ctx, req, request.version(), maxWaitCapMs).run().map(r -> {
            for (FetchResponseData.FetchableTopicResponse t : r.responses()) {
                String topic = t.topic();
                if (topic == null || topic.isEmpty()) { // v13+ names topics by id
                    io.tributary.log.TopicInfo info = broker.logs().manager().topicById(t.topicId());
                    topic = info == null ? null : info.name();
                }
                for (FetchResponseData.PartitionData p : t.partitions()) {
                    if (topic != null && p.records() != null) {
                        broker.metrics().fetched(topic, p.records().sizeInBytes());
                    }
                }
            }
            return r;
        });
    }
}
