// npm run draw:verify -- <drawId>: recomputes a revealed draw from its published record (the
// secret and every round's seed, pool and result) and checks it against the commitment and pool
// hash published when it was drawn. Draws of either scheme (selection.ts).
// npm run draw:verify -- --suppliers <drawId>: the same for a supplier invitation draw
// (server/execution/invitations: scheme 2, one round, the pool being the category's qualified suppliers).
// Exit 0 when everything verifies, 1 when anything differs, 2 when the draw is not revealed yet.
import { openFromEnv } from './cli';
import { verifyPublicDraw, type PublicDrawRecord } from '../server/execution/draws/selection';
import { nodeHashes } from '../server/execution/draws/seal';
import { sealRecord, type DrawRow } from '../server/execution/draws/repository';
import { commitmentOf } from '../server/execution/draws/selection';
import type { SupplierDrawRow } from '../server/execution/invitations/service';

const suppliers = process.argv[2] === '--suppliers';
const drawId = Number(process.argv[suppliers ? 3 : 2]);
if (!Number.isSafeInteger(drawId) || drawId < 1) {
  console.error('usage: npm run draw:verify -- [--suppliers] <drawId>');
  process.exit(64);
}

/** A supplier draw's public record (the same shape GET /api/public/supplier-draws/:id gives). */
function supplierRecord(d: SupplierDrawRow): PublicDrawRecord {
  return { scheme: 2, status: d.status, commitment: d.commitment, poolHash: d.pool_hash, secret: d.secret, rounds: [{ roundNo: 1, commitment: commitmentOf(d.seed!, nodeHashes), poolHash: d.pool_hash, seed: d.seed!, pool: JSON.parse(d.pool_json!), result: JSON.parse(d.result_json!) }] };
}

const { db } = await openFromEnv();
try {
  const draw: (DrawRow & SupplierDrawRow) | undefined = await db(suppliers ? 'supplier_draws' : 'draws').where({ id: drawId }).first();
  const what = suppliers ? 'supplier draw' : 'draw';
  if (!draw) {
    console.error(`${what} ${drawId} not found`);
    process.exitCode = 1;
  } else if (draw.status !== 'revealed') {
    console.error(`${what} ${drawId} is still sealed: only its commitment is published`);
    process.exitCode = 2;
  } else {
    const record = suppliers ? supplierRecord(draw) : { status: draw.status, ...(await sealRecord(db, draw)) };
    const v = verifyPublicDraw(record, nodeHashes);
    const mark = (ok: boolean) => (ok ? 'ok' : 'MISMATCH');
    console.log(`scheme ${record.scheme}: commitment ${mark(v.commitmentOk)}`);
    for (const c of v.rounds) console.log(`round ${c.roundNo}: seed ${mark(c.commitmentOk)}, pool hash ${mark(c.poolHashOk)}, selection ${mark(c.resultOk)}, no repeats ${mark(c.disjointOk)}`);
    const label = suppliers ? draw.subject_ref : draw.project_ref;
    console.log(v.ok ? `${what} ${drawId} (${label}) verified: ${v.rounds.length} round(s) recomputed` : `${what} ${drawId} FAILED verification`);
    process.exitCode = v.ok ? 0 : 1;
  }
} finally {
  await db.destroy();
}
