package io.tributary.kafka.handlers;

import io.tributary.kafka.ApiHandler;
import io.tributary.kafka.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DescribeUserScramCredentials (v0). Tributary has no SASL, so no user has SCRAM credentials: asking for
 * all users answers an empty list, asking for named users answers RESOURCE_NOT_FOUND for each (and
 * DUPLICATE_RESOURCE for a name asked twice), with Kafka 4.3's messages (ScramImage.describe). This is what
 * {@code kafka-configs --describe --entity-type users} asks besides the quotas. AlterUserScramCredentials
 * is not advertised.
 */
public final class DescribeUserScramCredentialsHandler implements ApiHandler {
    @Override
    public Future<ApiMessage> handle(RequestContext ctx, AbstractRequest request) {
        DescribeUserScramCredentialsRequestData req = ((DescribeUserScramCredentialsRequest) request).data();
        DescribeUserScramCredentialsResponseData resp = new DescribeUserScramCredentialsResponseData()
                .setErrorCode(Errors.NONE.code());
        if (req.users() == null || req.users().isEmpty()) {
            return Future.succeededFuture(resp);
        }
        Map<String, Boolean> duplicated = new LinkedHashMap<>();
        for (UserName u : req.users()) {
            duplicated.put(u.name(), duplicated.containsKey(u.name()));
        }
        duplicated.forEach((user, twice) -> resp.results().add(new DescribeUserScramCredentialsResult()
                .setUser(user)
                .setErrorCode((twice ? Errors.DUPLICATE_RESOURCE : Errors.RESOURCE_NOT_FOUND).code())
                .setErrorMessage(twice
                        ? "Cannot describe SCRAM credentials for the same user twice in a single request: " + user
                        : "Attempt to describe a user credential that does not exist: " + user)));
        return Future.succeededFuture(resp);
    }
}
