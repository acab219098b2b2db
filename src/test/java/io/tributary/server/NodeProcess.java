package io.tributary.server;

import io.tributary.testing.Poll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A node in its own JVM, started like a user would start it, so a test can kill -9 it. */
public final class NodeProcess implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private final Path logFile;
    private final int zkPort;
    private final List<String> extraArgs;
    private Process process;

    public NodeProcess(Path dataDir, int port, Path logFile) {
        this(dataDir, port, io.tributary.testing.TestNode.freePort(), logFile);
    }

    /** @param zkPort the ZooKeeper protocol port (never the shared default 2181 in tests) */
    public NodeProcess(Path dataDir, int port, int zkPort, Path logFile) {
        this(dataDir, port, zkPort, logFile, List.of());
    }

    /** @param extraArgs more command-line options, e.g. {@code -o tickTime=500} */
    public NodeProcess(Path dataDir, int port, int zkPort, Path logFile, List<String> extraArgs) {
        this.extraArgs = extraArgs;
        this.dataDir = dataDir;
        this.port = port;
        this.zkPort = zkPort;
        this.logFile = logFile;
    }

    public void start() {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.tributary.Main",
                "--data-dir", dataDir.toString(), "--kafka-port", Integer.toString(port),
                "--zk-port", Integer.toString(zkPort), "-o", "host=127.0.0.1"));
        cmd.addAll(extraArgs);
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Poll.until(Duration.ofSeconds(60), "node process listening on " + port + " and " + zkPort, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("node process exited: " + output());
            }
            try (Socket s = new Socket("127.0.0.1", port); Socket z = new Socket("127.0.0.1", zkPort)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** SIGKILL: no shutdown hook, no flush, no clean marker. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: the node's clean shutdown. */
    public int terminate() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    public String output() {
        try {
            return Files.readString(logFile);
        } catch (IOException e) {
            return "<no output: " + e + ">";
        }
    }

    public String zkConnect() {
        return "127.0.0.1:" + zkPort;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill9();
        }
    }
}
