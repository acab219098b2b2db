package io.tributary.client.kafka;

/**
 * Where an assigned partition starts: the log start, the log end, an offset, or the first record at or after a
 * timestamp (the log end if there is none that late).
 */
public sealed interface StartFrom {
    static StartFrom earliest() {
        return Earliest.INSTANCE;
    }

    static StartFrom latest() {
        return Latest.INSTANCE;
    }

    static StartFrom offset(long offset) {
        return new Offset(offset);
    }

    static StartFrom timestamp(long epochMs) {
        return new Timestamp(epochMs);
    }

    enum Earliest implements StartFrom { INSTANCE }

    enum Latest implements StartFrom { INSTANCE }

    record Offset(long offset) implements StartFrom {
    }

    record Timestamp(long epochMs) implements StartFrom {
    }
}
