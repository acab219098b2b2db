package io.tributary.kafka.handlers;

import io.tributary.group.GroupCoordinator;
import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DeleteGroupsRequest;

import java.util.Map;
import java.util.function.Consumer;

/**
 * DeleteGroups (v0-2): only Empty groups (NON_EMPTY_GROUP otherwise); their offsets and metadata get
 * tombstones in {@code __consumer_offsets} before the answer.
 */
public final class DeleteGroupsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public DeleteGroupsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        DeleteGroupsRequestData req = ((DeleteGroupsRequest) request).data();
        return broker.groups().<Map<String, Errors>>callAsync((GroupCoordinator c, Consumer<Map<String, Errors>> done) ->
                        c.deleteGroups(req.groupsNames(), done))
                .map(results -> {
                    DeleteGroupsResponseData resp = new DeleteGroupsResponseData();
                    results.forEach((id, e) -> resp.results().add(new DeletableGroupResult().setGroupId(id).setErrorCode(e.code())));
                    return resp;
                });
    }
}
