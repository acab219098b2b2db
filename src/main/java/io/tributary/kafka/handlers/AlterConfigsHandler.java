package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.AlterConfigsRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * AlterConfigs (v0-2), the legacy API: the request's configs become the resource's complete set — a
 * topic's overrides, or a dynamic broker layer (a config left out returns to the level below). Requests are
 * first checked as Kafka's ConfigAdminManager checks them (each resource once, each key once, no null value).
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
        Set<AlterConfigsResource> duplicates = AlterTopicConfigs.duplicateResources(req.resources(),
                AlterConfigsResource::resourceType, AlterConfigsResource::resourceName);
        List<Future<?>> work = new ArrayList<>();
        for (AlterConfigsResource resource : req.resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            resp.responses().add(result);
            Future<ApiError> outcome;
            if (duplicates.contains(resource)) {
                outcome = Future.succeededFuture(new ApiError(Errors.INVALID_REQUEST, AlterTopicConfigs.DUPLICATE_RESOURCE));
            } else if (resource.resourceType() == ConfigResource.Type.BROKER_LOGGER.id()) {
                outcome = Future.succeededFuture(new ApiError(Errors.INVALID_REQUEST,
                        "AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER"));
            } else {
                outcome = check(resource).map(Future::succeededFuture).orElseGet(() ->
                        AlterTopicConfigs.alter(broker, resource.resourceType(), resource.resourceName(), req.validateOnly(),
                                (current, view) -> replacement(resource)));
            }
            work.add(outcome.andThen(ar -> {
                ApiError error = ar.succeeded() ? ar.result() : AdminErrors.of(ar.cause());
                if (error != null) {
                    result.setErrorCode(error.error().code()).setErrorMessage(error.messageWithFallback());
                }
            }));
        }
        return Future.join(work).transform(ignored -> Future.succeededFuture(resp));
    }

    private static Optional<ApiError> check(AlterConfigsResource resource) {
        List<String> nullValued = resource.configs().stream().filter(c -> c.value() == null).map(AlterableConfig::name).toList();
        try {
            AlterTopicConfigs.checkConfigList(resource.configs().stream().map(AlterableConfig::name).toList(), nullValued);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(AdminErrors.of(e));
        }
    }

    private static Map<String, String> replacement(AlterConfigsResource resource) {
        Map<String, String> overrides = new HashMap<>();
        for (AlterableConfig c : resource.configs()) {
            overrides.put(c.name(), c.value());
        }
        return overrides;
    }
}
