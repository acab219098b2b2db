package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AlterConfigsRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AlterConfigs (v0-2), the legacy API: the request's configs become the resource's complete set — a
 * topic's overrides, or a dynamic broker layer (a config left out returns to the level below; a null
 * value is the same as leaving it out).
 */
public final class AlterConfigsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public AlterConfigsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        AlterConfigsRequestData req = ((AlterConfigsRequest) request).data();
        AlterConfigsResponseData resp = new AlterConfigsResponseData();
        List<Future<?>> work = new ArrayList<>();
        for (AlterConfigsResource resource : req.resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            resp.responses().add(result);
            if (resource.resourceType() == ConfigResource.Type.BROKER_LOGGER.id()) {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER");
                continue;
            }
            work.add(AlterTopicConfigs.alter(broker, resource.resourceType(), resource.resourceName(), req.validateOnly(),
                    (current, view) -> replacement(resource)).onSuccess(error -> {
                        if (error != null) {
                            result.setErrorCode(error.error().code()).setErrorMessage(error.messageWithFallback());
                        }
                    }));
        }
        return Future.join(work).transform(ignored -> Future.succeededFuture(resp));
    }

    private static Map<String, String> replacement(AlterConfigsResource resource) {
        Map<String, String> overrides = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (AlterableConfig c : resource.configs()) {
            if (!seen.add(c.name())) {
                throw new InvalidRequestException("Error due to duplicate config keys");
            }
            if (c.value() != null) {
                overrides.put(c.name(), c.value());
            }
        }
        return overrides;
    }
}
