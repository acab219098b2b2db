// KafkaJS (pure JavaScript, its own protocol code) against a node: admin, produce, a consumer group of two
// members sharing partitions and committing, offsets read back through admin. Prints "kafkajs OK".
'use strict';
const { Kafka, logLevel } = require('kafkajs');
const [bootstrap, prefix] = process.argv.slice(2);
const topic = prefix + '-orders';
const groupId = prefix + '-group';
const COUNT = 60;

function fail(msg) { console.error('FAIL: ' + msg); process.exit(1); }
setTimeout(() => fail('timed out'), 100000).unref();

(async () => {
  const kafka = new Kafka({ clientId: 'kafkajs-smoke', brokers: [bootstrap], logLevel: logLevel.WARN,
    retry: { retries: 5 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }], waitForLeaders: true });
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) fail('listTopics lacks ' + topic + ': ' + topics);
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  if (md.topics[0].partitions.length !== 4) fail('expected 4 partitions: ' + JSON.stringify(md));

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < COUNT; i += 10) {
    const messages = [];
    for (let j = i; j < i + 10; j++) messages.push({ key: 'key-' + j, value: 'value-' + j });
    const res = await producer.send({ topic, acks: -1, messages });
    if (res.some(r => r.errorCode !== 0)) fail('produce error: ' + JSON.stringify(res));
  }
  await producer.disconnect();

  // Two members of one group: each gets a share of the 4 partitions, together they see every record once.
  const seen = new Map();
  const members = [];
  const owned = [new Set(), new Set()];
  for (let m = 0; m < 2; m++) {
    const c = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000, rebalanceTimeout: 20000 });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    members.push(c);
  }
  await Promise.all(members.map((c, m) => c.run({ autoCommitInterval: 200,
    eachMessage: async ({ partition, message }) => {
      owned[m].add(partition);
      seen.set(message.value.toString(), (seen.get(message.value.toString()) || 0) + 1);
    } })));
  const deadline = Date.now() + 60000;
  while ((seen.size < COUNT || owned[0].size === 0 || owned[1].size === 0) && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 100));
  }
  if (seen.size < COUNT) fail('consumed ' + seen.size + ' of ' + COUNT);
  if (owned[0].size === 0 || owned[1].size === 0) fail('partitions not shared: ' + [...owned[0]] + ' / ' + [...owned[1]]);
  await Promise.all(members.map(c => c.disconnect())); // commits what was consumed, then leaves

  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = offsets[0].partitions.reduce((s, p) => s + Number(p.offset), 0);
  if (committed !== COUNT) fail('committed offsets sum to ' + committed + ': ' + JSON.stringify(offsets));
  const groups = await admin.listGroups();
  if (!groups.groups.some(g => g.groupId === groupId)) fail('listGroups lacks ' + groupId);
  const described = await admin.describeGroups([groupId]);
  if (described.groups[0].state !== 'Empty') fail('group should be Empty after both left: ' + described.groups[0].state);
  await admin.deleteGroups([groupId]);
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  console.log('consumed ' + seen.size + ' by two members (' + [...owned[0]] + ' / ' + [...owned[1]] + '), committed ' + committed);
  console.log('kafkajs OK');
  process.exit(0);
})().catch(e => fail(e && e.stack || e));
