// One owner per competition, two nodes in one process (each its own platform and Redis bus, one
// database): the node that opens a competition holds its lease; a bid or a step reaching the
// other node is forwarded to the owner and answered on the bidder's own socket; when the lease
// moves, the old owner's next batch is fenced off (nothing stored) and its bidder's resend, same
// clientBidId, is answered once by the new owner. On a single node (in-process bus) there is no
// lease at all. The three-process kill tests are in auction-cluster.test.ts.
import { expect } from 'chai';
import { createTestDb, TEST_DIALECT, type TestDb } from '../helpers/db';
import { WsClient } from '../helpers/ws';
import { TestClient } from '../helpers/http';
import { seedDemo } from '../../db/seeds/demo';
import { systemClock } from '../../server/db/time';
import { createPlatform, type Platform } from '../../server/platform';
import { parseEnv, DEFAULT_LIMITS, type Config } from '../../server/config';
import { createBus, type ClusterBus } from '../../server/realtime/bus';
import { createLogger } from '../../server/http/log';
import type { AuctionService } from '../../server/execution/auctions/service';
import { auctionBody, cookieFor, createBidders, JOIN_LEAD_MS, moveStart, type BidderFixture } from './auction-fixtures';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const serviceOf = ({ p }: { p: Platform }) => (p.modules.find((m) => m.name === 'auctions') as unknown as { service: AuctionService }).service;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 8000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe(`one owner per competition, two nodes in one process (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let t: TestDb;
  let bidders: BidderFixture[];
  const nodes: Array<{ p: Platform; url: string; bus: ClusterBus }> = [];
  const sockets: WsClient[] = [];

  before(async function () {
    const ns = `test:owners:${process.pid}:${Date.now()}:`;
    const log = createLogger('silent');
    try {
      for (const id of ['node-a', 'node-b']) nodes.push({ bus: await createBus({ redisUrl: REDIS_URL, nodeId: id, log, namespace: ns }), p: null as unknown as Platform, url: '' });
    } catch (err) {
      console.warn(`  pending: the owner tests need Redis at ${REDIS_URL} (${(err as Error).message})`);
      this.skip();
    }
    t = await createTestDb();
    await seedDemo(t.db, systemClock, { experts: 5, suppliers: 8 });
    bidders = await createBidders(t.db, systemClock, 3, { prefix: 'own' });
    const { givenSecrets: _g, ...base } = parseEnv({ NODE_ENV: 'test' });
    const config: Config = { ...base, dbClient: t.db.dialect, databaseUrl: t.databaseUrl, dataDir: t.dataDir, secrets: { sessionSecret: 'owner-test-session-secret-0123456789ab', sealKey: 'ab'.repeat(32), financeHmacSecret: 'owner-test-finance-secret-0123456789ab' } };
    for (const n of nodes) {
      // The test drives the scheduler (runDue) so it knows which node opens the competition.
      n.p = createPlatform({ config, db: t.db, clock: systemClock, log, bus: n.bus, autoStartScheduler: false });
      n.url = await n.p.listen(0, '127.0.0.1');
    }
  });
  after(async () => {
    for (const s of sockets) s.close();
    for (const n of nodes) {
      await n.p?.close();
      await n.bus.close();
    }
    await t?.destroy();
  });

  it('forwards bids and steps to the owner, fences off an owner that lost its lease, and answers every resend once', async () => {
    const [a, b] = nodes;
    const op = new TestClient(a.url);
    await op.login('operator');
    const created = await op.post('/api/auctions', auctionBody(new Date(Date.now() + JOIN_LEAD_MS), { visibility: 'ladder' }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as number;
    // Bidder 0 and 1 on node B, bidder 2 on node A.
    const at = [b, b, a];
    for (const [i, bd] of bidders.entries()) {
      const c = new TestClient(at[i].url);
      Object.assign(c, await cookieFor(a.p.sessions, bd.userId));
      expect((await c.post(`/api/auctions/${id}/join`, { brand: bd.brand, model: bd.model })).status).to.equal(201);
      sockets.push(await WsClient.connect(at[i].url, c.cookie));
    }
    await moveStart(t.db, id);
    expect(await a.p.scheduler.runDue()).to.be.greaterThan(0);
    const lease = await t.db('auction_owners').where({ auction_id: id }).first();
    expect(lease).to.include({ node_id: 'node-a' });
    expect(Number(lease.epoch)).to.equal(1);
    expect(serviceOf(a).engine.live.has(id)).to.equal(true);
    expect(serviceOf(b).engine.live.has(id)).to.equal(false);

    // A bid on node B travels to node A and its answer comes back on B's socket.
    sockets[0].send({ type: 'bid', auctionId: id, amount: 24_000_000, clientBidId: 'b0-1' });
    const first = await sockets[0].next((m) => m.clientBidId === 'b0-1');
    expect(first, JSON.stringify(first)).to.include({ type: 'bid.accepted', seq: 1 });
    expect(serviceOf(b).link!.stats.forwarded).to.be.greaterThan(0);
    expect(serviceOf(a).link!.stats.served).to.be.greaterThan(0);
    // A resend through B is the same answer, not a second bid.
    sockets[0].send({ type: 'bid', auctionId: id, amount: 24_000_000, clientBidId: 'b0-1' });
    expect((await until('two answers', async () => sockets[0].messages.filter((m) => m.clientBidId === 'b0-1').length === 2 && sockets[0].messages.filter((m) => m.clientBidId === 'b0-1')))[1]).to.include({ type: 'bid.accepted', seq: 1 });
    sockets[2].send({ type: 'bid', auctionId: id, amount: 23_900_000, clientBidId: 'a2-1' });
    expect(await sockets[2].next((m) => m.clientBidId === 'a2-1')).to.include({ type: 'bid.accepted', seq: 2 });
    // A step on a non-owner goes to the owner too: suspend and resume through node B.
    const opB = new TestClient(b.url);
    await opB.login('operator');
    const susp = await opB.post(`/api/auctions/${id}/suspend`, { reason: '网络故障排查' });
    expect(susp.status, JSON.stringify(susp.body)).to.equal(201);
    expect(susp.body.status).to.equal('suspended');
    expect(serviceOf(a).engine.live.get(id)!.a.status).to.equal('suspended');
    const res = await opB.post(`/api/auctions/${id}/resume`, { reason: '故障已排除' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.status).to.equal('running');

    if (TEST_DIALECT === 'mysql') {
      // A busy owner keeps its competition: its main thread blocked past the lease (both nodes
      // here share the thread), node A's lease keeper still renews it, so node B takes nothing.
      const block = Date.now() + 2 * DEFAULT_LIMITS.ownerLeaseMs;
      while (Date.now() < block) Math.sqrt(Math.random());
      await new Promise((r) => setTimeout(r, DEFAULT_LIMITS.ownerRenewMs * 2));
      const kept = await t.db('auction_owners').where({ auction_id: id }).first();
      expect(kept).to.include({ node_id: 'node-a' });
      expect(Number(kept.epoch)).to.equal(1);
      expect(serviceOf(b).ownership.stats.takenOver).to.equal(0);
      sockets[2].send({ type: 'bid', auctionId: id, amount: 23_850_000, clientBidId: 'a2-busy' });
      expect(await sockets[2].next((m) => m.clientBidId === 'a2-busy')).to.include({ type: 'bid.accepted', seq: 3 });
    }
    const next = TEST_DIALECT === 'mysql' ? 1 : 0;

    // Node A stops renewing (as if paused); once its lease runs out node B's sweep takes it (the next epoch).
    serviceOf(a).ownership.stop();
    const stoppedAt = Date.now();
    await until('node B to take the lease', async () => (await t.db('auction_owners').where({ auction_id: id, node_id: 'node-b' }).first()) && serviceOf(b).engine.live.has(id), 10_000);
    // Not before the lease ran out (at least 1 s after its last renewal); the upper bound is loose.
    expect(Date.now() - stoppedAt).to.be.within(1000, 8000);
    sockets[1].send({ type: 'bid', auctionId: id, amount: 23_800_000, clientBidId: 'b1-1' });
    expect(await sockets[1].next((m) => m.clientBidId === 'b1-1')).to.include({ type: 'bid.accepted', seq: 3 + next });
    const moved = await t.db('auction_owners').where({ auction_id: id }).first();
    expect(moved).to.include({ node_id: 'node-b' });
    expect(Number(moved.epoch)).to.equal(2);
    expect(serviceOf(b).engine.live.has(id)).to.equal(true);

    // Node A still believes it owns it: its next batch is fenced off, nothing is stored, the bidder is told to resend.
    expect(serviceOf(a).engine.live.has(id)).to.equal(true);
    const fencedBefore = serviceOf(a).engine.stats.fencedBatches;
    sockets[2].send({ type: 'bid', auctionId: id, amount: 23_700_000, clientBidId: 'a2-2' });
    const refused = await sockets[2].next((m) => m.clientBidId === 'a2-2');
    expect(refused).to.include({ type: 'bid.rejected', code: 'SERVICE_UNAVAILABLE' });
    expect(refused.retryAfterMs).to.be.at.most(500);
    expect(serviceOf(a).engine.stats.fencedBatches).to.equal(fencedBefore + 1);
    expect(serviceOf(a).engine.live.has(id)).to.equal(false);
    expect(await t.db('auction_bids').where({ auction_id: id, client_bid_id: 'a2-2' }).first()).to.equal(undefined);
    // The resend, same clientBidId, goes to node B and is accepted once.
    sockets[2].send({ type: 'bid', auctionId: id, amount: 23_700_000, clientBidId: 'a2-2' });
    expect(await until('the resend answer', async () => sockets[2].messages.find((m) => m.clientBidId === 'a2-2' && m.type === 'bid.accepted'))).to.include({ seq: 4 + next });

    const rows = await t.db('auction_bids').where({ auction_id: id }).orderBy('seq');
    // Each row names the epoch it was committed under: node A's (1), then node B's (2), never back.
    expect(rows.map((r: any) => [Number(r.seq), r.client_bid_id, Number(r.owner_epoch)])).to.deep.equal([
      [1, 'b0-1', 1],
      [2, 'a2-1', 1],
      ...(next ? [[3, 'a2-busy', 1]] : []),
      [3 + next, 'b1-1', 2],
      [4 + next, 'a2-2', 2],
    ]);
    // The operators' readiness report says so (it is refreshed by the health checks).
    const cluster = await until('the readiness report', async () => {
      const ready = await (await fetch(`${a.url}/api/health/ready`)).json();
      const c = (ready.sources ?? ready.error?.details?.sources)?.bids?.cluster;
      return c?.fencedBatches === 1 && c;
    });
    expect(cluster).to.include({ nodeId: 'node-a', lost: 1 });
    expect(cluster.owned).to.deep.equal([]);
    // Reads on any node show the committed state.
    const sup = new TestClient(a.url);
    await sup.login('supervisor');
    const st = (await sup.get(`/api/auctions/${id}/state`)).body;
    expect(st).to.include({ seq: 4 + next, best: 23_700_000, status: 'running' });

    // A node listens to a competition's states only while one of its sockets watches it: node A
    // (no watcher) never parses or shapes them; node B stops listening when its watcher leaves.
    const listens = (n: { bus: ClusterBus }) => (n.bus as unknown as { handlers: { has(topic: string): boolean } }).handlers.has(`ws:auction:${id}`);
    expect([listens(a), listens(b)]).to.deep.equal([false, false]);
    sockets[0].send({ type: 'subscribe', channel: `auction:${id}` });
    expect(await sockets[0].next((m) => m.type === 'auction.state' && m.auctionId === id)).to.include({ seq: 4 + next });
    expect([listens(a), listens(b)]).to.deep.equal([false, true]);
    sockets[1].send({ type: 'bid', auctionId: id, amount: 23_600_000, clientBidId: 'b1-2' });
    expect(await sockets[1].next((m) => m.clientBidId === 'b1-2')).to.include({ type: 'bid.accepted', seq: 5 + next });
    expect(await sockets[0].next((m) => m.type === 'auction.state' && m.seq === 5 + next)).to.include({ auctionId: id });
    sockets[0].send({ type: 'unsubscribe', channel: `auction:${id}` });
    await sockets[0].next((m) => m.type === 'unsubscribed');
    expect([listens(a), listens(b)]).to.deep.equal([false, false]);
  });

  it('knows every other node\'s live lease from its sweep: a bid after a quiet spell longer than the lease goes to the owner without reading the lease', async () => {
    // The test before stopped node A's renewals (as if paused): both nodes renew again.
    for (const n of nodes) serviceOf(n).ownership.start();
    const op = new TestClient(nodes[0].url);
    await op.login('operator');
    const created = await op.post('/api/auctions', auctionBody(new Date(Date.now() + JOIN_LEAD_MS), { visibility: 'ladder', title: 'quiet spell' }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as number;
    // Three suppliers join (fewer and the competition does not open).
    const clients: TestClient[] = [];
    for (const bd of bidders) {
      const c = new TestClient(nodes[0].url);
      Object.assign(c, await cookieFor(nodes[0].p.sessions, bd.userId));
      expect((await c.post(`/api/auctions/${id}/join`, { brand: bd.brand, model: bd.model })).status).to.equal(201);
      clients.push(c);
    }
    const joining = clients[0];
    await moveStart(t.db, id);
    expect(await nodes[0].p.scheduler.runDue()).to.be.greaterThan(0);
    // The owner (the node that opened it, or the other one's sweep if it came first); the bidder sits on the other.
    const a = await until('an owner', async () => nodes.find((n) => serviceOf(n).engine.live.has(id)));
    const b = nodes.find((n) => n !== a)!;
    const ws = await WsClient.connect(b.url, joining.cookie);
    // Nothing of this competition has reached node B; its sweep (every renewal tick) saw node A's lease.
    const ownershipB = serviceOf(b).ownership;
    const seen = await until('node B to see the lease', async () => ownershipB.lastSeen.get(id));
    expect(seen).to.include({ nodeId: serviceOf(a).ownership.nodeId, epoch: 1 });
    // Quiet for longer than a lease: the view node B had at first has run out, the sweep keeps it current.
    const firstSeen = seen.expiresAt.getTime();
    await until('the first view to run out', async () => Date.now() > firstSeen + DEFAULT_LIMITS.ownerRenewMs);
    expect(ownershipB.lastSeen.get(id)!.expiresAt.getTime()).to.be.greaterThan(Date.now());
    let reads = 0;
    const acquire = ownershipB.acquire.bind(ownershipB);
    ownershipB.acquire = (auctionId: number) => (reads++, acquire(auctionId));
    try {
      ws.send({ type: 'bid', auctionId: id, amount: 24_000_000, clientBidId: 'quiet-1' });
      expect(await ws.next((m) => m.clientBidId === 'quiet-1')).to.include({ type: 'bid.accepted', seq: 1 });
    } finally {
      ownershipB.acquire = acquire;
      ws.close();
    }
    expect(reads).to.equal(0);
    expect(serviceOf(b).engine.live.has(id)).to.equal(false);
  });

  it('a single node (in-process bus) has no lease and no fence', async () => {
    const single = await createBus({ nodeId: 'solo', log: createLogger('silent') });
    expect(single.clustered).to.equal(false);
    const { givenSecrets: _g, ...base } = parseEnv({ NODE_ENV: 'test' });
    const p = createPlatform({ config: { ...base, dbClient: t.db.dialect, databaseUrl: t.databaseUrl, dataDir: t.dataDir, secrets: { sessionSecret: 'x'.repeat(40), sealKey: 'ab'.repeat(32), financeHmacSecret: 'y'.repeat(40) } }, db: t.db, clock: systemClock, log: createLogger('silent'), bus: single, autoStartScheduler: false });
    const s = serviceOf({ p });
    expect(s.link).to.equal(null);
    expect(s.engine.fence).to.equal(null);
    expect(s.ownership.ownsFresh(123456)).to.equal(true);
    await p.close();
  });
});
