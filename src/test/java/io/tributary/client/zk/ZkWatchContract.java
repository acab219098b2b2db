package io.tributary.client.zk;

import io.tributary.client.testing.ClientVertx;
import io.tributary.client.testing.ZkTarget;
import io.tributary.testing.Poll;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tributary.client.zk.Await.done;
import static io.tributary.client.zk.Await.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Watches as streams: what each mode emits, in which order, and how each treats a subscriber without demand. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ZkWatchContract {
    ZkTarget target;
    Vertx vertx;
    ZkClient zk;

    abstract ZkTarget target();

    @BeforeAll
    void start() {
        target = target();
        vertx = ClientVertx.create();
        zk = ZkClient.create(vertx, new ZkClientOptions().connect(target.connect()).sessionTimeoutMs(10_000));
        done(zk.connected());
    }

    @AfterAll
    void stop() {
        zk.close().blockingAwait(10, TimeUnit.SECONDS);
        ClientVertx.close(vertx);
        target.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Waits for the subscriber's n-th value and returns it. */
    static WatchEvent await(Collector<WatchEvent> ts, int n) {
        Poll.until(Duration.ofSeconds(20), n + " events (have " + ts.values() + ")", () -> ts.values().size() >= n
                || !ts.errors().isEmpty());
        assertEquals(List.of(), ts.errors(), "the stream failed");
        return ts.values().get(n - 1);
    }

    static void assertZxidsNeverDecrease(List<WatchEvent> events) {
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).zxid() >= events.get(i - 1).zxid(), "zxid order at " + i + ": " + events);
        }
    }

    @Test
    void dataStreamStartsWithTheCurrentStateAndSeesEveryChangeItIsGivenTimeFor() {
        get(zk.create("/wd", b("v0"), CreateMode.PERSISTENT));
        Collector<WatchEvent> ts = Collector.of(zk.watch("/wd", WatchMode.DATA, true));
        WatchEvent initial = await(ts, 1);
        assertEquals(WatchEvent.Type.INITIAL, initial.type());
        assertEquals("v0", s(initial.data()));
        assertEquals(0, initial.stat().getVersion());

        get(zk.setData("/wd", b("v1"), 0));
        WatchEvent changed = await(ts, 2);
        assertEquals(WatchEvent.Type.DATA_CHANGED, changed.type());
        assertEquals("v1", s(changed.data()));
        assertEquals(changed.stat().getMzxid(), changed.zxid());

        done(zk.delete("/wd", 1));
        assertEquals(WatchEvent.Type.DELETED, await(ts, 3).type());
        assertFalse(ts.values().get(2).exists());
        get(zk.create("/wd", b("again"), CreateMode.PERSISTENT));
        WatchEvent created = await(ts, 4);
        assertEquals(WatchEvent.Type.CREATED, created.type());
        assertEquals("again", s(created.data()));
        assertZxidsNeverDecrease(ts.values());
        ts.cancel();
    }

    @Test
    void dataStreamOfAMissingNodeStartsAbsentAndSeesItsCreation() {
        Collector<WatchEvent> ts = Collector.of(zk.watch("/wd-missing", WatchMode.DATA, true));
        WatchEvent initial = await(ts, 1);
        assertEquals(WatchEvent.Type.INITIAL, initial.type());
        assertFalse(initial.exists());
        get(zk.create("/wd-missing", b("here"), CreateMode.EPHEMERAL));
        WatchEvent created = await(ts, 2);
        assertEquals(WatchEvent.Type.CREATED, created.type());
        assertEquals("here", s(created.data()));
        ts.cancel();
    }

    @Test
    void childrenStreamSeesEveryChildListChange() {
        get(zk.create("/wc", b(""), CreateMode.PERSISTENT));
        Collector<WatchEvent> ts = Collector.of(zk.watch("/wc", WatchMode.CHILDREN, true));
        assertEquals(List.of(), await(ts, 1).children());
        get(zk.create("/wc/b", b(""), CreateMode.PERSISTENT));
        assertEquals(List.of("b"), await(ts, 2).children());
        get(zk.create("/wc/a", b(""), CreateMode.PERSISTENT));
        WatchEvent two = await(ts, 3);
        assertEquals(WatchEvent.Type.CHILDREN_CHANGED, two.type());
        assertEquals(List.of("a", "b"), two.children(), "sorted names");
        get(zk.setData("/wc", b("data changes are not child changes"), -1));
        done(zk.delete("/wc/b", -1));
        assertEquals(List.of("a"), await(ts, 4).children());
        assertEquals(4, ts.values().size(), "the data change emitted nothing: " + ts.values());
        assertZxidsNeverDecrease(ts.values());
        ts.cancel();
    }

    @Test
    void aDataStreamWithoutDemandCollapsesToTheLatestStateInsteadOfBuffering() {
        get(zk.create("/wslow", b("0"), CreateMode.PERSISTENT));
        Collector<WatchEvent> ts = Collector.of(zk.watch("/wslow", WatchMode.DATA, true), 1);
        assertEquals("0", s(await(ts, 1).data()));
        for (int i = 1; i <= 300; i++) {
            get(zk.setData("/wslow", b(Integer.toString(i)), -1));
        }
        ts.request(1);
        WatchEvent latest = await(ts, 2);
        assertEquals("300", s(latest.data()), "one event, carrying the newest state");
        assertEquals(300, latest.stat().getVersion());
        get(zk.setData("/wslow", b("next"), -1));
        ts.request(1);
        assertEquals("next", s(await(ts, 3).data()), "no stale state was queued behind the latest");
        assertEquals(3, ts.values().size());
        ts.cancel();
    }

    @Test
    void recursiveStreamSeesEveryChangeOfTheSubtreeInZxidOrder() {
        get(zk.create("/wr", b(""), CreateMode.PERSISTENT));
        Collector<WatchEvent> ts = Collector.of(zk.watch("/wr", WatchMode.PERSISTENT_RECURSIVE, true));
        WatchEvent initial = await(ts, 1);
        assertEquals(WatchEvent.Type.INITIAL, initial.type());
        assertTrue(initial.exists());
        get(zk.create("/wr/a", b(""), CreateMode.PERSISTENT));
        get(zk.create("/wr/a/b", b(""), CreateMode.PERSISTENT));
        get(zk.setData("/wr/a/b", b("x"), -1));
        done(zk.delete("/wr/a/b", -1));
        get(zk.multi(List.of(ZkOp.create("/wr/m1", b(""), CreateMode.PERSISTENT),
                ZkOp.create("/wr/m2", b(""), CreateMode.PERSISTENT))));
        get(zk.setData("/wr", b("root"), -1));
        get(zk.create("/elsewhere", b(""), CreateMode.PERSISTENT));
        await(ts, 8);
        List<String> seen = new ArrayList<>();
        for (WatchEvent e : ts.values().subList(1, ts.values().size())) {
            seen.add(e.type() + " " + e.path());
        }
        assertEquals(List.of("CREATED /wr/a", "CREATED /wr/a/b", "DATA_CHANGED /wr/a/b", "DELETED /wr/a/b",
                "CREATED /wr/m1", "CREATED /wr/m2", "DATA_CHANGED /wr"), seen);
        assertEquals(ts.values().get(5).zxid(), ts.values().get(6).zxid(), "one multi, one zxid");
        assertTrue(ts.values().get(1).zxid() > initial.zxid());
        assertZxidsNeverDecrease(ts.values());
        ts.cancel();
    }

    @Test
    void persistentStreamSeesTheNodeAndItsChildListButNotGrandchildren() {
        get(zk.create("/wp", b(""), CreateMode.PERSISTENT));
        Collector<WatchEvent> ts = Collector.of(zk.watch("/wp", WatchMode.PERSISTENT));
        get(zk.create("/wp/c", b(""), CreateMode.PERSISTENT));
        get(zk.create("/wp/c/g", b(""), CreateMode.PERSISTENT));
        get(zk.setData("/wp", b("d"), -1));
        await(ts, 2);
        assertEquals(WatchEvent.Type.CHILDREN_CHANGED, ts.values().get(0).type());
        assertEquals(WatchEvent.Type.DATA_CHANGED, ts.values().get(1).type());
        assertEquals("/wp", ts.values().get(1).path());
        assertNull(ts.values().get(0).data(), "event streams carry no data");
        ts.cancel();
    }

    @Test
    void aPersistentStreamWithoutDemandFailsWithOverflowInsteadOfGrowingWithoutBound() {
        ZkClient small = ZkClient.create(vertx, new ZkClientOptions().connect(target.connect()).watchBufferSize(5));
        try {
            get(small.create("/wo", b(""), CreateMode.PERSISTENT));
            Collector<WatchEvent> ts = Collector.of(small.watch("/wo", WatchMode.PERSISTENT_RECURSIVE), 2);
            for (int i = 0; i < 10; i++) {
                get(small.create("/wo/n" + i, b(""), CreateMode.PERSISTENT));
            }
            Poll.until(Duration.ofSeconds(20), "the overflow error", () -> !ts.errors().isEmpty());
            assertInstanceOf(WatchOverflowException.class, ts.errors().get(0));
            assertEquals(2, ts.values().size(), "the events asked for were delivered first");
            assertEquals("/wo/n0", ts.values().get(0).path());
        } finally {
            small.close().blockingAwait(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void disposingAPersistentStreamRemovesItsWatchFromTheServer() {
        get(zk.create("/wx", b(""), CreateMode.PERSISTENT));
        for (WatchMode mode : List.of(WatchMode.PERSISTENT, WatchMode.PERSISTENT_RECURSIVE)) {
            Collector<WatchEvent> ts = Collector.of(zk.watch("/wx", mode));
            get(zk.setData("/wx", b("seen"), -1));
            assertEquals(WatchEvent.Type.DATA_CHANGED, await(ts, 1).type(), "registered: " + mode);
            long before = get(zk.unroutedNotifications());
            ts.cancel();
            get(zk.getData("/wx")); // RemoveWatches is on the wire before this read (one FIFO)
            get(zk.setData("/wx", b("unseen"), -1));
            get(zk.getData("/wx")); // a notification would arrive before this read's answer
            assertEquals(before, get(zk.unroutedNotifications()), "the server still sent " + mode + " events");
        }
    }

    @Test
    void theInitialStateAndTheEventsAfterItAccountForEveryConcurrentWriteExactlyOnce() {
        ZkClient writer = ZkClient.create(vertx, new ZkClientOptions().connect(target.connect()));
        try {
            get(writer.create("/wi", b(""), CreateMode.PERSISTENT));
            int writes = 300;
            // One write after another from another session, racing the watch registration and the initial read,
            // which start once a third of them is done.
            java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
            var allWritten = io.reactivex.rxjava3.core.Flowable.range(1, writes)
                    .concatMapSingle(i -> writer.setData("/wi", b(Integer.toString(i)), -1))
                    .doOnNext(st -> written.incrementAndGet()).ignoreElements().cache();
            allWritten.subscribe(() -> { }, e -> { });
            Poll.until(Duration.ofSeconds(20), "a third of the writes", () -> written.get() >= writes / 3);
            Collector<WatchEvent> ts = Collector.of(zk.watch("/wi", WatchMode.PERSISTENT, true));
            done(allWritten);
            WatchEvent initial = await(ts, 1);
            int seenInInitial = initial.stat().getVersion();
            get(zk.getData("/wi")); // every notification of the writes precedes this answer on the watcher's connection
            List<WatchEvent> after = ts.values().subList(1, ts.values().size());
            assertEquals(writes - seenInInitial, after.size(), "one event per write after the initial state (version "
                    + seenInInitial + ")");
            assertTrue(after.stream().allMatch(e -> e.type() == WatchEvent.Type.DATA_CHANGED && e.zxid() > initial.zxid()));
            assertZxidsNeverDecrease(ts.values());
            ts.cancel();
        } finally {
            writer.close().blockingAwait(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void streamsSharingAServerWatchKeepItUntilTheLastIsDisposed() {
        get(zk.create("/wsh", b(""), CreateMode.PERSISTENT));
        Collector<WatchEvent> first = Collector.of(zk.watch("/wsh", WatchMode.PERSISTENT));
        Collector<WatchEvent> second = Collector.of(zk.watch("/wsh", WatchMode.PERSISTENT));
        get(zk.setData("/wsh", b("1"), -1));
        await(first, 1);
        await(second, 1);
        first.cancel();
        get(zk.setData("/wsh", b("2"), -1));
        assertEquals(WatchEvent.Type.DATA_CHANGED, await(second, 2).type(), "the remaining stream still hears");
        assertEquals(1, first.values().size(), "nothing after cancel");
        second.cancel();
    }
}
