package io.tributary.client.zk;

import io.tributary.client.testing.ClientVertx;
import io.tributary.client.testing.ZkTarget;
import io.tributary.client.zk.recipes.Recipes;
import io.tributary.testing.Poll;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.tributary.client.zk.Await.done;
import static io.tributary.client.zk.Await.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ZooKeeper client runs on the event loops of the Vert.x instance it is given and starts no thread of its own,
 * and every signal of its streams arrives on its event loop. Run against the embedded Apache ZooKeeper, whose server
 * threads are all started (by a warm-up client on another Vert.x instance) before the threads are counted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ZkClientThreads {
    ZkTarget target;

    abstract ZkTarget target();

    @BeforeAll
    void start() {
        target = target();
    }

    @AfterAll
    void stop() {
        target.close();
    }

    /** Operations, watches and recipes: everything the client does. */
    static void exercise(ZkClient zk, String base) {
        get(zk.create(base, new byte[0], CreateMode.PERSISTENT));
        Collector<WatchEvent> recursive = Collector.of(zk.watch(base, WatchMode.PERSISTENT_RECURSIVE, true));
        Collector<WatchEvent> data = Collector.of(zk.watch(base, WatchMode.DATA, true));
        for (int i = 0; i < 50; i++) {
            get(zk.create(base + "/n" + i, new byte[10], CreateMode.EPHEMERAL_SEQUENTIAL));
            get(zk.setData(base, new byte[] {(byte) i}, -1));
        }
        get(zk.multi(List.of(ZkOp.create(base + "/m", new byte[0], CreateMode.PERSISTENT), ZkOp.delete(base + "/m", -1))));
        Recipes recipes = Recipes.of(zk);
        done(recipes.lock(base + "-lock").flatMapCompletable(l -> l.release()));
        done(recipes.leadership(base + "-election", "me").filter(b -> b).firstElement().ignoreElement());
        Poll.until(Duration.ofSeconds(20), "the watch events", () -> recursive.values().size() >= 101);
        recursive.cancel();
        data.cancel();
        assertTrue(data.values().size() >= 2, "data events: " + data.values());
        for (String t : recursive.threads()) {
            assertTrue(t.startsWith("vert.x-eventloop-thread-"), "a watch event arrived on " + t);
        }
    }

    @Test
    void operationsWatchesAndRecipesCreateNoThreadsBeyondTheVertxEventLoops() throws Exception {
        // Warm-up on an instance of its own: the in-process server starts its worker threads on first use.
        Vertx warmVertx = ClientVertx.create();
        ZkClient warm = ZkClient.create(warmVertx, new ZkClientOptions().connect(target.connect()));
        exercise(warm, "/warm");
        done(warm.close());
        ClientVertx.close(warmVertx);

        Vertx vertx = ClientVertx.create();
        try {
            var net = vertx.createNetClient();
            net.connect(target.port(), "127.0.0.1").compose(so -> so.close()).await(10, TimeUnit.SECONDS);
            net.close().await(10, TimeUnit.SECONDS);
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            String workersBefore = ClientVertx.workerThreadsEver(vertx);

            ZkClient zk = ZkClient.create(vertx, new ZkClientOptions().connect(target.connect()));
            exercise(zk, "/threads");
            done(zk.close());

            // No thread from this instance's worker pools; other instances' workers (a test node's) are not ours.
            assertEquals(workersBefore, ClientVertx.workerThreadsEver(vertx),
                    "threads ever started by the client's Vert.x worker and internal-blocking pools");
            Set<String> created = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                    .filter(t -> !(t instanceof io.vertx.core.impl.VertxThread v && v.isWorker()))
                    .map(Thread::getName).collect(Collectors.toSet());
            Set<String> notEventLoops = created.stream().filter(n -> !n.startsWith("vert.x-eventloop-thread-"))
                    .collect(Collectors.toSet());
            assertEquals(Set.of(), notEventLoops, "threads the client created besides Vert.x event loops");
            assertTrue(created.size() <= 2, "at most the instance's 2 event loops started: " + created);
        } finally {
            ClientVertx.close(vertx);
        }
    }
}
