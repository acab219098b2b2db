import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The coordination benchmark's load tool, run unchanged against Apache ZooKeeper and Tributary with the
 * ZooKeeper 3.9 Java client.
 *
 * <pre>
 * java -cp 'zk-libs/*:zk-load' ZkLoad HOST:PORT SCENARIO COUNT [CLIENTS] [INFLIGHT] [SIZE]
 *   create  COUNT async creates of new SIZE-byte persistent znodes
 *   set     COUNT async setData calls over 1,000 existing znodes (created first, not timed)
 *   get     COUNT async getData calls over the same znodes
 *   watch   COUNT sequential round trips: client A arms a data watch, client B sets the data,
 *           latency = B's send to A's event; the first WARMUP round trips (system property
 *           zkload.warmup, default 2000) are not counted, so both JVMs' JIT work is done before timing
 * </pre>
 * CLIENTS sessions (default 4) each keep INFLIGHT requests outstanding (default 250). Prints one line
 * starting with RESULT; exits non-zero if any request failed.
 */
public final class ZkLoad {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ZkLoad HOST:PORT create|set|get|watch COUNT [CLIENTS] [INFLIGHT] [SIZE]");
            System.exit(2);
        }
        String connect = args[0];
        String scenario = args[1];
        int count = Integer.parseInt(args[2]);
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int inflight = args.length > 4 ? Integer.parseInt(args[4]) : 250;
        int size = args.length > 5 ? Integer.parseInt(args[5]) : 100;
        List<ZooKeeper> zks = new ArrayList<>();
        for (int i = 0; i < Math.max(clients, 2); i++) {
            zks.add(connect(connect));
        }
        ensure(zks.get(0), "/bench");
        String run = "/bench/" + scenario + "-" + System.nanoTime();
        ensure(zks.get(0), run);
        int code;
        if (scenario.equals("watch")) {
            code = watch(zks.get(0), zks.get(1), run, count);
        } else {
            code = throughput(zks.subList(0, clients), scenario, run, count, inflight, new byte[size]);
        }
        for (ZooKeeper zk : zks) {
            zk.close();
        }
        System.exit(code);
    }

    static ZooKeeper connect(String connect) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 30_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        });
        if (!up.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not connect to " + connect);
        }
        return zk;
    }

    static void ensure(ZooKeeper zk, String path) throws Exception {
        try {
            zk.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // already there
        }
    }

    static int throughput(List<ZooKeeper> zks, String scenario, String run, int count, int inflight, byte[] data)
            throws Exception {
        int keys = 1000;
        if (!scenario.equals("create")) {
            for (int i = 0; i < keys; i++) {
                zks.get(0).create(run + "/k" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
        }
        AtomicLong errors = new AtomicLong();
        CountDownLatch done = new CountDownLatch(count);
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < zks.size(); c++) {
            ZooKeeper zk = zks.get(c);
            int client = c;
            Semaphore window = new Semaphore(inflight);
            Thread t = new Thread(() -> {
                AsyncCallback.StringCallback created = (rc, path, ctx, name) -> finish(rc, errors, window, done);
                AsyncCallback.StatCallback set = (rc, path, ctx, stat) -> finish(rc, errors, window, done);
                AsyncCallback.DataCallback got = (rc, path, ctx, d, stat) -> finish(rc, errors, window, done);
                for (int i = client; i < count; i += zks.size()) {
                    window.acquireUninterruptibly();
                    switch (scenario) {
                        case "create" -> zk.create(run + "/c" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, created, null);
                        case "set" -> zk.setData(run + "/k" + (i % keys), data, -1, set, null);
                        case "get" -> zk.getData(run + "/k" + (i % keys), false, got, null);
                        default -> throw new IllegalArgumentException("unknown scenario " + scenario);
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        if (!done.await(600, TimeUnit.SECONDS)) {
            System.out.println("RESULT scenario=" + scenario + " timeout");
            return 1;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf("RESULT scenario=%s ops=%d seconds=%.3f ops_per_sec=%.1f errors=%d clients=%d inflight=%d%n",
                scenario, count, seconds, count / seconds, errors.get(), zks.size(), inflight);
        return errors.get() == 0 ? 0 : 1;
    }

    static void finish(int rc, AtomicLong errors, Semaphore window, CountDownLatch done) {
        if (rc != 0) {
            errors.incrementAndGet();
        }
        window.release();
        done.countDown();
    }

    static int watch(ZooKeeper a, ZooKeeper b, String run, int count) throws Exception {
        String path = run + "/w";
        a.create(path, new byte[8], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        long[] micros = new long[count];
        AtomicLong errors = new AtomicLong();
        int warmup = Integer.getInteger("zkload.warmup", 2000);
        for (int i = 0; i < count + warmup; i++) {
            CountDownLatch fired = new CountDownLatch(1);
            long[] at = new long[1];
            a.getData(path, e -> {
                at[0] = System.nanoTime();
                fired.countDown();
            }, null);
            long t0 = System.nanoTime();
            b.setData(path, new byte[8], -1, (rc, p, ctx, stat) -> {
                if (rc != 0) {
                    errors.incrementAndGet();
                }
            }, null);
            if (!fired.await(30, TimeUnit.SECONDS)) {
                System.out.println("RESULT scenario=watch timeout");
                return 1;
            }
            if (i >= warmup) {
                micros[i - warmup] = (at[0] - t0) / 1000;
            }
        }
        Arrays.sort(micros);
        double mean = Arrays.stream(micros).average().orElse(0);
        System.out.printf("RESULT scenario=watch n=%d p50_us=%d p99_us=%d mean_us=%.1f errors=%d%n",
                count, micros[count / 2], micros[(int) Math.min(count - 1, Math.ceil(count * 0.99) - 1)], mean, errors.get());
        return errors.get() == 0 ? 0 : 1;
    }
}
