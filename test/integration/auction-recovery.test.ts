// SIGKILL mid-competition: the real server as a child process, killed with -9 and restarted.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createTestDb, TEST_DIALECT, type TestDb } from '../helpers/db';
import { WsClient } from '../helpers/ws';
import { TestClient } from '../helpers/http';
import { seedDemo } from '../../db/seeds/demo';
import { systemClock, toDbTime } from '../../server/db/time';
import { SessionStore } from '../../server/http/auth/sessions';
import { auctionBody, cookieFor, createBidders, JOIN_LEAD_MS, moveStart, type BidderFixture } from './auction-fixtures';

const SECRET = 'recovery-test-session-secret-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe(`competition survives SIGKILL (${TEST_DIALECT})`, function () {
  this.timeout(120000);
  let t: TestDb;
  let child: ChildProcess | null = null;
  let port = 0;
  let bidders: BidderFixture[];
  const base = () => `http://127.0.0.1:${port}`;

  async function startServer(): Promise<void> {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), NODE_ENV: 'development', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: t.dataDir, SEED_DEMO: 'false', SESSION_SECRET: SECRET };
    delete env.DB_CLIENT;
    delete env.DATABASE_URL;
    if (t.databaseUrl) env.DATABASE_URL = t.databaseUrl;
    child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${base()}/api/health`)).ok) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('server did not start');
  }

  before(async () => {
    t = await createTestDb();
    await seedDemo(t.db, systemClock, { experts: 5, suppliers: 8 });
    bidders = await createBidders(t.db, systemClock, 3, { prefix: 'kill' });
    port = await freePort();
  });
  after(async () => {
    child?.kill('SIGKILL');
    await t?.destroy();
  });

  it('resumes with the same best price, ranks, sequence and end time, and re-arms its timers', async () => {
    await startServer();
    const sessions = new SessionStore(t.db, SECRET, systemClock);
    const op = new TestClient(base());
    await op.login('operator');
    const created = await op.post('/api/auctions', auctionBody(new Date(Date.now() + JOIN_LEAD_MS), { visibility: 'ladder', durationSec: 300 }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id;
    const sockets: WsClient[] = [];
    for (const b of bidders) {
      const c = new TestClient(base());
      const { cookie, csrf } = await cookieFor(sessions, b.userId);
      Object.assign(c, { cookie, csrf });
      expect((await c.post(`/api/auctions/${id}/join`, { brand: b.brand, model: b.model })).status).to.equal(201);
      sockets.push(await WsClient.connect(base(), cookie));
    }
    await moveStart(t.db, id);
    // The node-cron tick opens it at the start time.
    for (let i = 0; i < 100 && (await t.db('auctions').where({ id }).first()).status !== 'running'; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await t.db('auctions').where({ id }).first()).status).to.equal('running');
    const acked: any[] = [];
    for (let k = 0; k < 5; k++) {
      for (let i = 0; i < 3; i++) {
        const cb = `k${k}-${i}`;
        sockets[i].send({ type: 'bid', auctionId: id, amount: 24_000_000 - k * 300_000 - i * 20_000, clientBidId: cb });
        acked.push(await sockets[i].next((m) => m.clientBidId === cb));
      }
    }
    expect(acked.every((a) => a.type === 'bid.accepted')).to.equal(true);
    // A burst still in flight when the process dies: whatever was acknowledged must survive.
    const inflight: Promise<any>[] = [];
    for (let i = 0; i < 3; i++) {
      const cb = `burst-${i}`;
      sockets[i].send({ type: 'bid', auctionId: id, amount: 22_000_000 - i * 20_000, clientBidId: cb });
      inflight.push(sockets[i].next((m) => m.clientBidId === cb, 1500).catch(() => null));
    }
    const sup = new TestClient(base());
    await sup.login('supervisor');
    await new Promise((r) => setTimeout(r, 5));
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const burst = (await Promise.all(inflight)).filter((a) => a?.type === 'bid.accepted');
    const rows = await t.db('auction_bids').where({ auction_id: id }).orderBy('seq');
    for (const a of [...acked, ...burst]) expect(rows.some((r: any) => Number(r.seq) === a.seq && Number(r.amount_fen) === a.amount), `acked seq ${a.seq} lost`).to.equal(true);
    expect(rows.map((r: any) => Number(r.seq))).to.deep.equal(rows.map((_: unknown, i: number) => i + 1));
    const dbRow = await t.db('auctions').where({ id }).first();
    expect(Number(dbRow.last_seq)).to.equal(rows.length);

    await startServer();
    const sup2 = new TestClient(base());
    await sup2.login('supervisor');
    const st = (await sup2.get(`/api/auctions/${id}/state`)).body;
    expect(st.status).to.equal('running');
    expect(st.seq).to.equal(rows.length);
    expect(st.best).to.equal(Math.min(...rows.map((r: any) => Number(r.amount_fen))));
    expect(new Date(st.endsAt).getTime()).to.equal(new Date(dbRow.ends_at.replace(' ', 'T') + 'Z').getTime());
    const lastBy = new Map<number, { a: number; s: number }>();
    for (const r of rows) lastBy.set(Number(r.supplier_id), { a: Number(r.amount_fen), s: Number(r.seq) });
    expect(st.ladder.map((r: any) => r.supplierId)).to.deep.equal([...lastBy.entries()].sort((x, y) => x[1].a - y[1].a || x[1].s - y[1].s).map(([sid]) => sid));

    // Reconnect: a retried clientBidId gets its first answer; the sequence continues.
    const { cookie } = await cookieFor(sessions, bidders[0].userId);
    const ws = await WsClient.connect(base(), cookie);
    ws.send({ type: 'bid', auctionId: id, amount: 1_000, clientBidId: 'k0-0' });
    expect(await ws.next((m) => m.clientBidId === 'k0-0')).to.include({ type: 'bid.accepted', seq: acked[0].seq, amount: acked[0].amount });
    ws.send({ type: 'subscribe', channel: `auction:${id}` });
    const snap = await ws.next((m) => m.type === 'auction.state');
    expect(snap.seq).to.equal(rows.length);
    const own = snap.you.lastBid as number;
    ws.send({ type: 'bid', auctionId: id, amount: Math.min(own, snap.best) - 200_000, clientBidId: 'after-restart' });
    expect(await ws.next((m) => m.clientBidId === 'after-restart')).to.include({ type: 'bid.accepted', seq: rows.length + 1 });

    // Timers: kill again, move the end close while down; the restarted server closes on time.
    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const endsAt = Date.now() + 2500;
    await t.db('auctions').where({ id }).update({ ends_at: toDbTime(endsAt) });
    await t.db('scheduled_jobs').where({ job_key: `auction:close:${id}` }).update({ run_at: toDbTime(endsAt + 60_000) });
    await startServer();
    const upAt = Date.now();
    for (let i = 0; i < 150 && (await t.db('auctions').where({ id }).first()).status === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
    const closed = await t.db('auctions').where({ id }).first();
    expect(closed.status).to.equal('closed');
    // At the end (or at once, if the restart itself took longer), not at the stale job's time.
    expect(new Date(closed.closed_at.replace(' ', 'T') + 'Z').getTime()).to.be.within(endsAt, Math.max(endsAt, upAt) + 3000);
    expect(Number(closed.winner_price_fen)).to.equal(Math.min(own, snap.best) - 200_000);
    ws.close();
    sockets.forEach((s) => s.close());
  });
});
