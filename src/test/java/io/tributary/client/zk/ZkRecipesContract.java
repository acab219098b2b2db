package io.tributary.client.zk;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.subjects.CompletableSubject;
import io.tributary.client.testing.ClientVertx;
import io.tributary.client.testing.ZkTarget;
import io.tributary.client.zk.recipes.Recipes;
import io.tributary.client.zk.recipes.ZkLock;
import io.tributary.testing.Poll;
import io.vertx.core.Vertx;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tributary.client.zk.Await.done;
import static io.tributary.client.zk.Await.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recipes: mutual exclusion of the lock and of leadership under 10 contending clients (a shared holder count
 * checked on every entry, and the history of entries and exits checked afterwards), interoperation with Curator's
 * InterProcessMutex and LeaderLatch on the same paths, group membership and configuration values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ZkRecipesContract {
    static final int CONTENDERS = 10;
    ZkTarget target;
    Vertx vertx;
    List<ZkClient> clients = new ArrayList<>();

    abstract ZkTarget target();

    @BeforeAll
    void start() {
        target = target();
        vertx = ClientVertx.create();
        for (int i = 0; i < CONTENDERS; i++) {
            ZkClient c = ZkClient.create(vertx, new ZkClientOptions().connect(target.connect()).sessionTimeoutMs(10_000));
            clients.add(c);
        }
        clients.forEach(c -> done(c.connected()));
    }

    @AfterAll
    void stop() {
        clients.forEach(c -> c.close().blockingAwait(10, TimeUnit.SECONDS));
        ClientVertx.close(vertx);
        target.close();
    }

    CuratorFramework curator() {
        CuratorFramework c = CuratorFrameworkFactory.newClient(target.connect(), 10_000, 10_000, new RetryNTimes(5, 100));
        c.start();
        return c;
    }

    /** Entries and exits of a critical section, checked as they happen and as a history afterwards. */
    static final class Exclusion {
        final AtomicInteger holders = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final ConcurrentLinkedQueue<String> history = new ConcurrentLinkedQueue<>();

        void enter(String who) {
            if (holders.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            history.add("enter " + who);
        }

        void exit(String who) {
            history.add("exit " + who);
            holders.decrementAndGet();
        }

        /** Every entry is followed by the same holder's exit before the next entry. */
        void check(int entries) {
            assertEquals(0, overlaps.get(), "two holders at once: " + history);
            List<String> h = new ArrayList<>(history);
            assertEquals(2 * entries, h.size(), "entries and exits: " + h);
            for (int i = 0; i < h.size(); i += 2) {
                assertTrue(h.get(i).startsWith("enter "), "entry expected at " + i + ": " + h);
                assertEquals("exit " + h.get(i).substring(6), h.get(i + 1), "the holder exits before the next entry");
            }
        }
    }

    static void await(Collection<CompletableSubject> done) {
        done(Completable.merge(done));
    }

    @Test
    void theLockIsMutuallyExclusiveAcrossTenContendingClients() {
        Exclusion x = new Exclusion();
        List<CompletableSubject> finished = new ArrayList<>();
        int rounds = 3;
        for (int i = 0; i < CONTENDERS; i++) {
            ZkClient zk = clients.get(i);
            String who = "c" + i;
            CompletableSubject f = CompletableSubject.create();
            finished.add(f);
            Completable oneRound = Recipes.of(zk).lock("/recipes/lock").flatMapCompletable(lock -> {
                x.enter(who);
                // Hold it across a round trip, so an overlap would have time to show.
                return zk.exists("/").ignoreElement().andThen(Completable.defer(() -> {
                    x.exit(who);
                    return lock.release();
                }));
            });
            oneRound.repeat(rounds).subscribe(f);
        }
        await(finished);
        x.check(CONTENDERS * rounds);
        assertEquals(List.of(), childrenOrNone(clients.get(0), "/recipes/lock"), "every lock node released");
    }

    @Test
    void leadershipHasAtMostOneLeaderAtATimeAcrossTenParticipants() {
        Exclusion x = new Exclusion();
        List<CompletableSubject> finished = new ArrayList<>();
        for (int i = 0; i < CONTENDERS; i++) {
            ZkClient zk = clients.get(i);
            String who = "p" + i;
            CompletableSubject stepDown = CompletableSubject.create();
            finished.add(stepDown);
            Recipes.of(zk).leadership("/recipes/election", who).takeUntil(stepDown.toFlowable())
                    .filter(leader -> leader)
                    .subscribe(leader -> {
                        x.enter(who);
                        zk.exists("/").subscribe(st -> {
                            x.exit(who);
                            stepDown.onComplete(); // disposes the participation: its node goes, the next one leads
                        }, stepDown::onError);
                    }, stepDown::onError);
        }
        await(finished);
        x.check(CONTENDERS);
        Poll.until(Duration.ofSeconds(10), "every participant's node is gone",
                () -> childrenOrNone(clients.get(0), "/recipes/election").isEmpty());
    }

    @Test
    void curatorsInterProcessMutexAndThisClientsLockExcludeEachOther() throws Exception {
        Exclusion x = new Exclusion();
        int rounds = 3;
        List<CuratorFramework> curators = List.of(curator(), curator(), curator());
        ExecutorService threads = Executors.newFixedThreadPool(curators.size());
        try {
            List<CompletableSubject> finished = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ZkClient zk = clients.get(i);
                String who = "rx" + i;
                CompletableSubject f = CompletableSubject.create();
                finished.add(f);
                Recipes.of(zk).lock("/recipes/mixed").flatMapCompletable(lock -> {
                    assertTrue(lock.node().matches("/recipes/mixed/_c_[0-9a-f-]{36}-lock-\\d{10}"), lock.node());
                    x.enter(who);
                    return zk.exists("/").ignoreElement().andThen(Completable.defer(() -> {
                        x.exit(who);
                        return lock.release();
                    }));
                }).repeat(rounds).subscribe(f);
            }
            List<Future<?>> curatorDone = new ArrayList<>();
            for (int i = 0; i < curators.size(); i++) {
                InterProcessMutex mutex = new InterProcessMutex(curators.get(i), "/recipes/mixed");
                String who = "curator" + i;
                curatorDone.add(threads.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        assertTrue(mutex.acquire(30, TimeUnit.SECONDS), who + " acquires");
                        x.enter(who);
                        curators.get(0).checkExists().forPath("/");
                        x.exit(who);
                        mutex.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : curatorDone) {
                f.get(60, TimeUnit.SECONDS);
            }
            await(finished);
            x.check(6 * rounds);
        } finally {
            threads.shutdownNow();
            curators.forEach(CuratorFramework::close);
        }
    }

    @Test
    void curatorsLeaderLatchAndThisClientsLeadershipShareOneElection() throws Exception {
        ZkClient zk = clients.get(0);
        List<Boolean> ours = new java.util.concurrent.CopyOnWriteArrayList<>();
        var participation = Recipes.of(zk).leadership("/recipes/latch", "rx-first").subscribe(ours::add);
        Poll.until(Duration.ofSeconds(10), "this client leads", () -> ours.contains(true));
        try (CuratorFramework curator = curator()) {
            LeaderLatch latch = new LeaderLatch(curator, "/recipes/latch", "curator");
            latch.start();
            Poll.until(Duration.ofSeconds(10), "Curator sees the election", () -> {
                try {
                    return latch.getParticipants().size() == 2;
                } catch (Exception e) {
                    return false;
                }
            });
            assertFalse(latch.hasLeadership(), "Curator waits behind this client");
            assertEquals("rx-first", latch.getLeader().getId(), "Curator reads this client's participant id");
            participation.dispose();
            assertTrue(latch.await(20, TimeUnit.SECONDS), "Curator leads once this client left");

            List<Boolean> second = new java.util.concurrent.CopyOnWriteArrayList<>();
            var again = Recipes.of(clients.get(1)).leadership("/recipes/latch", "rx-second").subscribe(second::add);
            Poll.until(Duration.ofSeconds(10), "the second participant queues", () -> {
                try {
                    return latch.getParticipants().size() == 2;
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(List.of(false), second, "no leadership while Curator leads");
            latch.close(); // deletes Curator's node: the next in the queue leads
            Poll.until(Duration.ofSeconds(20), "this client leads after Curator", () -> second.contains(true));
            again.dispose();
        }
    }

    @Test
    void membershipShowsMembersJoiningAndLeaving() {
        Collector<Set<String>> seen = Collector.of(Recipes.of(clients.get(0)).members("/recipes/group"));
        Poll.until(Duration.ofSeconds(10), "the empty group", () -> seen.values().contains(Set.of()));
        Collector<Set<String>> m1 = Collector.of(Recipes.of(clients.get(1)).membership("/recipes/group", "m1", null));
        Poll.until(Duration.ofSeconds(10), "m1 joins", () -> seen.values().contains(Set.of("m1")));
        Collector<Set<String>> m2 = Collector.of(Recipes.of(clients.get(2)).membership("/recipes/group", "m2", null));
        Poll.until(Duration.ofSeconds(10), "m2 joins", () -> seen.values().contains(Set.of("m1", "m2")));
        Poll.until(Duration.ofSeconds(10), "members see each other", () -> m1.values().contains(Set.of("m1", "m2")));
        m1.cancel();
        Poll.until(Duration.ofSeconds(10), "m1 leaves", () -> seen.values().get(seen.values().size() - 1).equals(Set.of("m2")));
        m2.cancel();
        Poll.until(Duration.ofSeconds(10), "m2 leaves", () -> seen.values().get(seen.values().size() - 1).equals(Set.of()));
        assertEquals(List.of(), seen.errors());
        seen.cancel();
    }

    @Test
    void aConfigurationValueStreamsItsCurrentValueThenEachNewOne() {
        ZkClient zk = clients.get(0);
        Collector<byte[]> values = Collector.of(Recipes.of(zk).config("/recipes/config"));
        get(clients.get(1).create("/recipes/config", "a".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT));
        Poll.until(Duration.ofSeconds(10), "the first value", () -> values.values().size() == 1);
        get(clients.get(1).setData("/recipes/config", "b".getBytes(StandardCharsets.UTF_8), -1));
        Poll.until(Duration.ofSeconds(10), "the new value", () -> values.values().size() == 2);
        assertEquals(List.of("a", "b"), values.values().stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList());
        values.cancel();
    }

    @Test
    void disposingAWaitingLockLeavesTheQueueAndAHeldLockReleasesOnDispose() {
        Recipes a = Recipes.of(clients.get(0));
        ZkLock held = get(a.lock("/recipes/wait"));
        var waiting = Recipes.of(clients.get(1)).lock("/recipes/wait").subscribe(l -> { }, e -> { });
        Poll.until(Duration.ofSeconds(10), "the second contender queues",
                () -> get(clients.get(2).getChildren("/recipes/wait")).size() == 2);
        waiting.dispose();
        Poll.until(Duration.ofSeconds(10), "the disposed contender's node goes",
                () -> get(clients.get(2).getChildren("/recipes/wait")).size() == 1);
        List<ZkLock> third = new java.util.concurrent.CopyOnWriteArrayList<>();
        Recipes.of(clients.get(2)).lock("/recipes/wait").subscribe(l -> third.add(l), e -> { });
        Poll.until(Duration.ofSeconds(10), "the third contender queues",
                () -> get(clients.get(2).getChildren("/recipes/wait")).size() == 2);
        assertTrue(third.isEmpty(), "no lock while the first holds it");
        held.dispose();
        Poll.until(Duration.ofSeconds(10), "the third gets the lock once the first disposed its lock", () -> !third.isEmpty());
        done(third.get(0).release());
        assertEquals(List.of(), childrenOrNone(clients.get(0), "/recipes/wait"));
    }

    /**
     * The children of a recipe's parent, none when the parent is gone: the recipes create parents as containers
     * (as Curator does), which the server deletes once their last child went.
     */
    private static List<String> childrenOrNone(ZkClient zk, String path) {
        return get(zk.getChildren(path).onErrorResumeNext(e -> e instanceof ZkException z && z.code() == -101
                ? io.reactivex.rxjava3.core.Single.just(List.of()) : io.reactivex.rxjava3.core.Single.error(e)));
    }
}
