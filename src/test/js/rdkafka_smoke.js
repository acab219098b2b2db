// node-rdkafka (bundling librdkafka 2.x) against a node: admin, produce, all-topics metadata, per-record
// produce errors, a group consumer subscribed by regex that commits. Prints "node-rdkafka OK" at the end.
'use strict';
const Kafka = require('node-rdkafka');
const [bootstrap, prefix] = process.argv.slice(2);
const topic = prefix + '-events';
const compacted = prefix + '-compacted';
const COUNT = 30;

function fail(msg) { console.error('FAIL: ' + msg); process.exit(1); }
function cb(fn) { return new Promise((res, rej) => fn((err, v) => err ? rej(err) : res(v))); }
setTimeout(() => fail('timed out'), 100000).unref();

async function admin() {
  const a = Kafka.AdminClient.create({ 'metadata.broker.list': bootstrap });
  await cb(done => a.createTopic({ topic, num_partitions: 3, replication_factor: 1 }, done));
  await cb(done => a.createTopic({ topic: compacted, num_partitions: 1, replication_factor: 1,
    config: { 'cleanup.policy': 'compact' } }, done));
  a.disconnect();
}

function producer(extra) {
  const p = new Kafka.Producer(Object.assign({ 'metadata.broker.list': bootstrap, dr_cb: true }, extra));
  return new Promise((res, rej) => { p.connect({}, err => err ? rej(err) : res(p)); p.setPollInterval(20); });
}

async function produceAndListTopics() {
  const p = await producer({ 'enable.idempotence': true, 'linger.ms': 5 });
  // getMetadata without a topic is librdkafka's all-topics MetadataRequest (v12+ carries the stray bytes).
  const md = await cb(done => p.getMetadata({ timeout: 10000 }, done));
  const names = md.topics.map(t => t.name);
  if (!names.includes(topic) || !names.includes(compacted)) fail('all-topics metadata lacks our topics: ' + names);
  const reports = [];
  const delivered = new Promise(res => p.on('delivery-report', (err, r) => { reports.push(err ? err.code : r.offset); if (reports.length === COUNT) res(); }));
  for (let i = 0; i < COUNT; i++) p.produce(topic, null, Buffer.from('value-' + i), 'key-' + i);
  await delivered;
  if (reports.some(r => typeof r !== 'number' || r < 0)) fail('delivery failed: ' + reports);
  await cb(done => p.flush(10000, done));
  p.disconnect();
  console.log('produced ' + COUNT + ', metadata lists ' + names.length + ' topics');
}

async function recordErrors() {
  // One batch of 100 to a compacted topic, 10 without a key: the broker names the 10 (record_errors), so
  // librdkafka fails them with INVALID_RECORD and the other 90 with INVALID_DIFFERENT_RECORD.
  const p = await producer({ 'linger.ms': 1000, 'batch.num.messages': 1000, 'message.send.max.retries': 0 });
  const codes = new Map();
  let n = 0;
  const done = new Promise(res => p.on('delivery-report', (err, r) => {
    const k = err ? err.code + ' ' + err.message : 'ok';
    codes.set(k, (codes.get(k) || 0) + 1);
    if (++n === 100) res();
  }));
  for (let i = 0; i < 100; i++) p.produce(compacted, 0, Buffer.from('v' + i), i % 10 === 3 ? null : 'k' + i);
  await done;
  p.disconnect();
  // node-rdkafka hands delivery errors over with code -1; librdkafka's own error strings tell them apart
  // (rd_kafka_err2str of INVALID_RECORD and of __INVALID_DIFFERENT_RECORD).
  const count = re => [...codes].filter(([k]) => re.test(k)).reduce((s, [, v]) => s + v, 0);
  const invalid = count(/failed to validate record/i);
  const different = count(/invalid record in the same batch/i);
  if (invalid !== 10 || different !== 90) fail('expected 10 INVALID_RECORD + 90 INVALID_DIFFERENT_RECORD, got ' + JSON.stringify([...codes]));
  console.log('record errors: 10 INVALID_RECORD, 90 INVALID_DIFFERENT_RECORD');
}

async function groupConsume() {
  const c = new Kafka.KafkaConsumer({ 'metadata.broker.list': bootstrap, 'group.id': prefix + '-group',
    'enable.auto.commit': false, 'partition.assignment.strategy': 'cooperative-sticky' },
    { 'auto.offset.reset': 'earliest' });
  await cb(done => c.connect({}, done));
  c.subscribe([new RegExp('^' + prefix + '-ev.*')]); // a regex subscription reads all-topics metadata
  const seen = new Set();
  while (seen.size < COUNT) {
    const msgs = await cb(done => c.consume(100, done));
    for (const m of msgs) seen.add(m.value.toString());
  }
  c.commitSync(null);
  const assigned = c.assignments();
  const committed = await cb(done => c.committed(assigned, 10000, done));
  const total = committed.reduce((s, t) => s + Math.max(0, t.offset), 0);
  if (total !== COUNT) fail('committed offsets sum to ' + total + ': ' + JSON.stringify(committed));
  await cb(done => c.disconnect(done));
  console.log('group consumed and committed ' + total);
}

(async () => {
  console.log('librdkafka ' + Kafka.librdkafkaVersion);
  await admin();
  await produceAndListTopics();
  await recordErrors();
  await groupConsume();
  console.log('node-rdkafka OK');
  process.exit(0);
})().catch(e => fail(e && e.stack || e));
