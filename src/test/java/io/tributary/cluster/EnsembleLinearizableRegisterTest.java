package io.tributary.cluster;

import io.tributary.cluster.Linearizability.Op;
import io.tributary.testing.Poll;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Linearizability, checked (must-show 3): three clients, one starting on each node of a 3-JVM ensemble, run a
 * compare-and-set register workload on one znode (getData after sync, then setData with the version read)
 * while the leader is killed with kill -9 and later restarted. The recorded history (calls and returns in
 * one clock, unknown outcomes for lost connections) must pass {@link Linearizability}; the checker's own
 * test shows it rejects histories that are not linearizable.
 */
@UsesSharedCluster
class EnsembleLinearizableRegisterTest {
    static LocalCluster cluster;

    @BeforeAll
    static void up() {
        cluster = LocalCluster.ensemble();
    }

    @Test
    void casRegisterHistoryUnderLeaderKillIsLinearizable() throws Exception {
        try (ZooKeeper admin = EnsembleClient.connect(cluster, 10_000, 1, 2, 3)) {
            admin.create("/register", "init".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        List<Op> history = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        List<ZooKeeper> clients = new ArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int c = 1; c <= 3; c++) {
            ZooKeeper zk = EnsembleClient.connect(cluster, 10_000, c, c % 3 + 1, (c + 1) % 3 + 1);
            clients.add(zk);
            int client = c;
            Thread t = new Thread(() -> {
                try {
                    run(zk, client, history, stop);
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "register-client-" + c);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        try {
            Poll.until(Duration.ofSeconds(60), "150 operations before the fault", () -> history.size() >= 150);
            int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            cluster.run("kill", Integer.toString(leader));
            int atKill = history.size();
            Poll.until(Duration.ofSeconds(90), "150 operations after the leader was killed", () -> history.size() >= atKill + 150);
            cluster.run("start", Integer.toString(leader));
            cluster.awaitLeader(Duration.ofSeconds(120));
            int atRestart = history.size();
            Poll.until(Duration.ofSeconds(60), "100 operations after the restart", () -> history.size() >= atRestart + 100);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
            }
            clients.forEach(zk -> {
                try {
                    zk.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertTrue(errors.isEmpty(), errors.toString());
        long oks = history.stream().filter(o -> o.kind() == Linearizability.Kind.CAS && o.ok()).count();
        long reads = history.stream().filter(o -> o.kind() == Linearizability.Kind.READ).count();
        assertTrue(oks >= 20 && reads >= 100, "a meaningful history: " + oks + " successful CAS, " + reads + " reads");
        long started = System.nanoTime();
        boolean linearizable = Linearizability.check(new ArrayList<>(history), new Linearizability.State(0, "init"));
        assertTrue(linearizable, "history of " + history.size() + " operations is linearizable (checked in "
                + (System.nanoTime() - started) / 1_000_000 + " ms)");
    }

    /** One client: read (sync + getData), then CAS from the version read; outcomes recorded as seen. */
    private static void run(ZooKeeper zk, int client, List<Op> history, AtomicBoolean stop) throws Exception {
        int version = 0;
        for (int n = 0; !stop.get(); n++) {
            long t0 = System.nanoTime();
            try {
                EnsembleClient.sync(zk, "/register");
                Stat s = new Stat();
                byte[] data = zk.getData("/register", false, s);
                history.add(Op.read(client, t0, System.nanoTime(), s.getVersion(), new String(data, StandardCharsets.UTF_8)));
                version = s.getVersion();
            } catch (KeeperException e) {
                continue; // a failed read has no effect: left out of the history
            }
            String value = "c" + client + "-" + n;
            long t1 = System.nanoTime();
            try {
                zk.setData("/register", value.getBytes(StandardCharsets.UTF_8), version);
                history.add(Op.cas(client, t1, System.nanoTime(), version, value, true));
            } catch (KeeperException.BadVersionException e) {
                history.add(Op.cas(client, t1, System.nanoTime(), version, value, false));
            } catch (KeeperException e) {
                history.add(Op.unknownCas(client, t1, version, value)); // may or may not have happened
            }
        }
    }
}
