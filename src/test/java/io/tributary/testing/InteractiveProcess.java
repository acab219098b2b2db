package io.tributary.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An external program a test talks to line by line, as a user at a prompt would: lines go to its
 * standard input, and its standard output and error (merged, in the order it wrote them) are collected
 * so the test can wait for what it prints. Waiting is by {@link Poll} with a deadline, never a sleep.
 * One test thread drives it; a daemon thread reads its output.
 */
public final class InteractiveProcess implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final OutputStream stdin;
    private final StringBuilder output = new StringBuilder();
    private final Thread reader;

    private InteractiveProcess(List<String> command) {
        this.command = command;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        stdin = process.getOutputStream();
        reader = new Thread(this::readOutput, "output-of-" + Path.of(command.get(0)).getFileName());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command}; it runs until {@link #close()} or until it exits by itself. */
    public static InteractiveProcess start(List<String> command) {
        return new InteractiveProcess(List.copyOf(command));
    }

    private void readOutput() {
        byte[] buf = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                String s = new String(buf, 0, n, StandardCharsets.UTF_8);
                synchronized (output) {
                    output.append(s);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** Everything printed so far. */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** A mark for {@link #since(int)}: how much has been printed so far. */
    public int mark() {
        synchronized (output) {
            return output.length();
        }
    }

    /** What was printed after {@code mark}. */
    public String since(int mark) {
        synchronized (output) {
            return output.substring(mark);
        }
    }

    /** Writes one line to the program's standard input. */
    public void send(String line) {
        try {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError("cannot write '" + line + "' to " + command + "; it printed:\n" + output(), e);
        }
    }

    /**
     * Waits until what was printed after {@code mark} satisfies {@code ok}, and returns it. Fails after
     * {@code timeout} with everything the program printed.
     */
    public String awaitSince(int mark, Duration timeout, String what, Predicate<String> ok) {
        try {
            return Poll.value(timeout, what, () -> since(mark), ok);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage().split(" \\(last value")[0] + " from " + command
                    + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")")
                    + "; it printed:\n" + output(), e);
        }
    }

    /** Waits for the program to exit by itself (after a quit command, say) and returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(command + " did not exit within " + timeout + "; it printed:\n" + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + command + " to exit");
        }
        try {
            reader.join(TimeUnit.SECONDS.toMillis(10)); // its output is read to the end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the program at once (SIGKILL), as a crash would: it gets no chance to say goodbye. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
