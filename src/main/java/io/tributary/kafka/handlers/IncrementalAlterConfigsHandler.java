package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.KafkaBroker;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * IncrementalAlterConfigs (v0-1) for topics: SET and DELETE change one override; APPEND and SUBTRACT
 * edit a LIST config (e.g. {@code cleanup.policy}) starting from its current effective value — the
 * override, else the broker default — as Kafka's controller does. The result is validated and written
 * by the log engine as the topic's new override set. Broker resources edit one dynamic layer of the
 * broker configuration the same way (e.g. {@code kafka-configs --entity-type brokers --alter}).
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
        List<Future<?>> work = new ArrayList<>();
        for (AlterConfigsResource resource : req.resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            resp.responses().add(result);
            work.add(AlterTopicConfigs.alter(broker, resource.resourceType(), resource.resourceName(), req.validateOnly(),
                    (current, view) -> apply(current, view, resource)).onSuccess(error -> {
                        if (error != null) {
                            result.setErrorCode(error.error().code()).setErrorMessage(error.messageWithFallback());
                        }
                    }));
        }
        return Future.join(work).transform(ignored -> Future.succeededFuture(resp));
    }

    private Map<String, String> apply(Map<String, String> current, AlterTopicConfigs.ConfigView view, AlterConfigsResource resource) {
        Set<String> seen = new HashSet<>();
        for (AlterableConfig c : resource.configs()) {
            if (!seen.add(c.name())) {
                throw new InvalidRequestException("Error due to duplicate config keys");
            }
        }
        Map<String, String> overrides = new HashMap<>(current);
        for (AlterableConfig c : resource.configs()) {
            OpType op = OpType.forId(c.configOperation());
            if (op == null) {
                throw new InvalidRequestException("Unknown alter configs operation type " + c.configOperation());
            }
            switch (op) {
                case SET -> {
                    if (c.value() == null) {
                        throw new InvalidConfigurationException("Null value not supported for config " + c.name());
                    }
                    overrides.put(c.name(), c.value());
                }
                case DELETE -> overrides.remove(c.name());
                case APPEND, SUBTRACT -> overrides.put(c.name(), editList(op, c, overrides, view));
            }
        }
        return overrides;
    }

    private String editList(OpType op, AlterableConfig c, Map<String, String> overrides, AlterTopicConfigs.ConfigView view) {
        ConfigDef.ConfigKey key = view.key(c.name());
        if (key == null) {
            throw new InvalidConfigurationException("Unknown config name: " + c.name());
        }
        if (key.type != ConfigDef.Type.LIST) {
            throw new InvalidConfigurationException("Can't " + op + " to key " + c.name() + " because its type is not LIST.");
        }
        String current = overrides.containsKey(c.name())
                ? overrides.get(c.name())
                : view.effective(c.name());
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
