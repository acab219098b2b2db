package io.tributary.client.zk.internal;

/**
 * ZooKeeper's path rules (PathUtils.validatePath), checked before anything is sent so that bad input fails the
 * operation with a clear {@link IllegalArgumentException} instead of a server error or a dropped connection.
 */
public final class Paths {
    private Paths() {
    }

    /** Checks {@code path}; a sequential create may end with '/' (the server appends the counter). */
    public static String check(String path, boolean sequential) {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        String p = sequential ? path + "1" : path;
        if (p.isEmpty()) {
            throw new IllegalArgumentException("path must not be empty");
        }
        if (p.charAt(0) != '/') {
            throw new IllegalArgumentException("path must start with '/': '" + path + "'");
        }
        if (p.length() == 1) {
            return path;
        }
        if (p.charAt(p.length() - 1) == '/') {
            throw new IllegalArgumentException("path must not end with '/': '" + path + "'");
        }
        char last = '/';
        for (int i = 1; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException("null character at " + i + " in '" + path + "'");
            } else if (c == '/' && last == '/') {
                throw new IllegalArgumentException("empty node name at " + i + " in '" + path + "'");
            } else if (c == '.' && last == '.' && p.charAt(i - 2) == '/'
                    && (i + 1 == p.length() || p.charAt(i + 1) == '/')) {
                throw new IllegalArgumentException("relative path element '..' at " + i + " in '" + path + "'");
            } else if (c == '.' && last == '/' && (i + 1 == p.length() || p.charAt(i + 1) == '/')) {
                throw new IllegalArgumentException("relative path element '.' at " + i + " in '" + path + "'");
            } else if (c > '\u0000' && c <= '\u001f' || c >= '\u007f' && c <= '\u009F'
                    || c >= '\ud800' && c <= '\uf8ff' || c >= '\ufff0' && c <= '\uffff') {
                throw new IllegalArgumentException("invalid character at " + i + " in '" + path + "'");
            }
            last = c;
        }
        return path;
    }

    public static String check(String path) {
        return check(path, false);
    }
}
