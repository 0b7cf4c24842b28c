// The eligible pool: who may be drawn for a project, decided by the system alone.
// Active, has the specialty, available at the evaluation time (not on leave, not sitting another
// evaluation then), under the cap for the period, not employed by the purchasing unit or a
// participating supplier, no declared conflict with them.
import type { Knex } from 'knex';
import { toDbTime, fromDbTime } from '../../db/time';
import { quarterOf, SAME_SESSION_MS } from './rules';
import type { Sealer } from './seal';

export interface DrawParties {
  purchasingOrgId: number;
  supplierIds: number[];
  evaluationAt: Date;
}

// Invitation payloads never change once written, so their opened form is kept in memory (never
// persisted, never logged): the cap check then decrypts each sealed invitation once per process.
const openedInvitations = new Map<string, number>(); // keyed by the ciphertext itself (random IV: unique)
const OPENED_MAX = 50_000;

export interface Commitments {
  /** Evaluations per expert in the cap period. */
  counts: Map<number, number>;
  /** Experts with another evaluation within SAME_SESSION_MS of this one. */
  busy: Set<number>;
}

/** Experts already committed in the period: evaluations sat (revealed) plus live sealed invitations. */
export async function commitmentsInPeriod(db: Knex, sealer: Sealer, at: Date, excludeDrawId?: number): Promise<Commitments> {
  const { start, end } = quarterOf(at);
  const counts = new Map<number, number>();
  const busy = new Set<number>();
  const near = (v: string) => Math.abs(fromDbTime(v)!.getTime() - at.getTime()) < SAME_SESSION_MS;
  const evals = await db('expert_evaluations')
    .where('evaluation_at', '>=', toDbTime(Math.min(start.getTime(), at.getTime() - SAME_SESSION_MS)))
    .where('evaluation_at', '<', toDbTime(Math.max(end.getTime(), at.getTime() + SAME_SESSION_MS)))
    .select('expert_id', 'evaluation_at');
  for (const r of evals as Array<{ expert_id: number; evaluation_at: string }>) {
    const id = Number(r.expert_id);
    const t = fromDbTime(r.evaluation_at)!.getTime();
    if (t >= start.getTime() && t < end.getTime()) counts.set(id, (counts.get(id) ?? 0) + 1);
    if (near(r.evaluation_at)) busy.add(id);
  }
  // Sealed draws in the same period: their invitations count while pending or accepted. Only the
  // server can open them; nothing here is written or logged.
  const inv = db('draw_invitations as i')
    .join('draws as d', 'd.id', 'i.draw_id')
    .where('d.status', 'sealed')
    .whereIn('i.status', ['pending', 'accepted'])
    .where('d.evaluation_at', '>=', toDbTime(Math.min(start.getTime(), at.getTime() - SAME_SESSION_MS)))
    .where('d.evaluation_at', '<', toDbTime(Math.max(end.getTime(), at.getTime() + SAME_SESSION_MS)))
    .select('i.draw_id', 'i.payload_sealed', 'd.evaluation_at');
  if (excludeDrawId) inv.whereNot('d.id', excludeDrawId);
  for (const r of await inv) {
    const key = String(r.payload_sealed);
    let expertId = openedInvitations.get(key);
    if (expertId === undefined) {
      expertId = sealer.open<{ expertId: number }>(r.payload_sealed, invitationContext(Number(r.draw_id))).expertId;
      if (openedInvitations.size >= OPENED_MAX) openedInvitations.clear();
      openedInvitations.set(key, expertId);
    }
    const t = fromDbTime(r.evaluation_at)!.getTime();
    if (t >= start.getTime() && t < end.getTime()) counts.set(expertId, (counts.get(expertId) ?? 0) + 1);
    if (near(r.evaluation_at)) busy.add(expertId);
  }
  return { counts, busy };
}

export function invitationContext(drawId: number): string {
  return `draw-invitation:${drawId}`;
}

/** Ascending ids of the experts eligible for one specialty. */
export async function eligibleExperts(db: Knex, specialty: string, parties: DrawParties, committed: Commitments, exclude: Set<number> = new Set()): Promise<number[]> {
  const at = toDbTime(parties.evaluationAt);
  const sup = parties.supplierIds.length ? parties.supplierIds : [-1];
  // Leave and conflicts are few rows by index; fetching them as sets keeps the big query a plain scan.
  const onLeave = await db('expert_leaves').whereNull('cancelled_at').where('starts_at', '<=', at).where('ends_at', '>', at).pluck('expert_id');
  const conflicted = await db('expert_conflicts')
    .whereNull('withdrawn_at')
    .where((w) => w.whereNull('until').orWhere('until', '>', at))
    .where((w) => w.where('org_id', parties.purchasingOrgId).orWhereIn('supplier_id', sup))
    .pluck('expert_id');
  const out = new Set<number>([...exclude, ...committed.busy, ...onLeave.map(Number), ...conflicted.map(Number)]);
  const rows: Array<{ id: number; cap: number }> = await db('experts as e')
    .join('expert_specialties as s', 's.expert_id', 'e.id')
    .where('s.category_code', specialty)
    .where('e.status', 'active')
    .where((w) => w.whereNull('e.employer_org_id').orWhereNot('e.employer_org_id', parties.purchasingOrgId))
    .where((w) => w.whereNull('e.employer_supplier_id').orWhereNotIn('e.employer_supplier_id', sup))
    .select('e.id', 'e.max_evaluations_per_quarter as cap')
    .orderBy('e.id');
  const eligible: number[] = [];
  for (const r of rows) {
    const id = Number(r.id);
    if (out.has(id)) continue;
    if ((committed.counts.get(id) ?? 0) >= Number(r.cap)) continue;
    eligible.push(id);
  }
  return eligible;
}
