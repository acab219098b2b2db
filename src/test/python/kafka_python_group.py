"""kafka-python (Debian python3-kafka) consumer groups against a Tributary node: two members of one
group split a two-partition topic, commit, and a restarted member resumes from the committed offsets.
Usage: kafka_python_group.py HOST:PORT[,...] TOPIC [REPLICATION_FACTOR]"""
import sys
import threading
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

bootstrap, topic = sys.argv[1].split(","), sys.argv[2]
rf = int(sys.argv[3]) if len(sys.argv) > 3 else 1
group = "kp-" + topic

admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
admin.create_topics([NewTopic(name=topic, num_partitions=2, replication_factor=rf)])
admin.close()

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
for i in range(100):
    producer.send(topic, value=b"v%d" % i, partition=i % 2).get(timeout=10)
producer.close()


def member():
    return KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                         auto_offset_reset="earliest", session_timeout_ms=6000, heartbeat_interval_ms=500,
                         max_poll_records=10)


# kafka-python's poll() blocks while (re)joining, so each member polls on its own thread.
seen = {}
lock = threading.Lock()
stop = threading.Event()
members = [member(), member()]


def run(c):
    while not stop.is_set():
        for tp, msgs in c.poll(timeout_ms=200).items():
            with lock:
                for m in msgs:
                    seen[(m.partition, m.offset)] = m.value


threads = [threading.Thread(target=run, args=(c,)) for c in members]
for t in threads:
    t.start()
a, b = members
deadline = time.time() + 60
while time.time() < deadline and not (len(a.assignment()) == 1 and len(b.assignment()) == 1 and len(seen) == 100):
    time.sleep(0.1)
stop.set()
for t in threads:
    t.join()
assert len(a.assignment()) == 1 and len(b.assignment()) == 1, (a.assignment(), b.assignment())
assert a.assignment() != b.assignment(), "the two members split the partitions"
assert len(seen) == 100, "every record consumed once across the group: %d" % len(seen)

for c in (a, b):
    (tp,) = tuple(c.assignment())
    c.commit({tp: OffsetAndMetadata(30, "kp")})
a.close()
b.close()

c = member()
got = []
deadline = time.time() + 60
while time.time() < deadline and len(got) < 40:
    for tp, msgs in c.poll(timeout_ms=200).items():
        got.extend((m.partition, m.offset) for m in msgs)
assert sorted(o for _, o in got)[0] == 30, "resumed from the committed offset: %s" % sorted(got)[:3]
assert len(got) == 40, len(got)
assert c.committed(TopicPartition(topic, 0)) == 30
c.close()
print("kafka-python group OK")
