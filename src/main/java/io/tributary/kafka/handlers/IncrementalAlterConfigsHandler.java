package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * IncrementalAlterConfigs (v0-1) for topics: SET and DELETE change one override; APPEND and SUBTRACT
 * edit a LIST config (e.g. {@code cleanup.policy}) starting from its override, else from the topic config's
 * own default, as Kafka's controller does. The result is validated and written by the log engine as the
 * topic's new override set. Broker resources edit one dynamic layer of the broker configuration the same
 * way (e.g. {@code kafka-configs --entity-type brokers --alter}), a list starting from Kafka's default of the
 * property. BROKER_LOGGER changes this process's log levels ({@link BrokerLoggers}). Requests are first
 * checked as Kafka's ConfigAdminManager checks them (each resource once, each key once, no null value but
 * for DELETE).
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler {
    private final KafkaBroker broker;

    public IncrementalAlterConfigsHandler(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        IncrementalAlterConfigsRequestData req = ((IncrementalAlterConfigsRequest) request).data();
        IncrementalAlterConfigsResponseData resp = new IncrementalAlterConfigsResponseData();
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
            } else {
                outcome = check(resource).map(Future::succeededFuture).orElseGet(() ->
                        resource.resourceType() == ConfigResource.Type.BROKER_LOGGER.id()
                                ? Future.succeededFuture(alterLoggers(resource, req.validateOnly()))
                                : AlterTopicConfigs.alter(broker, resource.resourceType(), resource.resourceName(), req.validateOnly(),
                                        (current, view) -> apply(current, view, resource)));
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
        List<String> nullValued = resource.configs().stream()
                .filter(c -> c.configOperation() != OpType.DELETE.id() && c.value() == null)
                .map(AlterableConfig::name).toList();
        try {
            AlterTopicConfigs.checkConfigList(resource.configs().stream().map(AlterableConfig::name).toList(), nullValued);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(AdminErrors.of(e));
        }
    }

    /** Log levels of this process (Kafka's RuntimeLoggerManager): the error to report, or null. */
    private ApiError alterLoggers(AlterConfigsResource resource, boolean validateOnly) {
        try {
            int id;
            try {
                id = Integer.parseInt(resource.resourceName());
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("Node id must be an integer, but it is: " + resource.resourceName());
            }
            if (id != broker.nodeId()) {
                throw new InvalidRequestException("Unexpected node id. Expected " + broker.nodeId() + ", but received " + id);
            }
            BrokerLoggers.validate(resource.configs());
            if (!validateOnly) {
                BrokerLoggers.apply(resource.configs());
            }
            return null;
        } catch (RuntimeException e) {
            return AdminErrors.of(e);
        }
    }

    private Map<String, String> apply(Map<String, String> current, AlterTopicConfigs.ConfigView view, AlterConfigsResource resource) {
        Map<String, String> overrides = new HashMap<>(current);
        for (AlterableConfig c : resource.configs()) {
            OpType op = OpType.forId(c.configOperation());
            if (op == null) {
                throw new InvalidRequestException("Unknown operations type " + c.configOperation());
            }
            switch (op) {
                case SET -> overrides.put(c.name(), c.value());
                case DELETE -> overrides.remove(c.name());
                case APPEND, SUBTRACT -> overrides.put(c.name(), editList(op, c, overrides, view));
            }
        }
        return overrides;
    }

    private String editList(OpType op, AlterableConfig c, Map<String, String> overrides, AlterTopicConfigs.ConfigView view) {
        String base = view.listBase(op, c.name());
        String current = overrides.containsKey(c.name()) ? overrides.get(c.name()) : base;
        List<String> values = new ArrayList<>(split(current));
        for (String v : split(c.value())) {
            if (op == OpType.APPEND) {
                if (!values.contains(v)) {
                    values.add(v);
                }
            } else {
                values.remove(v);
            }
        }
        return String.join(",", values);
    }

    private static List<String> split(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
