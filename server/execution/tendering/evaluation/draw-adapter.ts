// The committee from the sealed expert draw (server/execution/draws). After a draw is revealed,
// its published panel names who sat (answered 'accepted'); nothing is read before the reveal.
// A draw requested for the tender (project reference = tender reference, or the same project)
// becomes the tender's committee as soon as it is revealed; an operator can also link a revealed
// draw by its id (POST /api/tenders/:id/committee/from-draw).
import type { Knex } from 'knex';
import { withTx } from '../../../db/tx';
import { fromDbTime, isoFromDb } from '../../../db/time';
import { systemActor } from '../../../http/actor';
import { publishedPanel, type DrawRow } from '../../draws/repository';
import { linkCommittee, type RevealedDraw } from './committee';
import type { TenderingDeps } from '../deps';

export async function readRevealedDraw(db: Knex, drawId: string, at: Date): Promise<RevealedDraw | null> {
  if (!/^\d+$/.test(drawId)) return null;
  const d: DrawRow | undefined = await db('draws').where({ id: Number(drawId) }).first();
  const panel = d ? publishedPanel(d) : null;
  if (!d || !panel || fromDbTime(d.reveal_at)! > at) return null;
  return { drawId: String(d.id), projectId: d.project_id ?? null, revealedAt: isoFromDb(d.revealed_at ?? d.reveal_at)!, experts: panel.filter((p) => p.answer === 'accepted').map((p) => ({ expertId: Number(p.expertId) })) };
}

/** On a reveal: the tender the draw was made for takes its committee from it. */
export async function linkRevealedDraw(deps: TenderingDeps, drawId: number): Promise<boolean> {
  const d: DrawRow | undefined = await deps.db('draws').where({ id: drawId }).first();
  if (!d) return false;
  const tender = await deps.db('tenders')
    .where((w) => {
      w.where('reference', d.project_ref);
      if (d.project_id !== null) w.orWhere('project_id', d.project_id);
    })
    .whereIn('status', ['published', 'opening', 'evaluation'])
    .whereNotExists(deps.db('tender_committee as c').whereRaw('c.tender_id = tenders.id').select('c.tender_id'))
    .first('id');
  if (!tender) return false;
  const draw = await readRevealedDraw(deps.db, String(drawId), deps.clock.now());
  if (!draw) return false;
  await withTx(deps.db, (tx) => linkCommittee(deps, tx, systemActor('draw-reveal', deps.clock), Number(tender.id), draw.experts, { source: 'draw', sourceRef: draw.drawId, projectId: draw.projectId }));
  return true;
}
