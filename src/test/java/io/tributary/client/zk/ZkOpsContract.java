package io.tributary.client.zk;

import io.reactivex.rxjava3.core.Single;
import io.tributary.client.testing.ClientVertx;
import io.tributary.client.testing.ZkTarget;
import io.vertx.core.Vertx;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import io.tributary.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.tributary.client.zk.Await.done;
import static io.tributary.client.zk.Await.error;
import static io.tributary.client.zk.Await.get;
import static io.tributary.client.zk.Await.orNull;
import static io.tributary.client.zk.Await.zkError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every ZooKeeper operation of the reactive client and the error codes it reports, against each target. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ZkOpsContract {
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

    @Test
    void createInEveryModeGivesThePathAndAStatThatShowsTheMode() {
        done(zk.create("/modes", b(""), CreateMode.PERSISTENT).ignoreElement());
        Created p = get(zk.create("/modes/p", b("p"), CreateMode.PERSISTENT));
        assertEquals("/modes/p", p.path());
        assertEquals(0, p.stat().getEphemeralOwner());
        assertEquals(1, p.stat().getDataLength());

        Created e = get(zk.create("/modes/e", b("e"), CreateMode.EPHEMERAL));
        assertEquals(zk.sessionId(), e.stat().getEphemeralOwner(), "an ephemeral is owned by the session");

        Created ps1 = get(zk.create("/modes/ps-", b(""), CreateMode.PERSISTENT_SEQUENTIAL));
        Created ps2 = get(zk.create("/modes/ps-", b(""), CreateMode.PERSISTENT_SEQUENTIAL));
        assertTrue(ps1.path().matches("/modes/ps-\\d{10}"), ps1.path());
        assertTrue(ps2.path().compareTo(ps1.path()) > 0, ps2.path() + " after " + ps1.path());

        Created es = get(zk.create("/modes/es-", b(""), CreateMode.EPHEMERAL_SEQUENTIAL));
        assertTrue(es.path().matches("/modes/es-\\d{10}"), es.path());
        assertEquals(zk.sessionId(), es.stat().getEphemeralOwner());

        Created c = get(zk.create("/modes/c", b(""), CreateMode.CONTAINER));
        assertEquals("/modes/c", c.path());
        Created t = get(zk.create("/modes/t", b(""), Acls.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 60_000));
        assertEquals("/modes/t", t.path());
        Created ts = get(zk.create("/modes/ts-", b(""), Acls.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, 5_000));
        assertTrue(ts.path().matches("/modes/ts-\\d{10}"), ts.path());

        assertEquals(Set.of("p", "e", ps1.path().substring(7), ps2.path().substring(7), es.path().substring(7), "c", "t",
                ts.path().substring(7)), Set.copyOf(get(zk.getChildren("/modes"))));
    }

    @Test
    void containersGoWithTheirLastChildAndTtlNodesWhenTheirTtlPasses() {
        get(zk.create("/reaped", b(""), CreateMode.PERSISTENT));
        get(zk.create("/reaped/container", b(""), CreateMode.CONTAINER));
        get(zk.create("/reaped/container/child", b(""), CreateMode.PERSISTENT));
        get(zk.create("/reaped/ttl", b(""), Acls.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 300));
        get(zk.create("/reaped/long-ttl", b(""), Acls.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 600_000));
        get(zk.create("/reaped/plain", b(""), CreateMode.PERSISTENT));
        done(zk.delete("/reaped/container/child", -1));
        Poll.until(Duration.ofSeconds(20), "the empty container and the expired TTL node are deleted by the server",
                () -> orNull(zk.exists("/reaped/container")) == null && orNull(zk.exists("/reaped/ttl")) == null);
        assertNotNull(orNull(zk.exists("/reaped/plain")), "a persistent node stays");
        assertNotNull(orNull(zk.exists("/reaped/long-ttl")), "a TTL node within its TTL stays");
    }

    @Test
    void dataVersionsAndDeletesReportZooKeepersErrorCodes() {
        Created n = get(zk.create("/data", b("one"), CreateMode.PERSISTENT));
        NodeData d = get(zk.getData("/data"));
        assertArrayEquals(b("one"), d.data());
        assertEquals(0, d.stat().getVersion());
        assertEquals(n.stat().getCzxid(), d.stat().getMzxid());

        Stat s1 = get(zk.setData("/data", b("two"), 0));
        assertEquals(1, s1.getVersion());
        assertTrue(s1.getMzxid() > d.stat().getMzxid());
        zkError(ZkException.BADVERSION, "/data", zk.setData("/data", b("three"), 0));
        assertEquals(2, get(zk.setData("/data", b("any"), -1)).getVersion());
        assertArrayEquals(b("any"), get(zk.getData("/data")).data());

        zkError(ZkException.NODEEXISTS, "/data", zk.create("/data", b(""), CreateMode.PERSISTENT));
        zkError(ZkException.NONODE, "/missing/child", zk.create("/missing/child", b(""), CreateMode.PERSISTENT));
        zkError(ZkException.NONODE, "/missing", zk.getData("/missing"));
        zkError(ZkException.NONODE, "/missing", zk.setData("/missing", b(""), -1));
        assertNull(orNull(zk.exists("/missing")), "exists of a missing node is empty");
        assertEquals(2, get(zk.exists("/data")).getVersion());

        get(zk.create("/data/child", b(""), CreateMode.PERSISTENT));
        zkError(ZkException.NOTEMPTY, "/data", zk.delete("/data", -1));
        get(zk.create("/eph", b(""), CreateMode.EPHEMERAL));
        zkError(ZkException.NOCHILDRENFOREPHEMERALS, "/eph/child", zk.create("/eph/child", b(""), CreateMode.PERSISTENT));

        zkError(ZkException.BADVERSION, "/data/child", zk.delete("/data/child", 7));
        done(zk.delete("/data/child", 0));
        zkError(ZkException.NONODE, "/data/child", zk.delete("/data/child", -1));
        done(zk.delete("/data", 2));
        assertNull(orNull(zk.exists("/data")));
    }

    @Test
    void childrenChildren2AndAllChildrenNumber() {
        get(zk.create("/kids", b(""), CreateMode.PERSISTENT));
        for (String c : List.of("a", "b", "c")) {
            get(zk.create("/kids/" + c, b(""), CreateMode.PERSISTENT));
        }
        get(zk.create("/kids/a/x", b(""), CreateMode.PERSISTENT));
        get(zk.create("/kids/a/x/y", b(""), CreateMode.PERSISTENT));
        assertEquals(Set.of("a", "b", "c"), Set.copyOf(get(zk.getChildren("/kids"))));
        Children c2 = get(zk.getChildren2("/kids"));
        assertEquals(Set.of("a", "b", "c"), Set.copyOf(c2.names()));
        assertEquals(3, c2.stat().getNumChildren());
        assertEquals(3, c2.stat().getCversion());
        assertEquals(5, get(zk.getAllChildrenNumber("/kids")), "every descendant counts");
        assertEquals(List.of(), get(zk.getChildren("/kids/b")));
        zkError(ZkException.NONODE, "/nokids", zk.getChildren("/nokids"));
        zkError(ZkException.NONODE, "/nokids", zk.getChildren2("/nokids"));
    }

    @Test
    void multiAppliesEverythingOrNothingAndNamesTheFailingOperation() {
        get(zk.create("/multi", b("0"), CreateMode.PERSISTENT));
        List<OpResult> ok = get(zk.multi(List.of(
                ZkOp.create("/multi/a", b("a"), CreateMode.PERSISTENT),
                ZkOp.create("/multi/s-", b(""), CreateMode.PERSISTENT_SEQUENTIAL),
                ZkOp.setData("/multi", b("1"), 0),
                ZkOp.check("/multi", 1),
                ZkOp.delete("/multi/a", 0))));
        assertEquals(5, ok.size());
        assertEquals("/multi/a", assertInstanceOf(OpResult.CreateResult.class, ok.get(0)).path());
        assertTrue(assertInstanceOf(OpResult.CreateResult.class, ok.get(1)).path().matches("/multi/s-\\d{10}"));
        assertEquals(1, assertInstanceOf(OpResult.SetDataResult.class, ok.get(2)).stat().getVersion());
        assertInstanceOf(OpResult.CheckResult.class, ok.get(3));
        assertInstanceOf(OpResult.DeleteResult.class, ok.get(4));
        assertNull(orNull(zk.exists("/multi/a")));

        ZkException failed = zkError(ZkException.BADVERSION, "/multi", zk.multi(List.of(
                ZkOp.create("/multi/b", b(""), CreateMode.PERSISTENT),
                ZkOp.check("/multi", 0),
                ZkOp.setData("/multi", b("2"), -1))));
        assertEquals(3, failed.results().size(), "every operation's result: " + failed.results());
        assertEquals(ZkException.BADVERSION, ((OpResult.ErrorResult) failed.results().get(1)).code());
        assertNull(orNull(zk.exists("/multi/b")), "nothing of a failed multi is applied");
        assertArrayEquals(b("1"), get(zk.getData("/multi")).data());
    }

    @Test
    void multiReadAnswersEachReadOnItsOwn() {
        get(zk.create("/mr", b("v"), CreateMode.PERSISTENT));
        get(zk.create("/mr/k", b(""), CreateMode.PERSISTENT));
        List<OpResult> r = get(zk.multiRead(List.of(ZkOp.getData("/mr"), ZkOp.getChildren("/mr"), ZkOp.getData("/mr/none"))));
        assertArrayEquals(b("v"), assertInstanceOf(OpResult.GetDataResult.class, r.get(0)).data());
        assertEquals(List.of("k"), assertInstanceOf(OpResult.GetChildrenResult.class, r.get(1)).children());
        assertEquals(ZkException.NONODE, assertInstanceOf(OpResult.ErrorResult.class, r.get(2)).code());
    }

    @Test
    void digestAclsProtectNodesAndSetAclHonoursTheAclVersion() {
        ZkClient other = ZkClient.create(vertx, new ZkClientOptions().connect(target.connect()).sessionTimeoutMs(10_000));
        try {
            done(zk.addDigest("alice", "secret"));
            List<ACL> aliceOnly = List.of(new ACL(Acls.ALL, Acls.digestId("alice", "secret")));
            get(zk.create("/secret", b("s"), aliceOnly, CreateMode.PERSISTENT));
            assertArrayEquals(b("s"), get(zk.getData("/secret")).data(), "the creator's credentials read it");
            zkError(ZkException.NOAUTH, "/secret", other.getData("/secret"));
            done(other.addDigest("alice", "wrong"));
            zkError(ZkException.NOAUTH, "/secret", other.setData("/secret", b("x"), -1));

            NodeAcl acl = get(zk.getAcl("/secret"));
            assertEquals(aliceOnly, acl.acl());
            assertEquals(0, acl.stat().getAversion());
            List<ACL> readable = List.of(new ACL(Acls.ALL, Acls.digestId("alice", "secret")),
                    new ACL(Acls.READ, new org.apache.zookeeper.data.Id("world", "anyone")));
            zkError(ZkException.BADVERSION, "/secret", zk.setAcl("/secret", readable, 3));
            assertEquals(1, get(zk.setAcl("/secret", readable, 0)).getAversion());
            assertArrayEquals(b("s"), get(other.getData("/secret")).data(), "world may read now");
            zkError(ZkException.NOAUTH, "/secret", other.setData("/secret", b("x"), -1));
            zkError(ZkException.INVALIDACL, "/bad-acl", zk.create("/bad-acl", b(""),
                    List.of(new ACL(Acls.ALL, new org.apache.zookeeper.data.Id("nosuchscheme", "x"))), CreateMode.PERSISTENT));
        } finally {
            other.close().blockingAwait(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void syncCompletesForAnExistingPath() {
        get(zk.create("/synced", b(""), CreateMode.PERSISTENT));
        done(zk.sync("/synced"));
    }

    @Test
    void badInputFailsTheReturnedTypeAndNeverThrowsOnTheCallersThread() {
        // Each call below returns normally; the failure arrives through the Single/Completable/Flowable.
        assertInstanceOf(IllegalArgumentException.class, error(zk.getData(null)));
        assertInstanceOf(IllegalArgumentException.class, error(zk.getData("relative")));
        assertInstanceOf(IllegalArgumentException.class, error(zk.setData("/trailing/", b(""), -1)));
        assertInstanceOf(IllegalArgumentException.class, error(zk.delete("/a//b", -1)));
        assertInstanceOf(IllegalArgumentException.class, error(zk.exists("/a/./b").toSingle()));
        assertInstanceOf(IllegalArgumentException.class, error(zk.create("/a/../b", b(""), CreateMode.PERSISTENT)));
        assertInstanceOf(NullPointerException.class, error(zk.create("/nullmode", b(""), null)));
        assertInstanceOf(IllegalArgumentException.class, error(zk.create("/noacl", b(""), List.of(), CreateMode.PERSISTENT)));
        assertInstanceOf(IllegalArgumentException.class, error(zk.create("/nottl", b(""), Acls.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_WITH_TTL, -1)));
        assertInstanceOf(IllegalArgumentException.class, error(zk.multi(List.of())));
        assertInstanceOf(IllegalArgumentException.class, error(zk.multiRead(List.of(ZkOp.delete("/x", -1)))));
        assertInstanceOf(IllegalArgumentException.class, error(zk.multi(List.of(ZkOp.check("bad", -1)))));
        assertInstanceOf(NullPointerException.class, error(zk.addAuth(null, b("x"))));
        assertInstanceOf(IllegalArgumentException.class, error(Single.fromPublisher(zk.watch("no-slash", WatchMode.DATA))));
        // The session is unharmed by all of it.
        assertEquals(SessionState.CONNECTED, zk.state());
        assertNotNull(get(zk.exists("/")));
    }
}
