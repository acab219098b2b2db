package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;

import java.util.HashSet;
import java.util.Set;

/**
 * DescribeClientQuotas (v0-1). Tributary enforces no client quotas (produce/fetch byte rates, request
 * rates, connection rates), so a well-formed filter matches nothing and the answer is an empty list, as a
 * Kafka cluster without quotas answers ({@code kafka-configs --describe --entity-type users} prints
 * nothing). AlterClientQuotas is not advertised, so setting a quota fails cleanly on the client
 * ("The node does not support ALTER_CLIENT_QUOTAS") rather than being stored and ignored. The filter is
 * checked as Kafka 4.3 checks it (ClientQuotasImage.describe), with its messages.
 */
public final class DescribeClientQuotasHandler implements ApiHandler {
    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        DescribeClientQuotasRequestData req = ((DescribeClientQuotasRequest) request).data();
        validate(req);
        return Future.succeededFuture(new DescribeClientQuotasResponseData().setErrorCode(Errors.NONE.code()));
    }

    private static void validate(DescribeClientQuotasRequestData req) {
        Set<String> seen = new HashSet<>();
        for (ComponentData c : req.components()) {
            String type = c.entityType();
            if (type.isEmpty()) {
                throw new InvalidRequestException("Invalid empty entity type.");
            }
            if (!seen.add(type)) {
                throw new InvalidRequestException("Entity type " + type + " cannot appear more than once in the filter.");
            }
            if (!type.equals(ClientQuotaEntity.IP) && !type.equals(ClientQuotaEntity.USER)
                    && !type.equals(ClientQuotaEntity.CLIENT_ID)) {
                throw new UnsupportedVersionException("Unsupported entity type " + type);
            }
            switch (c.matchType()) {
                case DescribeClientQuotasRequest.MATCH_TYPE_EXACT -> {
                    if (c.match() == null) {
                        throw new InvalidRequestException("Request specified MATCH_TYPE_EXACT, but set match string to null.");
                    }
                }
                case DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT -> {
                    if (c.match() != null) {
                        throw new InvalidRequestException("Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
                    }
                }
                case DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED -> {
                    if (c.match() != null) {
                        throw new InvalidRequestException("Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
                    }
                }
                default -> throw new InvalidRequestException("Unknown match type " + c.matchType());
            }
        }
        if (seen.contains(ClientQuotaEntity.IP) && (seen.contains(ClientQuotaEntity.USER) || seen.contains(ClientQuotaEntity.CLIENT_ID))) {
            throw new InvalidRequestException("Invalid entity filter component combination. IP filter component "
                    + "should not be used with user or clientId filter component.");
        }
    }
}
