package io.tributary.docker;

import io.tributary.testing.Poll;
import io.tributary.testing.Processes;
import io.tributary.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, must-show 6: no Docker engine runs here, so the test reads the {@code Dockerfile}, lays out its
 * runtime stage's files in a directory standing for the image's root (each {@code COPY --from=build /build/X}
 * from this checkout's X, the build stage's own {@code mvn package} output being {@code target/tributary.jar},
 * which failsafe runs after), and runs its {@code ENTRYPOINT} with its {@code ENV} — paths under the image root
 * mapped into that directory, and the three ports moved to free ones as {@code docker run -e} would — then
 * checks that the node answers {@code /ready}, that the {@code HEALTHCHECK} command says healthy, and that
 * SIGTERM ({@code docker stop}) stops it cleanly. It also checks the non-root user, the volume and the ports.
 */
class DockerImageIT {
    private static final Pattern COPY_FROM_BUILD = Pattern.compile("^COPY --from=build (\\S+) (\\S+)$");
    private static final Pattern ENV_PAIR = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\"[^\"]*\"|\\S+)");

    record Runtime(Map<String, String> env, List<String> copies, List<String> entrypoint, List<String> healthcheck,
                   String user, String volume, String expose) {
    }

    /** The last stage of the Dockerfile (backslash continuations joined). */
    static Runtime parse(String dockerfile) {
        String joined = dockerfile.replace("\\\n", " ");
        List<String> stage = new ArrayList<>();
        for (String line : joined.lines().map(String::trim).toList()) {
            if (line.startsWith("FROM ")) {
                stage.clear();
            }
            if (!line.isEmpty() && !line.startsWith("#")) {
                stage.add(line.replaceAll("\\s+", " "));
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        List<String> copies = new ArrayList<>();
        List<String> entrypoint = List.of();
        List<String> healthcheck = List.of();
        String user = null;
        String volume = null;
        String expose = null;
        for (String l : stage) {
            if (l.startsWith("ENV ")) {
                Matcher m = ENV_PAIR.matcher(l.substring(4));
                while (m.find()) {
                    env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                }
            } else if (l.startsWith("COPY ")) {
                copies.add(l);
            } else if (l.startsWith("ENTRYPOINT ")) {
                entrypoint = jsonArray(l.substring("ENTRYPOINT ".length()));
            } else if (l.startsWith("HEALTHCHECK ")) {
                healthcheck = jsonArray(l.substring(l.indexOf(" CMD ") + 5));
            } else if (l.startsWith("USER ")) {
                user = l.substring(5);
            } else if (l.startsWith("VOLUME ")) {
                volume = l.substring(7);
            } else if (l.startsWith("EXPOSE ")) {
                expose = l.substring(7);
            }
        }
        return new Runtime(env, copies, entrypoint, healthcheck, user, volume, expose);
    }

    private static List<String> jsonArray(String s) {
        return new io.vertx.core.json.JsonArray(s.trim()).stream().map(String::valueOf).toList();
    }

    @Test
    void theImagesEntrypointWithItsEnvironmentStartsANodeThatIsReadyAndHealthy(@TempDir Path root) throws Exception {
        Path project = Path.of("").toAbsolutePath();
        Runtime image = parse(Files.readString(project.resolve("Dockerfile")));
        assertTrue(image.user() != null && !image.user().startsWith("root") && !image.user().startsWith("0"), "non-root USER");
        assertEquals("[\"/var/lib/tributary\"]", image.volume(), "the data directory is a volume");
        assertEquals("9092 2181 8080", image.expose());
        assertFalse(image.entrypoint().isEmpty(), "an ENTRYPOINT");
        assertFalse(image.healthcheck().isEmpty(), "a HEALTHCHECK");
        assertEquals("/var/lib/tributary", image.env().get("TRIBUTARY_LOG_DIRS"), "data in the volume");

        // the image's files: COPY --from=build /build/X DEST is this checkout's X (target/ after mvn package)
        assertEquals(3, image.copies().size(), image.copies().toString());
        for (String copy : image.copies()) {
            Matcher m = COPY_FROM_BUILD.matcher(copy);
            String src;
            String dest;
            if (m.matches()) {
                assertTrue(m.group(1).startsWith("/build/"), copy);
                src = m.group(1).substring("/build/".length());
                dest = m.group(2);
            } else {
                String[] f = copy.split(" ");
                src = f[1];
                dest = f[2];
            }
            Path from = project.resolve(src);
            assertTrue(Files.isRegularFile(from), "missing " + from + " (mvn package builds target/tributary.jar)");
            Path to = inImage(root, dest);
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.createDirectories(inImage(root, "/var/lib/tributary"));

        Map<String, String> env = new LinkedHashMap<>();
        image.env().forEach((k, v) -> env.put(k, v.startsWith("/") ? inImage(root, v).toString() : v));
        int http = TestNode.freePort();
        env.put("TRIBUTARY_KAFKA_PORT", Integer.toString(TestNode.freePort()));
        env.put("TRIBUTARY_ZK_PORT", Integer.toString(TestNode.freePort()));
        env.put("TRIBUTARY_HTTP_PORT", Integer.toString(http));
        env.put("TRIBUTARY_HOST", "127.0.0.1"); // loopback only in a test; the image binds 0.0.0.0
        List<String> entrypoint = new ArrayList<>(image.entrypoint());
        entrypoint.set(0, inImage(root, entrypoint.get(0)).toString());

        Path log = root.resolve("stdout.log");
        ProcessBuilder pb = new ProcessBuilder(entrypoint).directory(inImage(root, "/var/lib/tributary").toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process node = pb.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            int status = Poll.value(Duration.ofSeconds(90), "GET /ready = 200 from the image's entrypoint (log: " + log + ")",
                    () -> ready(client, http), s -> s == 200 || !node.isAlive());
            assertEquals(200, status, "the node exited:\n" + Files.readString(log));
            assertTrue(Files.readString(log).contains("Tributary node 1 started"), "logs on stdout");
            assertTrue(Files.exists(inImage(root, "/var/lib/tributary").resolve("meta.properties")),
                    "data in the volume's directory");

            List<String> health = new ArrayList<>(image.healthcheck());
            health.set(0, inImage(root, health.get(0)).toString());
            Processes.Result healthy = runWith(health, env);
            assertEquals(0, healthy.exitCode(), "HEALTHCHECK says healthy:\n" + healthy.all());

            node.destroy(); // SIGTERM, as docker stop sends
            assertTrue(node.waitFor(60, TimeUnit.SECONDS), "the node stops on SIGTERM");
            assertTrue(Files.readString(log).contains("stopped cleanly"), Files.readString(log));
            Processes.Result down = runWith(health, env);
            assertNotEquals(0, down.exitCode(), "HEALTHCHECK says unhealthy with the node down");
        } finally {
            if (node.isAlive()) {
                node.destroyForcibly();
            }
        }
    }

    private static Path inImage(Path root, String absolute) {
        return root.resolve(absolute.substring(1));
    }

    private static int ready(HttpClient client, int port) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static Processes.Result runWith(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Processes.Result(p.exitValue(), out, "");
    }
}
