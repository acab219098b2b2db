package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId for idempotent producers (kafka-clients enables idempotence by default). A fresh
 * producer gets a new id at epoch 0; a producer that presents its id and epoch (KIP-360, after an
 * unknown-producer or sequence error) gets the same id with the epoch bumped, or a new id when the
 * epoch is exhausted. Transactional ids are not supported yet: INVALID_REQUEST.
 */
public final class InitProducerIdHandler implements ApiHandler {
    private final KafkaBroker broker;

    public InitProducerIdHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        InitProducerIdRequestData req = ((InitProducerIdRequest) request).data();
        InitProducerIdResponseData resp = new InitProducerIdResponseData().setProducerId(-1).setProducerEpoch((short) -1);
        if (req.transactionalId() != null) {
            return Future.succeededFuture(resp.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        boolean bump = req.producerId() != RecordBatch.NO_PRODUCER_ID && req.producerEpoch() != RecordBatch.NO_PRODUCER_EPOCH;
        if (bump && req.producerEpoch() < Short.MAX_VALUE - 1) {
            return Future.succeededFuture(resp.setProducerId(req.producerId()).setProducerEpoch((short) (req.producerEpoch() + 1)));
        }
        return broker.vertx().executeBlocking(() -> broker.producerIds().nextProducerId())
                .map(id -> (ApiMessage) resp.setProducerId(id).setProducerEpoch((short) 0))
                .otherwise(t -> resp.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
    }
}
