// The evaluation session on one timeline (issue 16): everything a tender's committee does, from
// the audit trail, in order: members signing in (time, IP), opening each bid's documents, every
// score entered or changed (before and after), abnormally-low queries and answers, each member's
// submission, the result and the report confirmations; and sealed-data read attempts.
import type { Db } from '../../db/knex';
import { isoFromDb, toDbTime } from '../../db/time';
import type { AuditEvent } from '../audit/audit';

/** Actions on the tender that belong to its evaluation. */
export const EVALUATION_ACTIONS = ['tender.committee.linked', 'tender.evaluation.', 'sealed.read_attempt', 'bid.disqualified', 'bid.valid'];
export const isEvaluationAction = (a: string) => EVALUATION_ACTIONS.some((p) => (p.endsWith('.') ? a.startsWith(p) : a === p));

export interface TimelineEntry {
  seq: number;
  at: string;
  action: string;
  kind: 'sign_in' | 'committee' | 'bid_opened' | 'score' | 'submitted' | 'returned' | 'explanation' | 'decision' | 'result' | 'report' | 'sealed_read' | 'other';
  actorId: number | null;
  actorName: string | null;
  expertId: number | null;
  bidId: number | null;
  ip: string | null;
  /** The browser's device id a sign-in came from (client/src/device.ts), when it sent one. */
  deviceId: string | null;
  before: unknown;
  after: unknown;
  hash: string;
}

function kindOf(action: string): TimelineEntry['kind'] {
  if (action === 'auth.login') return 'sign_in';
  if (action === 'tender.committee.linked') return 'committee';
  if (action === 'tender.evaluation.bid_viewed') return 'bid_opened';
  if (action === 'tender.evaluation.score_changed') return 'score';
  if (action === 'tender.evaluation.scores_submitted') return 'submitted';
  if (action === 'tender.evaluation.scores_returned') return 'returned';
  if (action.startsWith('tender.evaluation.explanation')) return 'explanation';
  if (action === 'tender.evaluation.abnormal_decided' || action === 'bid.disqualified' || action === 'bid.valid') return 'decision';
  if (action === 'tender.evaluation.completed') return 'result';
  if (action.startsWith('tender.evaluation.report')) return 'report';
  if (action === 'sealed.read_attempt') return 'sealed_read';
  return 'other';
}

export function toEntry(r: Pick<AuditEvent, 'seq' | 'occurred_at' | 'action' | 'actor_id' | 'ip' | 'before_json' | 'after_json' | 'hash'> & { actor_name?: string | null }): TimelineEntry {
  const after = r.after_json ? JSON.parse(r.after_json) : null;
  return {
    seq: Number(r.seq),
    at: isoFromDb(r.occurred_at)!,
    action: r.action,
    kind: kindOf(r.action),
    actorId: r.actor_id === null ? null : Number(r.actor_id),
    actorName: r.actor_name ?? null,
    expertId: after?.expertId ?? null,
    bidId: after?.bidId ?? null,
    ip: r.ip,
    deviceId: typeof after?.deviceId === 'string' ? after.deviceId : null,
    before: r.before_json ? JSON.parse(r.before_json) : null,
    after,
    hash: r.hash,
  };
}

/** The committee members' user ids of a tender. */
export async function committeeUsers(db: Db, tenderId: number): Promise<Map<number, number>> {
  const rows = await db('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').where('c.tender_id', tenderId).whereNotNull('e.user_id').select('e.user_id', 'c.expert_id');
  return new Map(rows.map((r: any) => [Number(r.user_id), Number(r.expert_id)]));
}

/** The whole evaluation of one tender so far, oldest first. */
export async function evaluationTimeline(db: Db, tenderId: number): Promise<{ tenderId: number; status: string; entries: TimelineEntry[] }> {
  const tender = await db('tenders').where({ id: tenderId }).first('id', 'status');
  if (!tender) return { tenderId, status: 'unknown', entries: [] };
  const rows: any[] = await db('audit_events as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .where({ 'a.entity_type': 'tender', 'a.entity_id': String(tenderId) })
    .where((q) => {
      for (const p of EVALUATION_ACTIONS) p.endsWith('.') ? q.orWhere('a.action', 'like', `${p}%`) : q.orWhere('a.action', p);
    })
    .orderBy('a.seq')
    .select('a.*', 'u.display_name as actor_name');
  const entries = rows.map(toEntry);
  // Members signing in while the evaluation runs: from its first event to its last (or now).
  const members = await committeeUsers(db, tenderId);
  if (entries.length && members.size) {
    const from = rows[0].occurred_at;
    const done = entries.some((e) => e.action === 'tender.evaluation.report_final');
    const q = db('audit_events as a').leftJoin('users as u', 'u.id', 'a.actor_id').where('a.action', 'auth.login').whereIn('a.actor_id', [...members.keys()]).where('a.occurred_at', '>=', toDbTime(new Date(new Date(isoFromDb(from)!).getTime() - 4 * 3600_000)));
    if (done) q.where('a.occurred_at', '<=', rows[rows.length - 1].occurred_at);
    const logins: any[] = await q.select('a.*', 'u.display_name as actor_name');
    for (const l of logins) entries.push({ ...toEntry(l), expertId: members.get(Number(l.actor_id)) ?? null });
    entries.sort((a, b) => a.seq - b.seq);
  }
  return { tenderId, status: tender.status, entries };
}
