package io.tributary.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real external programs (Kafka's tools in their own JVM, kcat) the way a user would. */
public final class Processes {
    private Processes() {
    }

    public record Result(int exitCode, String stdout, String stderr) {
        public String all() {
            return "exit=" + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /** Runs a Java main class in a fresh JVM on the test classpath (as kafka-*.sh scripts do). */
    public static Result java(String mainClass, List<String> args, String stdin, long timeoutSeconds) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return run(cmd, stdin, timeoutSeconds);
    }

    public static Result run(List<String> cmd, String stdin, long timeoutSeconds) {
        try {
            Path out = Files.createTempFile("proc", ".out");
            Path err = Files.createTempFile("proc", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("command timed out after " + timeoutSeconds + "s: " + cmd
                        + "\n" + Files.readString(out) + "\n" + Files.readString(err));
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Runs one of the project's Python scripts ({@code src/test/python/<script>}) with the system
     * interpreter, where Debian's python3-kafka, python3-confluent-kafka and python3-kazoo (installed
     * by bin/install-test-deps) live — not a pyenv or virtualenv one that may be first on PATH.
     */
    public static Result python(String script, List<String> args, long timeoutSeconds) {
        List<String> cmd = new ArrayList<>();
        cmd.add("/usr/bin/python3");
        cmd.add(Path.of("src/test/python", script).toString());
        cmd.addAll(args);
        return run(cmd, null, timeoutSeconds);
    }

    /**
     * Runs one of the project's JavaScript client scripts ({@code src/test/js/<script>}) with Node.js, its
     * packages (node-rdkafka, KafkaJS, node-zookeeper-client) installed there by bin/install-test-deps.
     */
    public static Result node(String script, List<String> args, long timeoutSeconds) {
        Path dir = Path.of("src/test/js");
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            throw new AssertionError("src/test/js/node_modules is missing: run bin/install-test-deps");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add("node");
        cmd.add(dir.resolve(script).toString());
        cmd.addAll(args);
        return run(cmd, null, timeoutSeconds);
    }

    public static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
