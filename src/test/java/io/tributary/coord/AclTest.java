package io.tributary.coord;

import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AclTest {
    final Engine e = new Engine();
    final Id alice = new Id("digest", Acls.digest("alice:secret"));
    final Caller owner = e.session(new Engine.Sink(), List.of(alice));
    final Caller stranger = e.session();

    @Test
    void digestIsZooKeepersSha1Base64() {
        // The value ZooKeeper's DigestAuthenticationProvider.generateDigest gives for super:test.
        assertEquals("super:D/InIHSb7yEEbrWz8b9l71RjZJU=", Acls.digest("super:test"));
    }

    @Test
    void onlyTheDigestOwnerMayReadOrWrite() {
        e.expect(Codes.OK, owner, new Op.Create("/secret", "s".getBytes(), List.of(new ACL(Codes.PERM_ALL, alice)), Op.PERSISTENT, 0));
        e.expect(Codes.NOAUTH, stranger, new Op.GetData("/secret", false));
        e.expect(Codes.NOAUTH, stranger, new Op.SetData("/secret", "x".getBytes(), -1));
        e.expect(Codes.NOAUTH, stranger, new Op.GetChildren("/secret", false));
        e.expect(Codes.NOAUTH, stranger, new Op.Create("/secret/x", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.expect(Codes.NOAUTH, stranger, new Op.SetAcl("/secret", ZnodeTree.OPEN_ACL, -1));
        e.expect(Codes.OK, stranger, new Op.Exists("/secret", false));
        e.expect(Codes.OK, owner, new Op.GetData("/secret", false));
        e.expect(Codes.OK, owner, new Op.SetData("/secret", "x".getBytes(), -1));
    }

    @Test
    void authSchemeExpandsToTheCallersDigestIdsAndNeedsOne() {
        e.expect(Codes.INVALIDACL, stranger, new Op.Create("/a", new byte[0], Engine.acl(Codes.PERM_ALL, "auth", ""), Op.PERSISTENT, 0));
        e.expect(Codes.OK, owner, new Op.Create("/a", new byte[0], Engine.acl(Codes.PERM_ALL, "auth", ""), Op.PERSISTENT, 0));
        Result r = e.expect(Codes.OK, owner, new Op.GetAcl("/a"));
        assertEquals(List.of(new ACL(Codes.PERM_ALL, alice)), ((Result.Acl) r.value()).acl());
    }

    @Test
    void permissionsAreCheckedBitByBit() {
        e.expect(Codes.OK, owner, new Op.Create("/ro", new byte[0], List.of(new ACL(Codes.PERM_ALL, alice),
                new ACL(Codes.PERM_READ, new Id("world", "anyone"))), Op.PERSISTENT, 0));
        e.expect(Codes.OK, stranger, new Op.GetData("/ro", false));
        e.expect(Codes.NOAUTH, stranger, new Op.SetData("/ro", new byte[0], -1));
        Result acl = e.expect(Codes.OK, stranger, new Op.GetAcl("/ro"));
        assertTrue(((Result.Acl) acl.value()).acl().get(0).getId().getId().endsWith(":x"), "digest hidden without ADMIN");

        e.expect(Codes.OK, owner, new Op.Create("/nodel", new byte[0], List.of(new ACL(Codes.PERM_ALL & ~Codes.PERM_DELETE,
                new Id("world", "anyone"))), Op.PERSISTENT, 0));
        e.expect(Codes.OK, stranger, new Op.Create("/nodel/c", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        e.expect(Codes.NOAUTH, stranger, new Op.Delete("/nodel/c", -1));
    }

    @Test
    void ipSchemeMatchesAddressesAndMasks() {
        e.expect(Codes.OK, owner, new Op.Create("/lan", new byte[0], Engine.acl(Codes.PERM_READ, "ip", "127.0.0.0/8"), Op.PERSISTENT, 0));
        e.expect(Codes.OK, stranger, new Op.GetData("/lan", false));
        e.expect(Codes.OK, owner, new Op.Create("/far", new byte[0], Engine.acl(Codes.PERM_READ, "ip", "10.1.2.3"), Op.PERSISTENT, 0));
        e.expect(Codes.NOAUTH, stranger, new Op.GetData("/far", false));
        e.expect(Codes.INVALIDACL, owner, new Op.Create("/bad", new byte[0], Engine.acl(Codes.PERM_READ, "ip", "not-an-ip"), Op.PERSISTENT, 0));
        e.expect(Codes.INVALIDACL, owner, new Op.Create("/bad", new byte[0], Engine.acl(Codes.PERM_READ, "nope", "x"), Op.PERSISTENT, 0));
        e.expect(Codes.INVALIDACL, owner, new Op.Create("/bad", new byte[0], Engine.acl(Codes.PERM_READ, "world", "someone"), Op.PERSISTENT, 0));
    }

    @Test
    void multiFailsWholeOnNoAuth() {
        e.expect(Codes.OK, owner, new Op.Create("/locked", new byte[0], List.of(new ACL(Codes.PERM_ALL, alice)), Op.PERSISTENT, 0));
        Result r = e.expect(Codes.OK, stranger, new Op.Multi(List.of(
                new Op.Create("/free", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0),
                new Op.SetData("/locked", new byte[0], -1))));
        assertEquals(Codes.NOAUTH, ((Result.Multi) r.value()).results().get(1).err());
        e.expect(Codes.NONODE, stranger, new Op.Exists("/free", false));
    }

    @Test
    void theSuperIdPassesEveryCheckAndSeesDigestsUnredacted() {
        e.expect(Codes.OK, owner, new Op.Create("/secret", "s".getBytes(), List.of(new ACL(Codes.PERM_ALL, alice)), Op.PERSISTENT, 0));
        Caller admin = e.session(new Engine.Sink(), List.of(Caller.SUPER, new Id("digest", Acls.digest("super:test"))));
        e.expect(Codes.OK, admin, new Op.GetData("/secret", false));
        e.expect(Codes.OK, admin, new Op.Create("/secret/c", new byte[0], ZnodeTree.OPEN_ACL, Op.PERSISTENT, 0));
        Result acl = e.expect(Codes.OK, admin, new Op.GetAcl("/secret"));
        assertEquals(List.of(new ACL(Codes.PERM_ALL, alice)), ((Result.Acl) acl.value()).acl());
        e.expect(Codes.OK, admin, new Op.Delete("/secret/c", -1));
        e.expect(Codes.OK, admin, new Op.Delete("/secret", -1));
    }

    @Test
    void skipAclChecksNoAclButStillValidatesThem() {
        Engine open = new Engine(CoordOptions.defaults().withSkipAcl(true));
        Caller a = open.session(new Engine.Sink(), List.of(alice));
        Caller b = open.session();
        open.expect(Codes.OK, a, new Op.Create("/secret", "s".getBytes(), List.of(new ACL(Codes.PERM_ALL, alice)), Op.PERSISTENT, 0));
        open.expect(Codes.OK, b, new Op.GetData("/secret", false));
        open.expect(Codes.OK, b, new Op.SetData("/secret", "t".getBytes(), -1));
        open.expect(Codes.INVALIDACL, b, new Op.Create("/bad", new byte[0], Engine.acl(Codes.PERM_READ, "nope", "x"), Op.PERSISTENT, 0));
        open.expect(Codes.OK, b, new Op.Delete("/secret", -1));
    }
}
