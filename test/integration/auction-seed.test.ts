import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { WsClient } from '../helpers/ws';
import { verifyChain } from '../../server/supervision/audit/audit';

describe(`demo competitions (${TEST_DIALECT})`, function () {
  this.timeout(120000);
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ seed: 'demo' });
  });
  after(() => s?.stop());

  it('populates every state through the service, and the live ones run after start', async () => {
    const op = await s.as('operator');
    const list = (await op.get('/api/auctions?pageSize=50')).body.items;
    const statuses = new Set(list.map((a: any) => a.status));
    expect([...statuses].sort()).to.deep.equal(['announced', 'closed', 'draft', 'failed', 'running', 'suspended']);
    const failed = list.find((a: any) => a.status === 'failed');
    expect(failed.failureCode).to.equal('NOT_ENOUGH_COMPETITION');
    // The ladder-mode competition of the competitions' own demo (11 bids); the workflow's
    // projects reached their awards through competitions of their own (9 bids each).
    const closed = list.filter((a: any) => a.status === 'closed');
    const bidCounts = [];
    for (const a of closed) {
      const result = (await op.get(`/api/auctions/${a.id}/result`)).body;
      expect(result.winner.supplierName).to.be.a('string').and.not.equal('');
      expect(result.savingsFen).to.be.greaterThan(0);
      bidCounts.push(result.bids.length);
    }
    expect(bidCounts.sort((x, y) => x - y)).to.deep.equal([9, 9, 11]);
    expect(closed.filter((a: any) => a.projectId !== null)).to.have.length(2);
    const announced = list.find((a: any) => a.status === 'announced');
    expect((await op.get(`/api/auctions/${announced.id}`)).body.participantCount).to.equal(2);
    const suspended = list.find((a: any) => a.status === 'suspended');
    expect(suspended.statusReason).to.match(/网络故障/);
    expect(suspended.remainingMs).to.be.greaterThan(0);

    // The demo supplier bids in the running competition it joined, over the WebSocket.
    const running = list.find((a: any) => a.status === 'running');
    const sup = await s.as('supplier');
    const ws = await WsClient.connect(s.url, sup.cookie);
    ws.send({ type: 'subscribe', channel: `auction:${running.id}` });
    const st = await ws.next((m) => m.type === 'auction.state');
    expect(st.seq).to.equal(7);
    expect(st.you.label).to.equal('A');
    ws.send({ type: 'bid', auctionId: running.id, amount: st.you.maxBid, clientBidId: 'demo-try' });
    expect(await ws.next((m) => m.clientBidId === 'demo-try')).to.include({ type: 'bid.accepted', seq: 8 });
    ws.close();
    // Other demo bidders can log in with the demo password.
    const other = await s.tdb.db('users').where('username', 'like', 'supplier%').whereNot({ username: 'supplier' }).first();
    expect((await s.client().login(other.username)).status).to.equal(200);
    expect((await verifyChain(s.tdb.db)).intact).to.equal(true);
  });
});
