package io.tributary.client.zk;

import io.tributary.client.testing.ClientVertx;
import io.tributary.client.testing.CuttableProxy;
import io.tributary.client.testing.ZkTarget;
import io.tributary.testing.Poll;
import io.tributary.testing.TestNode;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.tributary.client.zk.Await.done;
import static io.tributary.client.zk.Await.get;
import static io.tributary.client.zk.Await.orNull;
import static io.tributary.client.zk.Await.zkError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions across connections: server restarts (the client reconnects with the same session, its ephemerals and its
 * watches), a dead server in the connect string, expiry, close. Restarts the target, so it has one of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ZkSessionContract {
    ZkTarget target;
    Vertx vertx;

    abstract ZkTarget target();

    @BeforeAll
    void start() {
        target = target();
        vertx = ClientVertx.create();
    }

    @AfterAll
    void stop() {
        ClientVertx.close(vertx);
        target.close();
    }

    ZkClient client(String connect) {
        ZkClient c = ZkClient.create(vertx, new ZkClientOptions().connect(connect).sessionTimeoutMs(20_000));
        done(c.connected());
        return c;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Creates {@code path}, retrying a lost connection; NODEEXISTS on a retry means the lost attempt was applied. */
    static void createSurely(ZkClient zk, String path) {
        boolean retried = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                get(zk.create(path, b(""), CreateMode.PERSISTENT));
                return;
            } catch (AssertionError e) {
                if (e.getCause() instanceof ZkException z && z.isConnectionLoss() && System.nanoTime() < deadline) {
                    retried = true;
                    done(zk.connected());
                } else if (retried && e.getCause() instanceof ZkException z && z.code() == ZkException.NODEEXISTS) {
                    return;
                } else {
                    throw e;
                }
            }
        }
    }

    static boolean reconnectedAfterDisconnect(List<SessionState> states) {
        int d = states.indexOf(SessionState.DISCONNECTED);
        return d >= 0 && states.subList(d, states.size()).contains(SessionState.CONNECTED);
    }

    @Test
    void aRecursiveStreamSeesEverySubtreeChangeInZxidOrderAcrossAServerRestart() {
        ZkClient watcher = client(target.connect());
        ZkClient writer = client(target.connect());
        try {
            get(writer.create("/rs", b(""), CreateMode.PERSISTENT));
            get(writer.create("/rs-config", b("before"), CreateMode.PERSISTENT));
            long session = watcher.sessionId();
            Collector<WatchEvent> events = Collector.of(watcher.watch("/rs", WatchMode.PERSISTENT_RECURSIVE, true));
            Collector<WatchEvent> config = Collector.of(watcher.watch("/rs-config", WatchMode.DATA, true));
            Collector<SessionState> states = Collector.of(watcher.sessionStates());
            Poll.until(Duration.ofSeconds(20), "the initial events", () -> events.values().size() == 1
                    && config.values().size() == 1);
            for (int i = 0; i < 40; i++) {
                createSurely(writer, "/rs/n-" + i);
            }
            Poll.until(Duration.ofSeconds(20), "40 creations seen", () -> events.values().size() == 41);

            target.restart();
            // ZooKeeper replays nothing for persistent watches: a write is safe from loss once the watcher's
            // re-registration is acknowledged, which is what CONNECTED announces.
            Poll.until(Duration.ofSeconds(30), "the watcher reconnects: " + states.values(),
                    () -> reconnectedAfterDisconnect(states.values()));
            for (int i = 40; i < 80; i++) {
                createSurely(writer, "/rs/n-" + i);
            }
            get(writer.setData("/rs-config", b("after"), -1));
            Poll.until(Duration.ofSeconds(30), "80 creations seen (have " + events.values().size() + ")",
                    () -> events.values().size() >= 81);
            Poll.until(Duration.ofSeconds(30), "the one-shot data watch was restored by SetWatches2",
                    () -> config.values().size() >= 2);

            assertEquals(List.of(), events.errors());
            assertEquals(session, watcher.sessionId(), "the same session after the restart");
            List<WatchEvent> seen = events.values().subList(1, events.values().size());
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                expected.add("CREATED /rs/n-" + i);
            }
            assertEquals(expected, seen.stream().map(e -> e.type() + " " + e.path()).toList(),
                    "every creation once, in order");
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i).zxid() > seen.get(i - 1).zxid(), "zxids increase at " + i + ": " + seen);
            }
            assertEquals("after", new String(config.values().get(config.values().size() - 1).data(), StandardCharsets.UTF_8));
        } finally {
            watcher.close().blockingAwait(10, TimeUnit.SECONDS);
            writer.close().blockingAwait(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void pingsKeepAnIdleSessionConnectedForManyTimesItsTimeout() {
        ZkClient zk = ZkClient.create(vertx, new ZkClientOptions().connect(target.connect()).sessionTimeoutMs(3_000));
        try {
            done(zk.connected());
            assertEquals(3_000, zk.negotiatedTimeoutMs());
            long session = zk.sessionId();
            Collector<SessionState> states = Collector.of(zk.sessionStates());
            Poll.until(Duration.ofSeconds(10), "the current state", () -> !states.values().isEmpty());
            // Idle for two session timeouts: without pings the server would expire the session, and without
            // answers to them the client would give the connection up after two thirds of a timeout.
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * 3_000);
            Poll.until(Duration.ofSeconds(20), "two idle session timeouts",
                    () -> System.nanoTime() > end || !states.values().equals(List.of(SessionState.CONNECTED)));
            assertEquals(List.of(SessionState.CONNECTED), states.values(), "no disconnection while idle");
            assertNotNull(get(zk.exists("/")));
            assertEquals(session, zk.sessionId());
        } finally {
            zk.close().blockingAwait(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSessionKeepsItsEphemeralsAcrossAReconnectAndSkipsADeadServer() {
        String withDeadServer = "127.0.0.1:" + TestNode.freePort() + "," + target.connect();
        ZkClient zk = client(withDeadServer);
        ZkClient observer = client(target.connect());
        try {
            Collector<SessionState> states = Collector.of(zk.sessionStates());
            long session = zk.sessionId();
            get(zk.create("/eph-kept", b(""), CreateMode.EPHEMERAL));
            done(zk.addDigest("bob", "pw"));
            get(zk.create("/bobs", b("private"), List.of(new org.apache.zookeeper.data.ACL(Acls.ALL,
                    Acls.digestId("bob", "pw"))), CreateMode.PERSISTENT));
            target.restart();
            Poll.until(Duration.ofSeconds(30), "a reconnect: " + states.values(),
                    () -> reconnectedAfterDisconnect(states.values()));
            assertEquals(session, zk.sessionId());
            assertEquals(session, get(observer.exists("/eph-kept")).getEphemeralOwner(), "the ephemeral is still the session's");
            get(zk.setData("/eph-kept", b("still mine"), -1));
            assertEquals("private", new String(get(zk.getData("/bobs")).data(), StandardCharsets.UTF_8),
                    "credentials are re-sent on the new connection");
            zkError(ZkException.NOAUTH, "/bobs", observer.getData("/bobs"));
            assertEquals(List.of(SessionState.CONNECTED, SessionState.DISCONNECTED, SessionState.CONNECTED),
                    states.values().subList(0, 3));
        } finally {
            zk.close().blockingAwait(10, TimeUnit.SECONDS);
            observer.close().blockingAwait(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anExpiredSessionIsSurfacedAndEndsEveryStreamAndOperation() {
        ZkClient observer = client(target.connect());
        try (CuttableProxy proxy = new CuttableProxy(target.port())) {
            ZkClient zk = ZkClient.create(vertx, new ZkClientOptions().connect(proxy.connect()).sessionTimeoutMs(4_000));
            done(zk.connected());
            Collector<SessionState> states = Collector.of(zk.sessionStates());
            Collector<WatchEvent> watch = Collector.of(zk.watch("/", WatchMode.PERSISTENT_RECURSIVE));
            get(zk.create("/eph-expired", b(""), CreateMode.EPHEMERAL));
            proxy.cut(true);
            // The server hears nothing and expires the session; its ephemeral goes with it.
            Poll.until(Duration.ofSeconds(30), "the server expires the session",
                    () -> orNull(observer.exists("/eph-expired")) == null);
            assertTrue(states.values().contains(SessionState.DISCONNECTED), "disconnected: " + states.values());
            proxy.cut(false);
            Poll.until(Duration.ofSeconds(30), "EXPIRED: " + states.values(), () -> states.values().contains(SessionState.EXPIRED));
            assertTrue(states.completed(), "the state stream ends after EXPIRED");
            Poll.until(Duration.ofSeconds(10), "the watch stream fails", () -> !watch.errors().isEmpty());
            assertEquals(ZkException.SESSIONEXPIRED, assertInstanceOf(ZkException.class, watch.errors().get(0)).code());
            zkError(ZkException.SESSIONEXPIRED, "/", zk.getData("/"));
            zk.close().blockingAwait(10, TimeUnit.SECONDS);
        } finally {
            observer.close().blockingAwait(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeEndsTheSessionSoItsEphemeralsGoAtOnce() {
        ZkClient zk = client(target.connect());
        ZkClient observer = client(target.connect());
        try {
            Collector<WatchEvent> watch = Collector.of(zk.watch("/", WatchMode.PERSISTENT));
            get(zk.create("/eph-closed", b(""), CreateMode.EPHEMERAL));
            assertNotNull(orNull(observer.exists("/eph-closed")));
            done(zk.close());
            assertEquals(SessionState.CLOSED, zk.state());
            assertNull(orNull(observer.exists("/eph-closed")), "CloseSession was answered after the ephemerals went");
            assertTrue(watch.completed(), "watch streams complete on close");
            Set<Integer> codes = new HashSet<>();
            try {
                get(zk.getData("/"));
            } catch (AssertionError e) {
                codes.add(((ZkException) e.getCause()).code());
            }
            assertEquals(Set.of(ZkException.CONNECTIONLOSS), codes, "operations after close fail");
        } finally {
            observer.close().blockingAwait(10, TimeUnit.SECONDS);
        }
    }
}
