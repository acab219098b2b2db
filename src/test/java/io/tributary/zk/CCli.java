package io.tributary.zk;

import io.tributary.testing.InteractiveProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ZooKeeper's C command-line shell {@code cli_mt} (Debian's zookeeper-bin, the multi-threaded C client
 * library libzookeeper-mt2 underneath), driven through its standard input the way a user types at it.
 *
 * <p>How it prints (zookeeper-client-c/src/cli.c), on standard error, which is merged here with standard
 * output and with the library's log (stripped by {@link #shellOutput}): every command but {@code exists}
 * is asynchronous and its completion prints a block later: {@code create}/{@code sync} print
 * {@code [path]: rc = N} then {@code \tname = ...}; {@code set} prints {@code path: rc = N Stat:} and the
 * stat; {@code get} prints {@code path: rc = N}, {@code  value_len = N}, the data, {@code Stat:} and the stat
 * (or {@code null}); {@code ls}/{@code ls2} print the children between two {@code time = ... msec} lines
 * (ls2 then the stat); {@code delete} prints {@code path: rc = N}. A stat ends with its
 * {@code ephemeralOwner = ...} line. {@code exists} is synchronous in cli_mt and prints only
 * {@code Error N for path} when it fails. Watch events print {@code Watcher TYPE state = STATE for path P}.
 * Each helper here sends one command and waits for its whole block; a command typed before the previous
 * one's completion arrived is fine for the library but a {@code quit} would fail it with ZCLOSING (-116).
 */
final class CCli implements AutoCloseable {
    static final Path CLI_MT = Path.of("/usr/lib/zookeeper/bin/cli_mt");
    static final Path LOAD_GEN = Path.of("/usr/lib/zookeeper/bin/load_gen");
    static final Duration WAIT = Duration.ofSeconds(30);

