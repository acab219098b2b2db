"""kafka-python (Debian python3-kafka) against a Tributary node: produce with acks=all, read back
in assign mode, list topics through the admin client. Usage: kafka_python_smoke.py HOST:PORT TOPIC"""
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]

admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
admin.create_topics([NewTopic(name=topic, num_partitions=2, replication_factor=1)])
assert topic in admin.list_topics(), "created topic is listed"
admin.close()

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="gzip", linger_ms=5)
offsets = []
for i in range(200):
    md = producer.send(topic, key=b"k%d" % i, value=b"v%d" % i, partition=i % 2).get(timeout=10)
    offsets.append((md.partition, md.offset))
producer.close()
assert offsets[0] == (0, 0) and offsets[1] == (1, 0) and offsets[-1] == (1, 99), offsets[-3:]

consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                         auto_offset_reset="earliest", consumer_timeout_ms=15000)
tp = TopicPartition(topic, 1)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
values = [m.value for m in consumer][:100]
assert values == [b"v%d" % i for i in range(1, 200, 2)], values[:5]
assert consumer.end_offsets([tp])[tp] == 100
consumer.close()
print("kafka-python OK")
