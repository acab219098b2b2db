// node-zookeeper-client (pure JavaScript) against a node: create, watch data and children, sequential and
// ephemeral nodes, transactions, versioned set and delete, null-free getData. Prints "node-zookeeper-client OK".
'use strict';
const zookeeper = require('node-zookeeper-client');
const [connect, root] = process.argv.slice(2);
const base = '/' + root;

function fail(msg) { console.error('FAIL: ' + msg); process.exit(1); }
setTimeout(() => fail('timed out'), 60000).unref();
const call = (fn, ...args) => new Promise((res, rej) => fn(...args, (err, ...v) => err ? rej(err) : res(v)));

(async () => {
  const client = zookeeper.createClient(connect, { sessionTimeout: 10000, retries: 2 });
  await new Promise(res => { client.once('connected', res); client.connect(); });
  const zk = {
    create: (...a) => call(client.create.bind(client), ...a),
    getData: (...a) => call(client.getData.bind(client), ...a),
    setData: (...a) => call(client.setData.bind(client), ...a),
    getChildren: (...a) => call(client.getChildren.bind(client), ...a),
    exists: (...a) => call(client.exists.bind(client), ...a),
    remove: (...a) => call(client.remove.bind(client), ...a),
  };

  await zk.create(base, Buffer.from('root'), zookeeper.CreateMode.PERSISTENT);
  const events = [];
  const dataChanged = new Promise(res => zk.getData(base + '', ev => { events.push(ev.getName()); res(ev); })
    .then(([data, stat]) => { if (data.toString() !== 'root' || stat.version !== 0) fail('getData ' + data + ' v' + stat.version); }));
  const childrenChanged = new Promise(res => zk.getChildren(base, ev => { events.push(ev.getName()); res(ev); }));
  await new Promise(r => setTimeout(r, 0));
  const [stat] = await zk.setData(base, Buffer.from('changed'), 0);
  if (stat.version !== 1) fail('version after setData ' + stat.version);
  const dataEvent = await dataChanged;
  if (dataEvent.getType() !== zookeeper.Event.NODE_DATA_CHANGED) fail('data watch: ' + dataEvent);

  const [seqPath] = await zk.create(base + '/item-', Buffer.from('a'), zookeeper.CreateMode.PERSISTENT_SEQUENTIAL);
  if (!/item-\d{10}$/.test(seqPath)) fail('sequential path ' + seqPath);
  const childEvent = await childrenChanged;
  if (childEvent.getType() !== zookeeper.Event.NODE_CHILDREN_CHANGED) fail('child watch: ' + childEvent);
  await zk.create(base + '/eph', Buffer.from('e'), zookeeper.CreateMode.EPHEMERAL);

  try { await zk.setData(base, Buffer.from('stale'), 0); fail('a stale version was accepted'); }
  catch (e) { if (e.getCode() !== zookeeper.Exception.BAD_VERSION) fail('stale version: ' + e); }

  const results = await new Promise((res, rej) => client.transaction()
    .create(base + '/txn', Buffer.from('t'))
    .setData(base + '/txn', Buffer.from('t2'), 0)
    .check(base, 1)
    .commit((err, r) => err ? rej(err) : res(r)));
  if (results.length !== 3) fail('transaction results ' + JSON.stringify(results));

  const [children] = await zk.getChildren(base);
  if (children.length !== 3) fail('children ' + children);
  for (const c of children) await zk.remove(base + '/' + c, -1);
  await zk.remove(base, 1);
  const [gone] = await zk.exists(base);
  if (gone) fail(base + ' still exists');
  client.close();
  console.log('watch events: ' + events.join(', '));
  console.log('node-zookeeper-client OK');
  process.exit(0);
})().catch(e => fail(e && e.stack || e));
