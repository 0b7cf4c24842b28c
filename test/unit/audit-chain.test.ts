import { expect } from 'chai';
import { canonicalJson, eventHash, GENESIS_HASH } from '../../server/supervision/audit/chain';

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
