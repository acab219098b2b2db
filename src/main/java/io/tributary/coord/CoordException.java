package io.tributary.coord;

/** A request failed with one of ZooKeeper's result codes ({@link Codes}); cheap, no stack trace. */
public final class CoordException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int code;

    public CoordException(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
