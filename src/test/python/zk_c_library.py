"""The ZooKeeper C client library (libzookeeper_mt.so.2, from Debian's libzookeeper-mt2, which
zookeeper-bin depends on) called through ctypes, for what its shell cli_mt cannot do: versioned set and
delete, multi, getACL. Only the library's synchronous calls are used; each waits for its reply.

Usage: zk_c_library.py HOST:PORT ROOT. Prints one "step: result" line per call, for the Java test to
check, and exits 0 unless the library could not be loaded or called.

Layouts are those of zookeeper.h in ZooKeeper 3.8 on a 64-bit platform (zoo_op_t has the create op's
ttl since 3.6); the sizes are checked before anything is called.
"""
import ctypes
import sys
from ctypes import (POINTER, Structure, Union, byref, c_char_p, c_int, c_int32, c_int64,
                    c_void_p, create_string_buffer, sizeof)

hosts, root = sys.argv[1], sys.argv[2]
lib = ctypes.CDLL("libzookeeper_mt.so.2")


class Stat(Structure):
    _fields_ = [("czxid", c_int64), ("mzxid", c_int64), ("ctime", c_int64), ("mtime", c_int64),
                ("version", c_int32), ("cversion", c_int32), ("aversion", c_int32),
                ("ephemeralOwner", c_int64), ("dataLength", c_int32), ("numChildren", c_int32),
                ("pzxid", c_int64)]


class Id(Structure):
    _fields_ = [("scheme", c_char_p), ("id", c_char_p)]


class ACL(Structure):
    _fields_ = [("perms", c_int32), ("id", Id)]


class ACLVector(Structure):
    _fields_ = [("count", c_int32), ("data", POINTER(ACL))]


class CreateOp(Structure):
    _fields_ = [("path", c_char_p), ("data", c_char_p), ("datalen", c_int), ("buf", c_char_p),
                ("buflen", c_int), ("acl", c_void_p), ("flags", c_int), ("ttl", c_int64)]


class PathVersionOp(Structure):
    _fields_ = [("path", c_char_p), ("version", c_int)]


class SetOp(Structure):
    _fields_ = [("path", c_char_p), ("data", c_char_p), ("datalen", c_int), ("version", c_int),
                ("stat", POINTER(Stat))]


class OpUnion(Union):
    _fields_ = [("create_op", CreateOp), ("delete_op", PathVersionOp), ("set_op", SetOp),
                ("check_op", PathVersionOp)]


class ZooOp(Structure):
    _anonymous_ = ("u",)
    _fields_ = [("type", c_int), ("u", OpUnion)]


class OpResult(Structure):
    _fields_ = [("err", c_int), ("value", c_char_p), ("valuelen", c_int), ("stat", POINTER(Stat))]


assert sizeof(Stat) == 72 and sizeof(ZooOp) == 72 and sizeof(OpResult) == 32, "unexpected layout"

ZOO_SEQUENCE = 2
lib.zookeeper_init.restype = c_void_p
lib.zookeeper_init.argtypes = [c_char_p, c_void_p, c_int, c_void_p, c_void_p, c_int]
lib.zookeeper_close.argtypes = [c_void_p]
lib.zoo_create.argtypes = [c_void_p, c_char_p, c_char_p, c_int, c_void_p, c_int, c_char_p, c_int]
lib.zoo_set2.argtypes = [c_void_p, c_char_p, c_char_p, c_int, c_int, POINTER(Stat)]
lib.zoo_get.argtypes = [c_void_p, c_char_p, c_int, c_char_p, POINTER(c_int), POINTER(Stat)]
lib.zoo_delete.argtypes = [c_void_p, c_char_p, c_int]
lib.zoo_get_acl.argtypes = [c_void_p, c_char_p, POINTER(ACLVector), POINTER(Stat)]
lib.zoo_multi.argtypes = [c_void_p, c_int, POINTER(ZooOp), POINTER(OpResult)]
lib.zoo_create_op_init.argtypes = [POINTER(ZooOp), c_char_p, c_char_p, c_int, c_void_p, c_int, c_char_p, c_int]
lib.zoo_delete_op_init.argtypes = [POINTER(ZooOp), c_char_p, c_int]
lib.zoo_set_op_init.argtypes = [POINTER(ZooOp), c_char_p, c_char_p, c_int, c_int, POINTER(Stat)]
lib.zoo_check_op_init.argtypes = [POINTER(ZooOp), c_char_p, c_int]
lib.zoo_set_debug_level(2)  # ZOO_LOG_LEVEL_WARN
open_acl = ctypes.addressof(ctypes.c_char.in_dll(lib, "ZOO_OPEN_ACL_UNSAFE"))


