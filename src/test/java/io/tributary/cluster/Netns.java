package io.tributary.cluster;

import io.tributary.testing.Processes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Network namespaces for partition tests (root only): node i lives in namespace {@code <tag>n<i>} with two
 * links, each a veth pair into a bridge in the test's namespace: a cluster link ({@code <net>.i}, Ratis and
 * Hazelcast) and a client link ({@code <clientNet>.i}, ZooKeeper/Kafka). Cutting node i's cluster link
 * ({@link #isolate}) partitions it from the other nodes while clients can still reach it. Private 10.x subnets
 * chosen at random and checked unused; everything is removed by {@link #close}.
 */
final class Netns implements AutoCloseable {
    final String tag;
    final String net;
    final String clientNet;
    private final int size;
    private final List<List<String>> undo = new ArrayList<>();

    private Netns(int size) {
        this.size = size;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        this.tag = "tr" + Integer.toHexString(0x1000 + r.nextInt(0xefff));
        int a = 200 + r.nextInt(50);
        int b = r.nextInt(120) * 2;
        this.net = "10." + a + "." + b;
        this.clientNet = "10." + a + "." + (b + 1);
    }

    /** Whether this process may create namespaces (root with ip(8)); tests are skipped otherwise. */
    static boolean available() {
        if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of("/usr/sbin/ip"))
                && !Files.isExecutable(Path.of("/sbin/ip"))) {
            return false;
        }
        String probe = "trprobe" + ThreadLocalRandom.current().nextInt(1000);
        boolean ok = Processes.run(List.of("ip", "netns", "add", probe), null, 10).exitCode() == 0;
        if (ok) {
            Processes.run(List.of("ip", "netns", "del", probe), null, 10);
        }
        return ok;
    }

    static Netns create(int size) {
        Netns n = new Netns(size);
        String routes = Processes.run(List.of("ip", "-o", "addr"), null, 10).stdout();
        if (routes.contains(n.net + ".") || routes.contains(n.clientNet + ".")) {
            return create(size); // subnet in use here: pick another
        }
        n.setUp();
        return n;
    }

    private void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(cmd, null, 20);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.all());
        }
    }

    private void setUp() {
        for (String[] br : new String[][]{{tag + "c", net}, {tag + "k", clientNet}}) {
            ip("link", "add", br[0], "type", "bridge");
            undo.add(List.of("link", "del", br[0]));
            ip("addr", "add", br[1] + ".254/24", "dev", br[0]);
            ip("link", "set", br[0], "up");
        }
        for (int i = 1; i <= size; i++) {
            String ns = tag + "n" + i;
            ip("netns", "add", ns);
            undo.add(0, List.of("netns", "del", ns));
            ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
            link(ns, tag + "c", "c" + i, net + "." + i);
            link(ns, tag + "k", "k" + i, clientNet + "." + i);
        }
    }

    /** veth {@code <tag><name>h} (bridge side) to {@code <tag><name>n} (in the namespace, with {@code address}). */
    private void link(String ns, String bridge, String name, String address) {
        String host = tag + name + "h";
        String inside = tag + name + "n";
        ip("link", "add", host, "type", "veth", "peer", "name", inside);
        ip("link", "set", inside, "netns", ns);
        ip("link", "set", host, "master", bridge);
        ip("link", "set", host, "up");
        ip("netns", "exec", ns, "ip", "addr", "add", address + "/24", "dev", inside);
        ip("netns", "exec", ns, "ip", "link", "set", inside, "up");
    }

    /** Cuts node i off from the other nodes (its cluster link goes down); clients still reach it. */
    void isolate(int node) {
        ip("link", "set", tag + "c" + node + "h", "down");
    }

    void heal(int node) {
        ip("link", "set", tag + "c" + node + "h", "up");
    }

    @Override
    public void close() {
        for (List<String> u : undo) {
            List<String> cmd = new ArrayList<>(List.of("ip"));
            cmd.addAll(u);
            Processes.run(cmd, null, 20); // best effort: a namespace's veth ends go with it
        }
    }
}
