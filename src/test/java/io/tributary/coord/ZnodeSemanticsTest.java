package io.tributary.coord;

import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZnodeSemanticsTest {
    final Engine e = new Engine();
    final Caller s = e.session();

    @Test
    void freshTreeHoldsTheReservedZookeeperNodes() {
        Result r = e.expect(Codes.OK, s, new Op.GetChildren("/", false));
        assertEquals(List.of("zookeeper"), ((Result.Children) r.value()).children());
        Result z = e.expect(Codes.OK, s, new Op.GetChildren("/zookeeper", false));
        assertEquals(List.of("config", "quota"), ((Result.Children) z.value()).children());
        e.expect(Codes.BADARGUMENTS, s, new Op.Delete("/zookeeper/quota", -1));
        e.expect(Codes.NODEEXISTS, s, new Op.Create("/zookeeper", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
    }

    @Test
    void zxidsCarryTheEpochAndStatTracksEveryChange() {
        long before = e.c.lastZxid();
        assertEquals(1, before >>> 32, "first epoch after start");
        e.create(s, "/a", "x", Op.PERSISTENT);
        Stat a = e.stat(s, "/a");
        assertTrue(a.getCzxid() > before && (a.getCzxid() >>> 32) == 1, "czxid in epoch 1");
        assertEquals(a.getCzxid(), a.getMzxid());
        assertEquals(a.getCzxid(), a.getPzxid());
        assertEquals(e.time.milliseconds(), a.getCtime());
        assertEquals(1, a.getDataLength());
        assertEquals(0, a.getVersion());

        e.time.advance(5);
        Result set = e.expect(Codes.OK, s, new Op.SetData("/a", "yy".getBytes(), 0));
        Stat afterSet = (Stat) set.value();
        assertEquals(1, afterSet.getVersion());
        assertTrue(afterSet.getMzxid() > a.getMzxid());
        assertEquals(a.getCzxid(), afterSet.getCzxid());
        assertEquals(a.getCtime() + 5, afterSet.getMtime());
        assertEquals(2, afterSet.getDataLength());
        assertEquals(set.zxid(), afterSet.getMzxid(), "reply zxid is the write's zxid");

        e.create(s, "/a/b", "", Op.PERSISTENT);
        Stat parent = e.stat(s, "/a");
        assertEquals(1, parent.getCversion());
        assertEquals(1, parent.getNumChildren());
        assertEquals(e.stat(s, "/a/b").getCzxid(), parent.getPzxid());
        assertEquals(afterSet.getMzxid(), parent.getMzxid(), "child creation does not touch mzxid");

        e.expect(Codes.OK, s, new Op.Delete("/a/b", 0));
        Stat afterDelete = e.stat(s, "/a");
        assertEquals(2, afterDelete.getCversion());
        assertEquals(0, afterDelete.getNumChildren());
        assertTrue(afterDelete.getPzxid() > parent.getPzxid());

        e.expect(Codes.OK, s, new Op.SetAcl("/a", ZnodeTree.OPEN_ACL, 0));
        assertEquals(1, e.stat(s, "/a").getAversion());
        e.expect(Codes.BADVERSION, s, new Op.SetAcl("/a", ZnodeTree.OPEN_ACL, 0));
    }

    @Test
    void versionedWritesAreConditional() {
        e.create(s, "/v", "0", Op.PERSISTENT);
        e.expect(Codes.BADVERSION, s, new Op.SetData("/v", "1".getBytes(), 3));
        e.expect(Codes.OK, s, new Op.SetData("/v", "1".getBytes(), 0));
        e.expect(Codes.OK, s, new Op.SetData("/v", "2".getBytes(), -1));
        e.expect(Codes.BADVERSION, s, new Op.Check("/v", 1));
        e.expect(Codes.OK, s, new Op.Check("/v", 2));
        e.expect(Codes.BADVERSION, s, new Op.Delete("/v", 1));
        e.expect(Codes.OK, s, new Op.Delete("/v", 2));
        e.expect(Codes.NONODE, s, new Op.SetData("/v", "3".getBytes(), -1));
        e.expect(Codes.NONODE, s, new Op.Delete("/v", -1));
        e.expect(Codes.NONODE, s, new Op.Check("/v", -1));
    }

    @Test
    void createRules() {
        e.expect(Codes.NONODE, s, new Op.Create("/no/parent", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.create(s, "/p", "", Op.PERSISTENT);
        e.expect(Codes.NODEEXISTS, s, new Op.Create("/p", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.expect(Codes.BADARGUMENTS, s, new Op.Create("/p/", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.expect(Codes.BADARGUMENTS, s, new Op.Create("/p/../x", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.expect(Codes.BADARGUMENTS, s, new Op.Create("relative", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.expect(Codes.INVALIDACL, s, new Op.Create("/p/q", new byte[0], List.of(), Op.PERSISTENT, 0));
        e.create(s, "/p/q", "", Op.PERSISTENT);
        e.expect(Codes.NOTEMPTY, s, new Op.Delete("/p", -1));
    }

    @Test
    void sequentialSuffixIsTheParentCversionInTenDigits() {
        e.create(s, "/q", "", Op.PERSISTENT);
        assertEquals("/q/item-0000000000", e.create(s, "/q/item-", "", Op.PERSISTENT_SEQUENTIAL));
        assertEquals("/q/item-0000000001", e.create(s, "/q/item-", "", Op.EPHEMERAL_SEQUENTIAL));
        e.create(s, "/q/plain", "", Op.PERSISTENT);
        e.expect(Codes.OK, s, new Op.Delete("/q/plain", -1));
        assertEquals("/q/0000000004", e.create(s, "/q/", "", Op.PERSISTENT_SEQUENTIAL),
                "deletes count too: the counter is the parent's cversion");
    }

    @Test
    void ephemeralsCannotHaveChildren() {
        e.create(s, "/eph", "", Op.EPHEMERAL);
        Result r = e.expect(Codes.NOCHILDRENFOREPHEMERALS, s, new Op.Create("/eph/child", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        assertEquals(Codes.NOCHILDRENFOREPHEMERALS, r.err());
        assertEquals(s.sessionId(), e.stat(s, "/eph").getEphemeralOwner());
        e.expect(Codes.NOCHILDRENFOREPHEMERALS, s, new Op.Create("/eph/s-", new byte[0], ZnodeTree.OPEN_ACL, Op.EPHEMERAL_SEQUENTIAL, 0));
    }

    @Test
    void dataIsLimitedToJuteMaxbuffer() {
        byte[] max = new byte[0xfffff];
        e.expect(Codes.OK, s, new Op.Create("/big", max, ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.expect(Codes.BADARGUMENTS, s, new Op.SetData("/big", new byte[0xfffff + 1], -1));
        e.expect(Codes.BADARGUMENTS, s, new Op.Create("/bigger", new byte[0x100000], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        assertEquals(0xfffff, e.stat(s, "/big").getDataLength());
    }

    @Test
    void multiIsAllOrNothingWithPerOpResults() {
        e.create(s, "/m", "0", Op.PERSISTENT);
        long zxid = e.c.lastZxid();
        Result r = e.expect(Codes.OK, s, new Op.Multi(List.of(
                new Op.Create("/m/a", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.SetData("/m", "1".getBytes(), 0),
                new Op.Check("/m", 7),
                new Op.Delete("/m/a", -1))));
        List<Result> results = ((Result.Multi) r.value()).results();
        assertEquals(List.of(Codes.OK, Codes.OK, Codes.BADVERSION, Codes.RUNTIMEINCONSISTENCY),
                results.stream().map(Result::err).toList());
        e.expect(Codes.NONODE, s, new Op.Exists("/m/a", false));
        assertEquals(0, e.stat(s, "/m").getVersion(), "setData rolled back");
        assertEquals(0, e.stat(s, "/m").getCversion(), "child create rolled back");
        assertEquals(zxid, e.c.lastZxid(), "a failed multi consumes no zxid");

        Result ok = e.expect(Codes.OK, s, new Op.Multi(List.of(
                new Op.Create("/m/a", "x".getBytes(), ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.Create("/m/a/s-", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT_SEQUENTIAL, 0),
                new Op.SetData("/m", "1".getBytes(), 0),
                new Op.Check("/m", 1))));
        List<Result> okResults = ((Result.Multi) ok.value()).results();
        assertEquals("/m/a/s-0000000000", ((Result.Created) okResults.get(1).value()).path());
        assertEquals(e.stat(s, "/m/a").getCzxid(), e.stat(s, "/m").getMzxid(), "one zxid for the whole multi");
        assertEquals(zxid + 1, e.c.lastZxid());
    }

    @Test
    void containerAndTtlNodesAreSweptWhenEmpty() {
        e.expect(Codes.OK, s, new Op.Create("/c", new byte[0], ZnodeTree.OPEN_ACL, Op.CONTAINER, 0));
        assertEquals(EphemeralType.CONTAINER, e.stat(s, "/c").getEphemeralOwner());
        e.c.sweepContainers(e.time.milliseconds());
        e.stat(s, "/c"); // never had children: kept
        e.create(s, "/c/x", "", Op.PERSISTENT);
        e.expect(Codes.OK, s, new Op.Delete("/c/x", -1));
        e.c.sweepContainers(e.time.milliseconds());
        e.expect(Codes.NONODE, s, new Op.Exists("/c", false));

        e.expect(Codes.BADARGUMENTS, s, new Op.Create("/t", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT_WITH_TTL, 0));
        e.expect(Codes.OK, s, new Op.Create("/t", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT_WITH_TTL, 500));
        e.c.sweepContainers(e.time.milliseconds() + 100);
        e.stat(s, "/t");
        e.c.sweepContainers(e.time.milliseconds() + 501);
        e.expect(Codes.NONODE, s, new Op.Exists("/t", false));
    }

    @Test
    void getDataReturnsBytesAndAllChildrenNumberCountsDescendants() {
        e.create(s, "/d", "hello", Op.PERSISTENT);
        e.create(s, "/d/1", "", Op.PERSISTENT);
        e.create(s, "/d/1/2", "", Op.PERSISTENT);
        Result r = e.expect(Codes.OK, s, new Op.GetData("/d", false));
        assertArrayEquals("hello".getBytes(), ((Result.Data) r.value()).data());
        assertEquals(2, e.expect(Codes.OK, s, new Op.GetAllChildrenNumber("/d")).value());
        e.create(s, "/d/1/e", "", Op.EPHEMERAL);
        assertEquals(List.of("/d/1/e"), e.expect(Codes.OK, s, new Op.GetEphemerals("/d")).value());
        assertEquals(List.of(), e.expect(Codes.OK, s, new Op.GetEphemerals("/x")).value());
    }
}
