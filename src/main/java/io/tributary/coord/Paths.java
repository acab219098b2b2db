package io.tributary.coord;

/**
 * Znode path rules, as ZooKeeper's {@code PathUtils.validatePath}: absolute, no trailing or doubled
 * slash, no "." or ".." segments, no control, surrogate or private-use characters.
 */
public final class Paths {
    public static final String ROOT = "/";
    public static final String ZOOKEEPER = "/zookeeper";
    public static final String CONFIG = "/zookeeper/config";
    public static final String QUOTA = "/zookeeper/quota";

    private Paths() {
    }

    /** @throws CoordException BADARGUMENTS with the reason */
    public static void validate(String path) throws CoordException {
        String why = problem(path);
        if (why != null) {
            throw new CoordException(Codes.BADARGUMENTS, "Invalid path string \"" + path + "\" caused by " + why);
        }
    }

    static String problem(String path) {
        if (path == null || path.isEmpty()) {
            return "path length must be > 0";
        }
        if (path.charAt(0) != '/') {
            return "path must start with / character";
        }
        if (path.length() == 1) {
            return null;
        }
        if (path.charAt(path.length() - 1) == '/') {
            return "path must not end with / character";
        }
        char last = '/';
        char[] chars = path.toCharArray();
        for (int i = 1; i < chars.length; i++) {
            char c = chars[i];
            if (c == 0) {
                return "null character not allowed @" + i;
            } else if (c == '/' && last == '/') {
                return "empty node name specified @" + i;
            } else if (c == '.' && last == '.') {
                if (chars[i - 2] == '/' && (i + 1 == chars.length || chars[i + 1] == '/')) {
                    return "relative paths not allowed @" + i;
                }
            } else if (c == '.') {
                if (chars[i - 1] == '/' && (i + 1 == chars.length || chars[i + 1] == '/')) {
                    return "relative paths not allowed @" + i;
                }
            } else if (c <= '\u001f' || (c >= '\u007f' && c <= '\u009f') || (c >= '\ud800' && c <= '\uf8ff')
                    || c >= '\ufff0') {
                return "invalid character @" + i;
            }
            last = c;
        }
        return null;
    }

    /** The parent of a valid path other than the root. */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash == 0 ? ROOT : path.substring(0, slash);
    }

    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public static String child(String parent, String name) {
        return parent.equals(ROOT) ? "/" + name : parent + "/" + name;
    }

    /** The root and the /zookeeper subtree's fixed nodes cannot be deleted (ZooKeeper's isSpecialPath). */
    public static boolean isSpecial(String path) {
        return path.equals(ROOT) || path.equals(ZOOKEEPER) || path.equals(CONFIG) || path.equals(QUOTA);
    }
}
