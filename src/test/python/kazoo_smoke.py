"""kazoo against a Tributary node: create / get / set / watch / ephemeral / lock.

Usage: kazoo_smoke.py HOST:PORT ROOT. Prints "kazoo OK" and exits 0 on success.
"""
import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, NoNodeError, NodeExistsError

hosts, root = sys.argv[1], sys.argv[2]


def client():
    c = KazooClient(hosts=hosts, timeout=10)
    c.start(timeout=20)
    return c


zk = client()
other = client()

# create / get / set with versions
zk.create(root + "/cfg/a", b"one", makepath=True)
data, stat = zk.get(root + "/cfg/a")
assert data == b"one" and stat.version == 0, (data, stat)
zk.set(root + "/cfg/a", b"two", version=0)
try:
    zk.set(root + "/cfg/a", b"three", version=0)
    raise AssertionError("a stale version must fail")
except BadVersionError:
    pass
try:
    zk.create(root + "/cfg/a", b"dup")
    raise AssertionError("duplicate create must fail")
except NodeExistsError:
    pass
seq = zk.create(root + "/cfg/s-", b"", sequence=True)
assert seq.endswith("0000000001"), seq
assert sorted(zk.get_children(root + "/cfg")) == ["a", seq.rsplit("/", 1)[1]]

# one-shot watch
fired = threading.Event()
events = []


def watcher(event):
    events.append(event)
    fired.set()


zk.get(root + "/cfg/a", watch=watcher)
other.set(root + "/cfg/a", b"changed")
assert fired.wait(10), "data watch did not fire"
assert events[0].type == "CHANGED" and events[0].path == root + "/cfg/a", events

# DataWatch recipe sees the current value then every change
seen = []
changed = threading.Event()


@zk.DataWatch(root + "/cfg/a")
def follow(data, stat):
    seen.append(data)
    if data == b"final":
        changed.set()


other.set(root + "/cfg/a", b"final")
assert changed.wait(10), seen

# ephemeral: gone when its session closes
other.create(root + "/members/m1", b"", ephemeral=True, makepath=True)
zk.sync(root + "/members")  # another client's write: in an ensemble zk may be on another server
assert zk.exists(root + "/members/m1") is not None
gone = threading.Event()
zk.exists(root + "/members/m1", watch=lambda e: gone.set())
other.stop()
other.close()
assert gone.wait(10), "ephemeral not deleted when its session closed"
assert zk.exists(root + "/members/m1") is None

# lock: two clients, never both inside
c1, c2 = client(), client()
inside = []
overlap = []
counter = [0]


def worker(c, name):
    lock = c.Lock(root + "/lock", name)
    for _ in range(10):
        with lock:
            inside.append(name)
            if len(inside) > 1:
                overlap.append(list(inside))
            counter[0] += 1
            inside.remove(name)


threads = [threading.Thread(target=worker, args=(c1, "one")), threading.Thread(target=worker, args=(c2, "two"))]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
assert not overlap, overlap
assert counter[0] == 20, counter

for c in (c1, c2, zk):
    c.stop()
    c.close()
print("kazoo OK")
