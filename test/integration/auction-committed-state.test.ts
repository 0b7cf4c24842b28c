// Readers never run ahead of the commit (issue 14's first sequencer defect): while a bid batch is
// held open inside its transaction, GET /state, a new subscriber's first snapshot and the
// broadcasts all show the competition as it was before the batch; once it commits they show the
// bid; when it fails, nobody ever saw it.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { WsClient } from '../helpers/ws';
import { TestClient } from '../helpers/http';
import { ManualClock } from '../../server/db/time';
import type { AuctionService } from '../../server/execution/auctions/service';
import { auctionBody, cookieFor, createBidders, type BidderFixture } from './auction-fixtures';

const T0 = Date.UTC(2027, 2, 9, 2, 0, 0);

describe(`competition state shows only committed bids (${TEST_DIALECT})`, function () {
  this.timeout(60_000);
  const clock = new ManualClock(T0);
  let s: TestServer;
  let service: AuctionService;
  let bidders: BidderFixture[];
  const sockets: WsClient[] = [];
  before(async () => {
    s = await startTestServer({ clock });
    bidders = await createBidders(s.tdb.db, clock, 3, { prefix: 'cs' });
    service = (s.platform.modules.find((m) => m.name === 'auctions') as unknown as { service: AuctionService }).service;
  });
  after(async () => {
    service.engine.beforeBatchWrites = null;
    sockets.forEach((w) => w.close());
    await s?.stop();
  });

  const connect = async (userId: number) => {
    const { cookie } = await cookieFor(s.platform.sessions, userId);
    const ws = await WsClient.connect(s.url, cookie);
    sockets.push(ws);
    return ws;
  };
  /** A batch gate: the next batch waits inside its transaction until released (or failed). */
  function holdNextBatch() {
    let entered!: () => void;
    let release!: (err?: Error) => void;
    const inside = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((resolve, reject) => (release = (err) => (err ? reject(err) : resolve())));
    service.engine.beforeBatchWrites = async () => {
      service.engine.beforeBatchWrites = null;
      entered();
      await gate;
    };
    return { inside, release };
  }

  it('answers /state, snapshots and broadcasts from the committed state while a batch is held open, and never shows a failed one', async () => {
    const op = await s.as('operator');
    const created = await op.post('/api/auctions', auctionBody(new Date(T0 + 3600_000), { visibility: 'best_price' }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id;
    for (const b of bidders) {
      const c = new TestClient(s.url);
      Object.assign(c, await cookieFor(s.platform.sessions, b.userId));
      expect((await c.post(`/api/auctions/${id}/join`, { brand: b.brand, model: b.model, deviceId: `dev-${b.supplierId}` })).status).to.equal(201);
    }
    clock.set(T0 + 3600_000 + 1);
    await s.platform.scheduler.runDue();
    const [a, b, c] = await Promise.all(bidders.map((x) => connect(x.userId)));
    for (const w of [a, b]) {
      w.send({ type: 'subscribe', channel: `auction:${id}` });
      await w.next((m) => m.type === 'auction.state' && m.auctionId === id);
    }
    const send = async (w: WsClient, amount: number, clientBidId: string) => {
      w.send({ type: 'bid', auctionId: id, amount, clientBidId });
      return w.next((m) => (m.type === 'bid.accepted' || m.type === 'bid.rejected') && m.clientBidId === clientBidId, 10_000);
    };
    expect((await send(a, 20_000_000, 'a1')).seq).to.equal(1);
    await b.next((m) => m.type === 'auction.state' && m.seq === 1);
    const supervisor = { id: 0, username: 'sv', displayName: 'sv', roles: ['supervisor'], orgId: null, supplierId: null, locale: 'zh-CN', timeZone: 'Asia/Shanghai', sessionId: 'x', csrfToken: 'x' } as any;
    /**
     * What readers are answered: the state service (behind GET /state); on MariaDB also the HTTP
     * route and a new subscriber's first snapshot (SQLite's one connection is the held batch's,
     * so a request needing the database, a session lookup, waits for it there).
     */
    const readers = async () => {
      const out: any[] = [await service.state(supervisor, id)];
      if (TEST_DIALECT === 'mysql') {
        const viaHttp = await op.get(`/api/auctions/${id}/state`);
        expect(viaHttp.status).to.equal(200);
        const viaSnapshot = await connect(bidders[2].userId);
        viaSnapshot.send({ type: 'subscribe', channel: `auction:${id}` });
        out.push(viaHttp.body, await viaSnapshot.next((m) => m.type === 'auction.state' && m.auctionId === id));
        viaSnapshot.close();
      }
      return out;
    };

    // Held open: the batch has validated bid 2 (in memory) but not committed it.
    const held = holdNextBatch();
    b.messages.length = 0;
    const answer = send(b, 19_000_000, 'b1');
    await held.inside;
    for (const r of await readers()) expect(r, 'a reader ran ahead of the commit').to.include({ seq: 1, best: 20_000_000 });
    expect(b.messages.filter((m) => m.type === 'auction.state' && m.seq >= 2), 'no broadcast before the commit').to.deep.equal([]);
    if (TEST_DIALECT === 'mysql') expect(Number((await s.tdb.db('auction_bids').where({ auction_id: id }).count({ n: '*' }).first())!.n)).to.equal(1);
    held.release();
    expect(await answer).to.include({ type: 'bid.accepted', seq: 2 });
    await b.next((m) => m.type === 'auction.state' && m.seq === 2);
    for (const r of await readers()) expect(r).to.include({ seq: 2, best: 19_000_000 });

    // A batch that fails: while it is held nobody sees it, and after it fails nobody ever does.
    const failing = holdNextBatch();
    a.messages.length = 0;
    const lost = send(c, 18_000_000, 'c1');
    await failing.inside;
    for (const r of await readers()) expect(r).to.include({ seq: 2, best: 19_000_000 });
    failing.release(new Error('injected: the batch fails inside its transaction'));
    expect(await lost).to.include({ type: 'bid.rejected', code: 'BID_NOT_RECORDED' });
    for (const r of await readers()) expect(r).to.include({ seq: 2, best: 19_000_000 });
    expect(a.messages.filter((m) => m.type === 'auction.state' && m.seq >= 3), 'the failed bid was never broadcast').to.deep.equal([]);
    // The next bid takes seq 3: the failed batch's seq was never shown, and is given once.
    expect(await send(c, 18_000_000, 'c2')).to.include({ type: 'bid.accepted', seq: 3 });
    expect((await s.tdb.db('auction_bids').where({ auction_id: id }).orderBy('seq')).map((r: any) => [r.seq, Number(r.amount_fen)])).to.deep.equal([[1, 20_000_000], [2, 19_000_000], [3, 18_000_000]]);
  });
});
