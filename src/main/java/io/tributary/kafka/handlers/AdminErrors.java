package io.tributary.kafka.handlers;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failure of an administrative operation into the (error code, message) pair the admin APIs
 * return per topic or resource. The message is never null: admin clients surface it to users, and Kafka
 * fills it for every error it reports from these APIs.
 */
final class AdminErrors {
    private static final Logger LOG = LoggerFactory.getLogger(AdminErrors.class);

    private AdminErrors() {
    }

    static ApiError of(Throwable t) {
        Throwable cause = Errors.maybeUnwrapException(t);
        if (cause instanceof ConfigException) {
            // LogConfig validation throws ConfigException; Kafka answers INVALID_CONFIG with its message.
            return new ApiError(Errors.INVALID_CONFIG, cause.getMessage());
        }
        Errors error = Errors.forException(cause);
        if (error == Errors.UNKNOWN_SERVER_ERROR || !(cause instanceof ApiException)) {
            LOG.error("administrative operation failed unexpectedly", cause);
        }
        return of(error, error == Errors.UNKNOWN_SERVER_ERROR ? null : cause.getMessage());
    }

    /** The error with {@code message}, or the error's standard description when there is none. */
    static ApiError of(Errors error, String message) {
        return new ApiError(error, message == null || message.isEmpty() ? error.message() : message);
    }
}
