// The one call the workflow makes when a project changes (award, stage move, contract, payment):
// the report facts and cubes, the portal's result notices and the project's OCDS releases follow
// in the same transaction.
// A reconciler catches any change made without the call (projects.updated_at watermark).
import type { Tx } from '../../db/tx';
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { fromDbTime, toDbTime } from '../../db/time';
import type { Actor } from '../../http/actor';
import { refreshFacts } from './facts';
import { publishDueReleases } from '../ocds/publish';
import { publishResultNotices } from './result-notices';

export async function onProjectChanged(tx: Tx, actor: Actor, projectId: number): Promise<void> {
  await refreshFacts(tx, [projectId]);
  await publishResultNotices(tx, actor, projectId);
  await publishDueReleases(tx, actor, projectId);
}

const WATERMARK = 'projects_watermark';
/**
 * A change is stamped with its transaction's clock, not its commit: one that commits after a
 * pass with an older stamp would fall behind the watermark. Each pass therefore looks back this
 * far again (refreshing is idempotent; a release or notice is never written twice).
 */
const OVERLAP_MS = 120_000;

/** Brings facts, notices and releases up to date for every project changed since the last pass. */
export async function reconcile(db: Db, actor: Actor, opts: { batch?: number } = {}): Promise<number> {
  const batch = opts.batch ?? 200;
  const mark = await db('report_state').where({ state_key: WATERMARK }).first();
  const since = mark ? toDbTime(fromDbTime(String(mark.value).split('|')[0])!.getTime() - OVERLAP_MS) : '';
  let after: [string, number] | null = null;
  let total = 0;
  for (;;) {
    const q = db('procurement_projects').select('id', 'updated_at').orderBy('updated_at').orderBy('id').limit(batch);
    if (after) {
      const [at, id] = after;
      q.where((w) => w.where('updated_at', '>', at).orWhere((x) => x.where('updated_at', at).where('id', '>', id)));
    } else if (since) q.where('updated_at', '>=', since);
    const rows = await q;
    if (!rows.length) return total;
    const last = rows[rows.length - 1];
    after = [last.updated_at, last.id];
    await withTx(db, async (tx) => {
      for (const r of rows) await onProjectChanged(tx, actor, r.id);
      const value = `${last.updated_at}|${last.id}`;
      const n = await tx('report_state').where({ state_key: WATERMARK }).update({ value });
      if (!n) await tx('report_state').insert({ state_key: WATERMARK, value });
    });
    total += rows.length;
    if (rows.length < batch) return total;
  }
}
