// Draws made before the keyed commitments (scheme 1) survive the migration: a sealed one loses
// its pool sizes in clear, keeps its rows and invitations, and verifies from its public record
// once revealed; a revealed one is untouched.
import { expect } from 'chai';
import { createTestDb, TEST_DIALECT, type TestDb } from '../helpers/db';
import { ManualClock, toDbTime } from '../../server/db/time';
import { createLogger } from '../../server/http/log';
import { Scheduler } from '../../server/scheduler/scheduler';
import { createSealer, newSeed, nodeHashes } from '../../server/execution/draws/seal';
import { commitmentOf, poolHashOf, select, verifyPublicDraw, type PoolGroup } from '../../server/execution/draws/selection';
import { invitationContext } from '../../server/execution/draws/pool';
import { createDrawService } from '../../server/execution/draws/service';
import { publicRecord } from '../../server/execution/draws/routes';
import * as migration from '../../db/migrations/20261204-1800-sealed-draw-secret';

describe(`draw migration to keyed commitments (${TEST_DIALECT})`, () => {
  let t: TestDb;
  const KEY = 'cd'.repeat(32);
  const sealer = createSealer(KEY);
  const clock = new ManualClock(Date.UTC(2026, 10, 20, 2));
  const at = (ms: number) => toDbTime(clock.now().getTime() + ms);

  /** A draw as the scheme-1 code made it: per-round random seed, unsalted pool hash, sizes in clear. */
  async function schemeOneDraw(ref: string, org: number, status: 'sealed' | 'revealed') {
    const [id] = await t.db('draws').insert({ project_ref: ref, purchasing_org_id: org, supplier_ids_json: '[]', groups_json: '[{"specialty":"B","count":5}]', total_count: 5, evaluation_at: at(86_400_000 + 3_600_000), evaluation_place: 'x', reveal_at: at(86_400_000), response_minutes: 60, status, confirmed_count: 0, shortfall: 0, requested_by: null, created_at: at(0) });
    const drawId = Number(id);
    const pool: PoolGroup[] = [{ specialty: 'B', count: 5, ids: [3, 5, 8, 13, 21, 34, 55] }];
    const seed = newSeed();
    const result = select(seed, pool, nodeHashes);
    const ctx = (w: string) => `draw-round:${drawId}:1:${w}`;
    const [roundId] = await t.db('draw_rounds').insert({
      draw_id: drawId,
      round_no: 1,
      kind: 'initial',
      commitment: commitmentOf(seed, nodeHashes),
      pool_hash: poolHashOf(pool, nodeHashes),
      pool_size: 7,
      selected_count: 5,
      seed_sealed: sealer.seal(seed, ctx('seed')),
      pool_sealed: sealer.seal(pool, ctx('pool')),
      result_sealed: sealer.seal(result, ctx('result')),
      ...(status === 'revealed' ? { seed, pool_json: JSON.stringify(pool), result_json: JSON.stringify(result) } : {}),
      created_at: at(0),
    });
    for (const expertId of result[0]) {
      await t.db('draw_invitations').insert({ draw_id: drawId, round_id: Number(roundId), tag: sealer.invitationTag(drawId, expertId), payload_sealed: sealer.seal({ expertId, groupIndex: 0, specialty: 'B', roundNo: 1 }, invitationContext(drawId)), status: 'pending', deadline_at: at(3_600_000), created_at: at(0) });
    }
    return drawId;
  }

  before(async () => {
    t = await createTestDb();
    await migration.down(t.db); // the schema as scheme 1 knew it
  });
  after(() => t.destroy());

  it('keeps scheme-1 draws, drops sealed pool sizes, and verifies them after the reveal', async () => {
    const [org] = await t.db('organisations').insert({ code: 'PU99', name_zh: '单位', name_en: 'Unit', kind: 'purchasing_unit', region: '1', created_at: at(0) });
    const sealedId = await schemeOneDraw('OLD-SEALED', Number(org), 'sealed');
    const revealedId = await schemeOneDraw('OLD-REVEALED', Number(org), 'revealed');
    await migration.up(t.db);

    const rounds = await t.db('draw_rounds').orderBy('draw_id').select('draw_id', 'pool_size', 'selected_count');
    expect(rounds.map((r: any) => [Number(r.draw_id), r.pool_size === null ? null : Number(r.pool_size)])).to.deep.equal([
      [sealedId, null],
      [revealedId, 7],
    ]);
    expect((await t.db('draws').where({ id: sealedId }).first()).scheme).to.equal(1);
    expect(Number((await t.db('draw_invitations').count({ n: '*' }).first())!.n)).to.equal(10);
    // The round's uniqueness per draw survived the column change.
    const dup = await t.db('draw_rounds').insert({ draw_id: sealedId, round_no: 1, kind: 'initial', commitment: 'x', pool_hash: 'x', seed_sealed: 'x', pool_sealed: 'x', result_sealed: 'x', created_at: at(0) }).then(
      () => 'inserted',
      () => 'refused',
    );
    expect(dup).to.equal('refused');

    // Sealed: the public record hides the unsalted pool hash and every round.
    const sealedRec = await publicRecord(t.db, await t.db('draws').where({ id: sealedId }).first());
    expect(sealedRec).to.include({ scheme: 1, poolHash: null, rounds: null });
    expect(JSON.stringify(sealedRec)).to.not.include(poolHashOf([{ specialty: 'B', count: 5, ids: [3, 5, 8, 13, 21, 34, 55] }], nodeHashes));

    // Revealed by today's code: sizes written back, and the record verifies as scheme 1.
    clock.advance(86_400_000 + 60_000);
    const draws = createDrawService({ sealKey: KEY, scheduler: new Scheduler({ db: t.db, clock, log: createLogger('silent') }), clock });
    expect(await draws.reveal(t.db, sealedId)).to.equal(true);
    const rec = await publicRecord(t.db, await t.db('draws').where({ id: sealedId }).first());
    expect(rec.rounds![0].poolSize).to.equal(7);
    expect(verifyPublicDraw({ ...rec, status: rec.status }, nodeHashes).ok).to.equal(true);
    const old = await publicRecord(t.db, await t.db('draws').where({ id: revealedId }).first());
    expect(verifyPublicDraw(old, nodeHashes).ok).to.equal(true);
  });
});