def b(s):
    return s.encode()


# A synchronous call made before the session is up waits for it, so no waiting for the connection here.
zh = lib.zookeeper_init(b(hosts), None, 10000, None, None, 0)
if not zh:
    sys.exit("zookeeper_init failed")

name = create_string_buffer(256)
rc = lib.zoo_create(zh, b(root), b"r", 1, open_acl, 0, name, 256)
print("create %s: rc=%d name=%s" % (root, rc, name.value.decode()))

stat = Stat()
rc = lib.zoo_set2(zh, b(root), b"v1", 2, 0, byref(stat))
print("set version 0: rc=%d version=%d" % (rc, stat.version))
rc = lib.zoo_set2(zh, b(root), b"stale", 5, 0, byref(stat))
print("set version 0 again: rc=%d" % rc)

buf = create_string_buffer(64)
buflen = c_int(64)
stat = Stat()
rc = lib.zoo_get(zh, b(root), 0, buf, byref(buflen), byref(stat))
print("get: rc=%d data=%s version=%d dataLength=%d" % (rc, buf.raw[:buflen.value].decode(), stat.version,
                                                         stat.dataLength))

rc = lib.zoo_delete(zh, b(root), 7)
print("delete version 7: rc=%d" % rc)

acl = ACLVector()
stat = Stat()
rc = lib.zoo_get_acl(zh, b(root), byref(acl), byref(stat))
print("get_acl: rc=%d count=%d perms=%d id=%s:%s aversion=%d" % (
    rc, acl.count, acl.data[0].perms, acl.data[0].id.scheme.decode(), acl.data[0].id.id.decode(),
    stat.aversion))


def multi(ops):
    arr = (ZooOp * len(ops))()
    results = (OpResult * len(ops))()
    keep = []  # the ops point into these strings, buffers and stats: they must outlive the call

    def kept(value):
        keep.append(value)
        return value

    for i, op in enumerate(ops):
        kind, path = op[0], kept(b(op[1]))
        if kind == "create":
            data, out = kept(b(op[2])), kept(create_string_buffer(256))
            lib.zoo_create_op_init(byref(arr[i]), path, data, len(data), open_acl, op[3], out, 256)
        elif kind == "delete":
            lib.zoo_delete_op_init(byref(arr[i]), path, op[2])
        elif kind == "set":
            data, st = kept(b(op[2])), kept(Stat())
            lib.zoo_set_op_init(byref(arr[i]), path, data, len(data), op[3], byref(st))
        elif kind == "check":
            lib.zoo_check_op_init(byref(arr[i]), path, op[2])
    rc = lib.zoo_multi(zh, len(ops), arr, results)
    described = []
    for i, op in enumerate(ops):
        r = results[i]
        d = "%s=%d" % (op[0], r.err)
        # In a failed multi the ops before the failing one report 0 but carry no result.
        if op[0] == "create" and r.err == 0 and r.value:
            d += "(%s)" % r.value.decode()
        if op[0] == "set" and r.err == 0 and rc == 0:
            d += "(version %d)" % r.stat.contents.version
        described.append(d)
    return rc, " ".join(described)


rc, results = multi([("create", root + "/a", "A", 0),
                     ("create", root + "/seq-", "S", ZOO_SEQUENCE),
                     ("set", root, "m", 1),
                     ("check", root, 2)])
print("multi ok: rc=%d %s" % (rc, results))

rc, results = multi([("create", root + "/b", "B", 0),
                     ("delete", root + "/a", 7),
                     ("set", root, "never", -1)])
print("multi failing: rc=%d %s" % (rc, results))

rc, results = multi([("check", root + "/none", -1)])
print("multi check missing: rc=%d %s" % (rc, results))

lib.zookeeper_close(zh)
print("c library done")
