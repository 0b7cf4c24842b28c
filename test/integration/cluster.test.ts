// Cluster mode (issue 14): three platforms in this process, one MariaDB database, each its own
// RedisBus, connection pool and DATA_DIR. Nothing a user relies on may live in one node's memory:
// messages reach sockets on every node in order, logins are throttled across nodes, a blacklisting
// on one node refuses bids on another, logout closes sockets everywhere, caches follow changes
// made elsewhere, and files uploaded on one node are read on another.
import { expect } from 'chai';
import { startTestCluster, type TestCluster } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { WsClient } from '../helpers/ws';
import { TestClient } from '../helpers/http';
import { ManualClock } from '../../server/db/time';
import { AttachmentStore } from '../../server/core/requisitions/attachments';
import { auctionBody, cookieFor, createBidders, type BidderFixture } from './auction-fixtures';
import { withTx } from '../../server/db/tx';
import { record } from '../../server/supervision/audit/audit';
import { systemActor } from '../../server/http/actor';

const T0 = Date.UTC(2027, 2, 9, 2, 0, 0);

describe(`cluster: three nodes on one database and Redis (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  const clock = new ManualClock(T0);
  let cl: TestCluster;
  const sockets: WsClient[] = [];
  before(async function () {
    if (TEST_DIALECT !== 'mysql') {
      console.warn('  pending: the cluster tests need a database every node shares: run with DB_CLIENT=mysql (MariaDB) and Redis');
      this.skip();
    }
    cl = await startTestCluster(3, { clock });
  });
  after(async () => {
    sockets.forEach((w) => w.close());
    await cl?.stop();
  });
  const node = (i: number) => cl.nodes[i];
  const connect = async (i: number, cookie: string) => {
    const ws = await WsClient.connect(node(i).url, cookie);
    sockets.push(ws);
    await ws.next((m) => m.type === 'hello');
    return ws;
  };

  it('runs in cluster mode: every node has a Redis bus of its own name, and its readiness counts it', async () => {
    const ready = await node(1).client().get('/api/health/ready');
    expect(ready.status).to.equal(200);
    expect(ready.body.sources.bus).to.deep.equal({ status: 'ok', nodeId: 'node-2' });
    expect(cl.nodes.map((n) => [n.bus.clustered, n.bus.nodeId, n.platform.realtime.clustered])).to.deep.equal([
      [true, 'node-1', true],
      [true, 'node-2', true],
      [true, 'node-3', true],
    ]);
  });

  it('delivers a message published on one node to the sockets on the others, in publishing order', async () => {
    const c = await node(0).as('purchaser');
    const me = (await c.get('/api/me')).body.user;
    const onB = await connect(1, c.cookie);
    const onC = await connect(2, c.cookie);
    for (const ws of [onB, onC]) {
      ws.send({ type: 'subscribe', channel: `user:${me.id}` });
      await ws.next((m) => m.type === 'subscribed');
    }
    for (let i = 0; i < 100; i++) node(0).platform.realtime.publish(`user:${me.id}`, { type: 'notice', n: i });
    node(2).platform.realtime.publish(`user:${me.id}`, { type: 'notice', n: 'from C' });
    for (const ws of [onB, onC]) {
      await ws.next((m) => m.type === 'notice' && m.n === 99);
      await ws.next((m) => m.type === 'notice' && m.n === 'from C');
      expect(ws.messages.filter((m) => m.type === 'notice' && typeof m.n === 'number').map((m) => m.n)).to.deep.equal([...Array(100).keys()]);
    }
    // A per-recipient function cannot cross nodes: refused at once rather than silently local.
    expect(() => node(0).platform.realtime.publish(`user:${me.id}`, () => ({ type: 'x' }))).to.throw(/publishShaped/);
  });

  it('locks an account after five failed logins spread over three nodes, on every node', async () => {
    const attempts = [0, 1, 2, 0, 1];
    for (const i of attempts) expect((await node(i).client().login('finance', 'wrong-password')).status).to.equal(401);
    for (const i of [0, 1, 2]) {
      const r = await node(i).client().login('finance');
      expect(r.status, `node ${i + 1}`).to.equal(429);
      expect(r.body.error.code).to.equal('RATE_LIMITED');
    }
    // Another account from the same address is not locked.
    expect((await node(2).client().login('supervisor')).status).to.equal(200);
  });

  it('closes the sockets of a session on every node when it logs out on one', async () => {
    const c = await node(0).as('operator');
    const onB = await connect(1, c.cookie);
    const onC = await connect(2, c.cookie);
    const other = await node(1).as('operator'); // another session of the same user stays
    const otherWs = await connect(1, other.cookie);
    expect((await c.post('/api/auth/logout')).status).to.equal(204);
    expect((await onB.waitClose()).code).to.equal(4001);
    expect((await onC.waitClose()).code).to.equal(4001);
    otherWs.send({ type: 'ping', id: 1 });
    expect((await otherWs.next((m) => m.type === 'pong')).id).to.equal(1);
  });

  describe('a competition run by node 1', () => {
    let bidders: BidderFixture[];
    let id: number;
    before(async () => {
      bidders = await createBidders(node(0).db, clock, 3, { prefix: 'cl' });
      const op = await node(0).as('operator');
      const created = await op.post('/api/auctions', auctionBody(new Date(T0 + 3600_000), { visibility: 'best_price' }));
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      id = created.body.id;
      for (const b of bidders) {
        const c = new TestClient(node(0).url);
        Object.assign(c, await cookieFor(node(0).platform.sessions, b.userId));
        expect((await c.post(`/api/auctions/${id}/join`, { brand: b.brand, model: b.model, deviceId: `dev-${b.supplierId}` })).status).to.equal(201);
      }
      clock.set(T0 + 3600_000 + 1);
      await node(0).platform.scheduler.runDue(); // node 1 opens it and runs its sequencer
    });

    const bidOn = async (ws: WsClient, amount: number, clientBidId: string) => {
      ws.send({ type: 'bid', auctionId: id, amount, clientBidId });
      return ws.next((m) => (m.type === 'bid.accepted' || m.type === 'bid.rejected') && m.clientBidId === clientBidId, 10_000);
    };

    it('shapes its states on each node for that node\'s sockets: a supplier on node 2 sees its own part, a supervisor on node 3 sees names', async () => {
      const [a, b] = bidders;
      const aOnA = await connect(0, (await cookieFor(node(0).platform.sessions, a.userId)).cookie);
      const bOnB = await connect(1, (await cookieFor(node(0).platform.sessions, b.userId)).cookie);
      const sv = await node(2).as('supervisor');
      const svOnC = await connect(2, sv.cookie);
      for (const ws of [bOnB, svOnC]) {
        ws.send({ type: 'subscribe', channel: `auction:${id}` });
        await ws.next((m) => m.type === 'auction.state' && m.auctionId === id);
      }
      // The other nodes' red-flag engines keep the competition's cached events through its bid
      // batches (its view comes from the auctions tables, its bids read from the database as they
      // come): no drop crosses the bus per batch. Its other events still drop it (below).
      const forgotten: Array<string[] | null> = [];
      const off = node(2).platform.caches.register('supervision-process-events', { stale: () => false, remoteOnly: true, drop: (keys) => forgotten.push(keys) });
      expect(await bidOn(aOnA, 24_000_000, 'cl-a1')).to.include({ type: 'bid.accepted', seq: 1 });
      const bSees = await bOnB.next((m) => m.type === 'auction.state' && m.seq === 1);
      expect(bSees.best).to.equal(24_000_000);
      expect(bSees.you).to.include({ lastBid: null, brand: b.brand });
      expect(JSON.stringify(bSees)).to.not.include(a.brand); // never another supplier's identity
      const svSees = await svOnC.next((m) => m.type === 'auction.state' && m.seq === 1);
      expect(svSees.you).to.equal(undefined);
      expect(JSON.stringify(svSees.ladder)).to.include('cl 测试供应商 1');
      // A sentinel committed on the owner (node 1) after the bid: its drop crosses the bus behind
      // any the bid's batch sent (one publisher, one order), so once it is here, nothing else is coming.
      await withTx(node(0).db, (tx) => record(tx, systemActor('cluster-test', clock), { action: 'auction.suspended', entityType: 'auction', entityId: 990_000 + id, after: { auctionId: 990_000 + id } }));
      for (let i = 0; i < 1000 && !forgotten.some((k) => k?.includes(`competition:${990_000 + id}`)); i++) await new Promise((r) => setTimeout(r, 10));
      off();
      expect(forgotten.some((k) => k?.includes(`competition:${990_000 + id}`)), JSON.stringify(forgotten)).to.equal(true);
      expect(forgotten.some((k) => k?.includes(`competition:${id}`)), JSON.stringify(forgotten)).to.equal(false);
    });

    it('refuses the bids of a supplier blacklisted on another node at once (the eligibility cache is dropped on every node)', async () => {
      const c = bidders[2];
      const ws = await connect(0, (await cookieFor(node(0).platform.sessions, c.userId)).cookie);
      // The first bid fills node 1's eligibility cache; the manual clock never lets it expire.
      expect(await bidOn(ws, 23_000_000, 'cl-c1')).to.include({ type: 'bid.accepted' });
      const op = await node(1).as('operator');
      const bl = await op.post(`/api/suppliers/${c.supplierId}/blacklist`, { reason: '串通投标', source: '阳财采〔2027〕1号', startsAt: new Date(T0).toISOString(), endsAt: new Date(T0 + 365 * 86_400_000).toISOString() });
      expect(bl.status, JSON.stringify(bl.body)).to.equal(201);
      // Bids may slip through only while the drop crosses Redis (milliseconds; the manual clock
      // never expires the cache, so without the drop every bid would be accepted).
      const blacklistedAt = Date.now();
      let answer: any = null;
      for (let i = 0; i < 250 && answer?.type !== 'bid.rejected'; i++) {
        answer = await bidOn(ws, 22_000_000 - i * 10_000, `cl-c2-${i}`);
        if (answer.type !== 'bid.rejected') await new Promise((r) => setTimeout(r, 20));
      }
      expect(answer).to.include({ type: 'bid.rejected', code: 'SUPPLIER_BLACKLISTED' });
      expect(Date.now() - blacklistedAt, 'still accepted long after the blacklisting').to.be.below(5000);
    });
  });

  it('sees a rule setting and a calendar day changed on another node, and drops the engine\'s calendar there', async () => {
    const dropped: Array<[string[] | null, boolean]> = [];
    const off = node(2).platform.caches.register('supervision-calendar', { stale: () => false, drop: (keys, local) => dropped.push([keys, local]) });
    try {
      const sv = await node(0).as('supervisor');
      const put = await sv.request('PUT', '/api/supervision/rules/R003', { enabled: false });
      expect(put.status, JSON.stringify(put.body)).to.equal(200);
      const onB = await (await node(1).as('supervisor')).get('/api/supervision/rules');
      expect(onB.body.items.find((r: any) => r.code === 'R003').enabled).to.equal(false);

      const admin = await node(0).as('admin');
      expect((await admin.request('PUT', '/api/calendar/2027-03-15', { kind: 'holiday', name: '城市纪念日' })).status).to.equal(200);
      const cal = await (await node(2).as('admin')).get('/api/calendar?year=2027');
      expect(cal.status).to.equal(200);
      expect(JSON.stringify(cal.body)).to.include('城市纪念日');
      for (let i = 0; i < 1000 && dropped.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(dropped).to.deep.equal([[null, false]]);
    } finally {
      off();
    }
  });

  it('builds the monitoring board only where a supervisor watches it, and follows there a change committed on another node', async () => {
    // The board's own statement (projects by stage and method): counted per node.
    const builds = [0, 0, 0];
    const listeners = [0, 1, 2].map((i) => {
      const fn = (q: { sql: string }) => /count\(\*\).*from `procurement_projects` group by `stage`, `method`/.test(q.sql) && builds[i]++;
      node(i).db.on('query', fn);
      return fn;
    });
    try {
      const sup = await node(1).as('supervisor');
      const ws = await connect(1, sup.cookie);
      ws.send({ type: 'subscribe', channel: 'supervision:board' });
      const snap = await ws.next((m) => m.type === 'supervision.board');
      const before = snap.board.alerts.open as number;
      // An event committed on node 1 raises an alert there; node 2's board shows it within its poll.
      await withTx(node(0).db, (tx) => record(tx, systemActor('cluster-test', clock), { action: 'sealed.read_attempt', entityType: 'expert_draw', entityId: 77, after: { orgId: 4 } }));
      const pushed = await ws.next((m) => m.type === 'supervision.board' && m.board.alerts.open === before + 1, 5000);
      expect(pushed.board.alerts.latest[0].ruleCode).to.equal('SV10');
      // More commits on node 1 with nobody watching there or on node 3: neither builds a board.
      for (let i = 0; i < 3; i++) await withTx(node(0).db, (tx) => record(tx, systemActor('cluster-test', clock), { action: 'cluster.test_changed', entityType: 'thing', entityId: i }));
      await new Promise((r) => setTimeout(r, 1500));
      expect(builds[0]).to.equal(0);
      expect(builds[2]).to.equal(0);
      expect(builds[1]).to.be.greaterThan(1);
      // An unchanged board is not sent again (node 2 polls every second).
      const n = ws.messages.filter((m) => m.type === 'supervision.board').length;
      await new Promise((r) => setTimeout(r, 1200));
      expect(ws.messages.filter((m) => m.type === 'supervision.board').length).to.equal(n);
      ws.close();
    } finally {
      listeners.forEach((fn, i) => node(i).db.off('query', fn));
    }
  });

  it('reads on one node a file stored by another (nodes share no disk)', async () => {
    const bytes = Buffer.from(`需求论证报告 ${Date.now()}`, 'utf8');
    const sha = await new AttachmentStore(node(0).db, 'requisitions').save(bytes);
    expect(node(0).config.dataDir).to.not.equal(node(1).config.dataDir);
    expect((await AttachmentStore.forDataDir(node(1).db, node(1).config.dataDir).read(sha)).equals(bytes)).to.equal(true);
    // A report export written on node 1 downloads from node 3.
    const fin = await node(0).as('admin'); // (finance is locked by the throttling test)
    const r = await fin.post('/api/reports/exports', { report: 'suppliers', format: 'csv', lang: 'zh', params: {} });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    let status = r.body.status;
    for (let i = 0; i < 200 && status !== 'done' && status !== 'failed'; i++) {
      await new Promise((res) => setTimeout(res, 25));
      status = (await fin.get(`/api/reports/exports/${r.body.id}`)).body.status;
    }
    expect(status).to.equal('done');
    const onC = new TestClient(node(2).url);
    onC.cookie = fin.cookie;
    const file = await onC.get(`/api/reports/exports/${r.body.id}/file`);
    expect(file.status).to.equal(200);
    expect(String(file.body)).to.include('统一社会信用代码');
  });
});
