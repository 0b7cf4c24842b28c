// Cluster forwarding (server/execution/auctions/forwarding.ts) over a bus that only carries JSON
// between two nodes, as Redis does: what a node sends one node within one event-loop turn travels
// as one message, in order, and every request still gets its own answer.
import { expect } from 'chai';
import type { ClusterBus } from '../../server/realtime/bus';
import { OwnerLink, type ForwardedRequest } from '../../server/execution/auctions/forwarding';
import type { Logger } from '../../server/http/log';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Two nodes' buses on one in-memory wire; every published message is counted and crosses as JSON. */
function wire() {
  const handlers = new Map<string, Array<(msg: unknown, from: string) => void>>(); // `${node}|${topic}`
  const nodes = new Set<string>();
  const sent: Array<{ to: string; topic: string; msg: unknown }> = [];
  let failing = false;
  const busOf = (nodeId: string): ClusterBus => {
    nodes.add(nodeId);
    const send = async (to: string[], topic: string, msg: unknown) => {
      if (failing) throw new Error('redis is away');
      sent.push({ to: to.join(','), topic, msg });
      const text = JSON.stringify(msg);
      setTimeout(() => to.forEach((n) => (handlers.get(`${n}|${topic}`) ?? []).forEach((h) => h(JSON.parse(text), nodeId))), 1);
    };
    return {
      nodeId,
      clustered: true,
      publish: (topic, msg) => send([...nodes], topic, msg),
      publishTo: (to, topic, msg) => send([to], topic, msg),
      subscribe(topic, handler) {
        const k = `${nodeId}|${topic}`;
        handlers.set(k, [...(handlers.get(k) ?? []), handler]);
        return () => handlers.set(k, (handlers.get(k) ?? []).filter((h) => h !== handler));
      },
      async close() {},
    };
  };
  return { busOf, sent, fail: (on: boolean) => (failing = on) };
}

const bid = (n: number): ForwardedRequest => ({ kind: 'bid', req: { auctionId: 7, supplierId: 100 + n, userId: n, amount: 1_000_000 - n, clientBidId: `c-${n}`, ip: null, deviceId: null } });

describe('forwarding to the owner node: one bus message per node per turn', () => {
  it('sends the bids of one turn as one message and their answers as one, each answer to its own bid, in order', async () => {
    const w = wire();
    const served: number[] = [];
    // The owner answers a turn's bids together, as one committed batch does.
    let release: () => void = () => {};
    const committed = new Promise<void>((r) => (release = r));
    const owner = new OwnerLink(w.busOf('b'), quiet, 5000, async (r) => {
      const req = (r as Extract<ForwardedRequest, { kind: 'bid' }>).req;
      served.push(req.supplierId);
      await committed;
      return { type: 'bid.accepted', clientBidId: req.clientBidId, seq: req.supplierId - 100 };
    });
    const asker = new OwnerLink(w.busOf('a'), quiet, 5000, async () => null);
    const answers = Promise.all([1, 2, 3, 4, 5].map((n) => asker.ask('b', bid(n))));
    while (served.length < 5) await new Promise((r) => setTimeout(r, 2));
    release();
    const got = await answers;
    expect(got.map((g) => (g as { answer: { clientBidId: string } }).answer.clientBidId)).to.deep.equal(['c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
    expect(served, 'served in the order sent').to.deep.equal([101, 102, 103, 104, 105]);
    expect(w.sent.map((m) => [m.to, m.topic])).to.deep.equal([['b', 'auctions.forward'], ['a', 'auctions.forward']]);
    expect((w.sent[0].msg as unknown[]).length).to.equal(5);
    expect((w.sent[1].msg as unknown[]).length).to.equal(5);
    expect([asker.stats.messages, owner.stats.messages]).to.deep.equal([1, 1]);
    // A lone request still travels as a plain envelope.
    release();
    expect(await asker.ask('b', bid(6))).to.have.nested.property('answer.clientBidId', 'c-6');
    expect(Array.isArray(w.sent[2].msg)).to.equal(false);
    asker.close();
    owner.close();
  });

  it('answers every bid of a message that could not be sent as not forwarded (the bidder resends), and gives up on a silent owner', async () => {
    const w = wire();
    const asker = new OwnerLink(w.busOf('a'), quiet, 300, async () => null);
    w.fail(true);
    expect(await Promise.all([asker.ask('b', bid(1)), asker.ask('b', bid(2))])).to.deep.equal([{ timeout: true }, { timeout: true }]);
    w.fail(false);
    // Nobody listens on node b: given up after the timeout, counted.
    expect(await asker.ask('b', bid(3))).to.deep.equal({ timeout: true });
    expect(asker.stats.timedOut).to.equal(1);
    asker.close();
  });
});