    private static final Pattern NEW_SESSION = Pattern.compile("Got a new session id: 0x([0-9a-f]+)\n");
    /**
     * One record of the library's log (also on stderr, from its I/O and completion threads), which can
     * land between the pieces of one shell line: a watcher line is three fprintf calls. The messages of
     * zookeeper_connect and zookeeper_close end in a newline of their own, hence a blank line after them.
     */
    private static final Pattern LOG_RECORD = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}:\\d+\\(0x[0-9a-f]+\\):ZOO_[A-Z]+@"
                    + "(?:(?:zookeeper_connect|zookeeper_close)@[^\n]*\n\n|[^\n]*\n)");
    /** The end of a stat block (dumpStat), or its "null" when the call failed. */
    private static final String STAT_END = "(?s).*(ephemeralOwner = [0-9a-f]+\n|\nnull\n).*";

    final InteractiveProcess process;
    final long sessionId;

    private CCli(InteractiveProcess process, long sessionId) {
        this.process = process;
        this.sessionId = sessionId;
    }

    /** Fails the test with a hint when Debian's zookeeper-bin is missing (bin/install-test-deps installs it). */
    static void requireInstalled() {
        assertTrue(Files.isExecutable(CLI_MT) && Files.isExecutable(LOAD_GEN),
                CLI_MT + " and " + LOAD_GEN + " are missing: run bin/install-test-deps (Debian package zookeeper-bin)");
    }

    /** Starts {@code cli_mt -h hostPort [options]} and waits until its session is established. */
    static CCli connect(String hostPort, String... options) {
        requireInstalled();
        List<String> cmd = new ArrayList<>(List.of(CLI_MT.toString(), "-h", hostPort));
        cmd.addAll(List.of(options));
        InteractiveProcess p = InteractiveProcess.start(cmd);
        try {
            String out = shellOutput(p.awaitSince(0, WAIT, "the C client's session",
                    s -> NEW_SESSION.matcher(shellOutput(s)).find()));
            Matcher m = NEW_SESSION.matcher(out);
            assertTrue(m.find());
            return new CCli(p, Long.parseUnsignedLong(m.group(1), 16));
        } catch (RuntimeException | AssertionError e) {
            p.close();
            throw e;
        }
    }

    String sessionHex() {
        return Long.toHexString(sessionId);
    }

    /** The shell's own output: what it printed, less the library's log records. */
    static String shellOutput(String printed) {
        return LOG_RECORD.matcher(printed).replaceAll("");
    }

    /** Everything printed since {@code mark}, log records included (for what only the debug log says). */
    String logSince(int mark) {
        return process.since(mark);
    }

    /** Waits until the shell's own output since {@code mark} satisfies {@code ok}, and returns it. */
    String awaitShell(int mark, String what, java.util.function.Predicate<String> ok) {
        return shellOutput(process.awaitSince(mark, WAIT, what, s -> ok.test(shellOutput(s))));
    }

    /** Sends {@code line} and returns the shell's output once {@code done} matches it. */
    String run(String line, String what, java.util.function.Predicate<String> done) {
        int mark = process.mark();
        process.send(line);
        return awaitShell(mark, what + " after '" + line + "'", done);
    }

    /** {@code create [+flags] path}: the completion's {@code [path]: rc = N} and, on success, the name. */
    String create(String flagsAndPath) {
        String path = flagsAndPath.startsWith("+") ? flagsAndPath.substring(flagsAndPath.indexOf(' ') + 1) : flagsAndPath;
        return run("create " + flagsAndPath, "the create completion",
                s -> s.matches("(?s).*\\[" + Pattern.quote(path) + "]: rc = (0\n\tname = [^\n]*|-\\d+)\n.*"));
    }

    /** {@code create2 path}: as create, then the new node's stat. */
    String create2(String path) {
        return run("create2 " + path, "the create2 completion and stat", s -> s.matches(STAT_END));
    }

    String get(String path) {
        return run("get " + path, "the get completion and stat",
                s -> s.contains(path + ": rc = ") && s.matches(STAT_END));
    }

    String set(String path, String data) {
        return run("set " + path + " " + data, "the set completion and stat",
                s -> s.contains(path + ": rc = ") && s.matches(STAT_END));
    }

    String ls(String path) {
        return run("ls " + path, "the ls completion", s -> s.matches("(?s).*" + Pattern.quote(path)
                + ": rc = -?\\d+\n.*time = -?\\d+ msec\n.*"));
    }

    String ls2(String path) {
        return run("ls2 " + path, "the ls2 completion and stat", s -> s.contains(path + ": rc = ") && s.matches(STAT_END));
    }

    String delete(String path) {
        return run("delete " + path, "the delete completion", s -> s.matches("(?s).*" + Pattern.quote(path) + ": rc = -?\\d+\n.*"));
    }

    String sync(String path) {
        return run("sync " + path, "the sync completion", s -> s.matches("(?s).*\\[" + Pattern.quote(path)
                + "]: rc = (0\n\tname = [^\n]*|-\\d+)\n.*"));
    }

    /**
     * {@code exists path} (or {@code wexists}): synchronous in cli_mt and silent on success, so a
     * {@code sync /} typed after it marks the point by which its error line, if any, has been printed.
     */
    String exists(String command, String path) {
        int mark = process.mark();
        process.send(command + " " + path);
        process.send("sync /");
        return awaitShell(mark, "the sync after '" + command + " " + path + "'",
                s -> s.contains("[/]: rc = 0\n\tname = /\n"));
    }

    /** Waits until the shell's own output since {@code mark} contains {@code text}, and returns that output. */
    String await(int mark, String what, String text) {
        return awaitShell(mark, what, s -> s.contains(text));
    }

    /** {@code quit}: the shell closes its session (closeSession) and exits. Returns its exit code. */
    int quit() {
        process.send("quit");
        return process.awaitExit(WAIT);
    }

    @Override
    public void close() {
        process.close();
    }
}
