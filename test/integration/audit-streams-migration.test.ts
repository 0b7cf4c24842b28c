// An audit trail recorded before streams existed (one chain, hash over seq, a checkpoint signed
// over it) survives the migration to one chain per stream: it becomes the global chain's
// history, verifies, its signed checkpoint still matches, and new events, cross-links,
// checkpoints and proofs continue from it.
import { expect } from 'chai';
import { createTestDb, TEST_DIALECT, type TestDb } from '../helpers/db';
import { migrateLatest, migrateUpTo } from '../../server/db/migrate';
import { ManualClock, toDbTime } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { systemActor } from '../../server/http/actor';
import { record, verifyChain } from '../../server/supervision/audit/audit';
import { canonicalJson, eventHash, GENESIS_HASH } from '../../server/supervision/audit/chain';
import { signCheckpoint, signingKeyFromSeed } from '../../server/supervision/audit/checkpoint-format';
import { makeCheckpoint, verifyAgainstCheckpoints } from '../../server/supervision/audit/checkpoints';
import { crossLink } from '../../server/supervision/audit/cross-links';
import { proofFor } from '../../server/supervision/audit/receipts';

describe(`audit trail migration to one chain per stream (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  let t: TestDb;
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 2));
  const key = signingKeyFromSeed('ab'.repeat(32));
  before(async () => {
    t = await createTestDb({ migrate: false });
    await migrateUpTo(t.db, '20261204-1901-finance-outbox-long-payload.ts');
  });
  after(() => t?.destroy());

  it('keeps the old chain as the global history, verifiable and covered by its old checkpoint, and continues from it', async () => {
    // Five events as the single-chain code wrote them.
    let prev = GENESIS_HASH;
    const hashes: string[] = [];
    for (let seq = 1; seq <= 5; seq++) {
      const fields = { seq, occurred_at: toDbTime(clock.now()), actor_id: null, actor_role: 'system:old', action: 'thing.changed', entity_type: seq % 2 ? 'auction' : 'thing', entity_id: String(seq), before_json: null, after_json: canonicalJson({ seq }), request_id: null, ip: null };
      const hash = eventHash(prev, fields);
      await t.db('audit_events').insert({ ...fields, prev_hash: prev, hash });
      hashes.push(hash);
      prev = hash;
    }
    await t.db('audit_chain_head').where({ id: 1 }).update({ last_seq: 5, last_hash: prev });
    const old = signCheckpoint(key, { seq: 5, hash: prev, fromSeq: 1, eventHashes: hashes, signedAt: clock.now().toISOString(), reason: 'interval' });
    await t.db('audit_checkpoints').insert({ seq: 5, hash: prev, from_seq: 1, event_hashes: hashes.join(''), signed_at: old.signedAt, reason: 'interval', key_id: old.keyId, signature: old.signature });

    await migrateLatest(t.db);
    const rows = await t.db('audit_events').orderBy('seq');
    expect(rows.map((r) => [r.stream, Number(r.stream_seq), Number(r.hash_v)])).to.deep.equal([1, 2, 3, 4, 5].map((n) => ['global', n, 1]));
    expect(await verifyChain(t.db)).to.deep.include({ intact: true, events: 5 });

    // New events go to their streams, numbered after the old ones; a cross-link continues the global chain.
    const actor = systemActor('test', clock);
    const a = await withTx(t.db, (tx) => record(tx, actor, { action: 'auction.changed', entityType: 'auction', entityId: 1 }));
    expect(a).to.include({ stream: 'auction:1', stream_seq: 1 });
    expect(a.seq).to.be.greaterThan(5);
    const link = (await crossLink(t.db, clock))!;
    expect(link.globalSeq).to.equal(6);
    const g = await t.db('audit_events').where({ stream: 'global', stream_seq: 6 }).first();
    expect(g.prev_hash).to.equal(prev);
    expect((await verifyChain(t.db)).intact).to.equal(true);

    // The checkpoint signed before the migration still matches; the next one continues from it.
    const check = await verifyAgainstCheckpoints(t.db, [old], { publicKeyHex: key.publicKey.hex });
    expect(check).to.include({ intact: true, checkpointsMatched: 1 });
    const next = (await makeCheckpoint(t.db, key, clock, 'manual'))!;
    expect(next).to.include({ fromSeq: 6 });
    const proof = await proofFor(t.db, key.publicKey, a.seq);
    expect(proof.crossLink!.position).to.equal(6);
    expect(proof.checkpoint.seq).to.equal(next.seq);
    // An old event's proof still reaches the old checkpoint.
    expect((await proofFor(t.db, key.publicKey, 3)).checkpoint.seq).to.equal(5);
  });
});
