"""confluent-kafka (librdkafka, Debian python3-confluent-kafka) against a Tributary node: idempotent
zstd produce, assign-mode consume from the beginning. Usage: confluent_kafka_smoke.py HOST:PORT TOPIC"""
import sys

from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING

bootstrap, topic = sys.argv[1], sys.argv[2]
errors = []

producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                     "compression.type": "zstd", "linger.ms": 10})
for i in range(500):
    producer.produce(topic, key=b"k%d" % i, value=b"value-%d" % i, partition=0,
                     on_delivery=lambda err, msg: errors.append(err) if err else None)
assert producer.flush(30) == 0, "all delivered"
assert not errors, errors

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused-assign-only",
                     "enable.auto.commit": False, "enable.partition.eof": True})
consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
got = []
while True:
    msg = consumer.poll(15)
    assert msg is not None, "timed out after %d messages" % len(got)
    if msg.error():
        assert msg.error().code() == -191, msg.error()  # _PARTITION_EOF
        break
    got.append((msg.offset(), msg.value()))
consumer.close()
assert got == [(i, b"value-%d" % i) for i in range(500)], got[:3]
print("confluent-kafka OK")
