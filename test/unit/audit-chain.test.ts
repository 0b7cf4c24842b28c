import { expect } from 'chai';
import { canonicalJson, eventHash, GENESIS_HASH, streamOf } from '../../server/supervision/audit/chain';

describe('audit chain rules', () => {
  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).to.equal('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });
  it('hash depends on the previous hash and on every field', () => {
    const e = { seq: 1, occurred_at: '2026-01-01 00:00:00.000', actor_id: 1, actor_role: 'admin', action: 'x', entity_type: 't', entity_id: '1', before_json: null, after_json: '{"a":1}', request_id: null, ip: null };
    const h = eventHash(GENESIS_HASH, e);
    expect(h).to.match(/^[0-9a-f]{64}$/);
    expect(eventHash('1'.repeat(64), e)).to.not.equal(h);
    expect(eventHash(GENESIS_HASH, { ...e, after_json: '{"a":2}' })).to.not.equal(h);
    expect(eventHash(GENESIS_HASH, { ...e, actor_id: 2 })).to.not.equal(h);
  });
});

describe('audit streams', () => {
  it('each competition, tender, project and expert draw has its own stream; everything else is platform', () => {
    expect(streamOf('auction', 12)).to.equal('auction:12');
    expect(streamOf('tender', '7')).to.equal('tender:7');
    expect(streamOf('project', 3)).to.equal('project:3');
    expect(streamOf('draw', 9)).to.equal('draw:9');
    for (const t of ['requisition', 'supplier', 'user', 'budget_line', 'draw_request', 'audit_checkpoint', 'auction_bid']) expect(streamOf(t, 1)).to.equal('platform');
  });
  it('a per-stream hash covers the stream, its position and its anchor, not the event number', () => {
    const e = { seq: 0, hash_v: 2, stream: 'auction:1', stream_seq: 4, anchor: null, occurred_at: '2026-01-01 00:00:00.000', actor_id: 1, actor_role: 'admin', action: 'x', entity_type: 'auction', entity_id: '1', before_json: null, after_json: '{"a":1}', request_id: null, ip: null };
    const h = eventHash(GENESIS_HASH, e);
    expect(eventHash(GENESIS_HASH, { ...e, seq: 99 })).to.equal(h);
    expect(eventHash(GENESIS_HASH, { ...e, stream: 'auction:2' })).to.not.equal(h);
    expect(eventHash(GENESIS_HASH, { ...e, stream_seq: 5 })).to.not.equal(h);
    expect(eventHash(GENESIS_HASH, { ...e, anchor: 'a'.repeat(64) })).to.not.equal(h);
    // The pre-stream format is unchanged: its hash covers seq.
    expect(eventHash(GENESIS_HASH, { ...e, hash_v: 1 })).to.not.equal(eventHash(GENESIS_HASH, { ...e, hash_v: 1, seq: 99 }));
  });
});
