package io.tributary.log;

import org.apache.kafka.common.errors.ApiException;

import java.util.List;

/**
 * A batch refused because of some of its records, as Kafka's {@code RecordValidationException}: the
 * request-level error is {@link #invalidException()} (INVALID_RECORD or INVALID_TIMESTAMP) and each
 * offending record is named by its index in the batch, so a ProduceResponse v8+ can carry
 * {@code record_errors} and a client can tell the bad records from the ones that failed with them.
 */
public final class RecordValidationException extends ApiException {
    private static final long serialVersionUID = 1L;

    /** One offending record: its index in the batch and why. */
    public record RecordError(int batchIndex, String message) {
    }

    private final ApiException invalidException;
    private final transient List<RecordError> recordErrors;

    public RecordValidationException(ApiException invalidException, List<RecordError> recordErrors) {
        super(invalidException.getMessage(), invalidException);
        this.invalidException = invalidException;
        this.recordErrors = List.copyOf(recordErrors);
    }

    public ApiException invalidException() {
        return invalidException;
    }

    public List<RecordError> recordErrors() {
        return recordErrors;
    }
}
