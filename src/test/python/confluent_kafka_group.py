"""confluent-kafka (librdkafka, Debian python3-confluent-kafka) consumer groups against a Tributary
node: two members split a two-partition topic with the cooperative-sticky assignor, commit, and a new
member resumes from the committed offsets. Usage: confluent_kafka_group.py HOST:PORT TOPIC"""
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
rf = int(sys.argv[3]) if len(sys.argv) > 3 else -1
group = "rdk-" + topic

admin = AdminClient({"bootstrap.servers": bootstrap})
admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=rf)])[topic].result(30)
producer = Producer({"bootstrap.servers": bootstrap})
for i in range(100):
    producer.produce(topic, value=b"v%d" % i, partition=i % 2)
assert producer.flush(30) == 0

assigned = {}


def member(name, strategy):
    assigned[name] = set()

    def on_assign(consumer, partitions):
        assigned[name].update(p.partition for p in partitions)

    def on_revoke(consumer, partitions):
        assigned[name].difference_update(p.partition for p in partitions)

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
                  "partition.assignment.strategy": strategy, "client.id": name})
    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    return c


a, b = member("a", "cooperative-sticky"), member("b", "cooperative-sticky")
seen = {}
deadline = time.time() + 60
while time.time() < deadline and not (len(assigned["a"]) == 1 and len(assigned["b"]) == 1 and len(seen) == 100):
    for c in (a, b):
        m = c.poll(0.2)
        if m is not None and not m.error():
            seen[(m.partition(), m.offset())] = m.value()
assert len(assigned["a"]) == 1 and len(assigned["b"]) == 1, assigned
assert assigned["a"] != assigned["b"], assigned
assert len(seen) == 100, len(seen)

for name, c in (("a", a), ("b", b)):
    (p,) = tuple(assigned[name])
    c.commit(offsets=[TopicPartition(topic, p, 30)], asynchronous=False)
a.close()
b.close()

c = member("c", "range")
got = []
deadline = time.time() + 60
while time.time() < deadline and len(got) < 40:
    m = c.poll(0.2)
    if m is not None and not m.error():
        got.append((m.partition(), m.offset()))
assert len(got) == 40 and min(o for _, o in got) == 30, sorted(got)[:3]
committed = c.committed([TopicPartition(topic, 0), TopicPartition(topic, 1)], timeout=10)
assert [tp.offset for tp in committed] == [30, 30], committed
c.close()
print("confluent-kafka group OK")
