package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.RequestContext;
import io.tributary.kafka.SupportedApis;
import io.vertx.core.Future;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/** ApiVersions: the ranges of {@link SupportedApis}; INVALID_REQUEST for a malformed client software name (v3+). */
public final class ApiVersionsHandler implements ApiHandler {
    private final SupportedApis apis;

    public ApiVersionsHandler(SupportedApis apis) {
        this.apis = apis;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        ApiVersionsRequest req = (ApiVersionsRequest) request;
        ApiVersionsResponseData data = new ApiVersionsResponseData().setApiKeys(apis.toApiVersions());
        if (req.version() >= 3 && !req.isValid()) {
            data.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        return Future.succeededFuture(data);
    }
}
