// Raising alerts (the engine, as a system actor) and handling them (supervisors only): each
// change in one transaction with its audit event; announcements after commit.
import type { Knex } from 'knex';
import type { Db } from '../../db/knex';
import { withTx, type Tx } from '../../db/tx';
import { forUpdate } from '../../db/knex';
import { isUniqueViolation } from '../../db/errors';
import { isoFromDb, toDbTime } from '../../db/time';
import { record } from '../audit/audit';
import type { Actor } from '../../http/actor';
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../http/errors';
import type { Finding } from '../rules/platform';
import type { Severity } from '../rules/catalogue';
import { alertFromRow, alertsQuery, notesOf, type AlertRow } from './repository';
import { canApply, nextStatus, type AlertCommand, type Finding as AlertFinding } from './state-machine';

export interface RaiseInput {
  ruleCode: string;
  severity: Severity;
  finding: Finding;
  /** For a finding about an act (with actorId): how long after the last occurrence a repeat still folds in. */
  foldWindowMinutes?: number;
  trigger?: { seq: number | null; occurredAt: string | null; receivedAtMs?: number };
}

export const DEFAULT_FOLD_WINDOW_MINUTES = 60;

export type AlertListener = (alert: AlertRow, change: string) => void;

/** Past this many, the memo of raised state findings starts again (it only saves reads). */
const MAX_KNOWN_RAISED = 100_000;

export class AlertService {
  private listeners = new Set<AlertListener>();
  /**
   * `rule|subject` of state findings known to have their alert. Such an alert is raised once and
   * alerts are never deleted, so the memo is never wrong; it spares a live competition's every
   * evaluation (its same-address finding, say, found again every few seconds) a transaction that
   * only finds the alert already there.
   */
  private raised = new Set<string>();
  constructor(private db: Db) {}

  onChange(fn: AlertListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private announce(tx: Tx, id: number, change: string): void {
    tx.afterCommit(async () => {
      const row = await alertsQuery(this.db, {}).where('a.id', id).first();
      if (row) this.listeners.forEach((l) => l(alertFromRow(row), change));
    });
  }

  /**
   * Raises an alert for a finding. A finding about a state is raised once per rule and subject
   * (null for a duplicate). A finding about an act (with actorId) folds into the open alert of
   * the same rule, subject and actor when it happened within the fold window of that alert's last
   * occurrence: the count goes up (audited as alert.repeated) and the alert is returned with it.
   */
  async raise(actor: Actor, input: RaiseInput): Promise<AlertRow | null> {
    const f = input.finding;
    const subjectKey = f.subjectKey.slice(0, 160);
    const isAct = f.actorId !== undefined; // null: an act whose actor is not a user (a system job)
    const stateKey = isAct ? null : `${input.ruleCode}|${subjectKey}`;
    if (stateKey !== null && this.raised.has(stateKey)) return null;
    const known = () => {
      if (this.raised.size >= MAX_KNOWN_RAISED) this.raised.clear();
      this.raised.add(stateKey!);
    };
    try {
      return await withTx(this.db, async (tx) => {
        const now = actor.clock.now();
        const seq = input.trigger?.seq ?? null;
        const occurredAt = input.trigger?.occurredAt ? new Date(isoFromDb(input.trigger.occurredAt)!) : now;
        if (isAct) {
          const open = await forUpdate(tx, tx('sv_alerts').where({ rule_code: input.ruleCode, subject_key: subjectKey, actor_id: f.actorId }).whereNot('status', 'closed').orderBy('id', 'desc')).first();
          if (open) {
            // The same event seen again (a replay of the trail) never counts twice.
            if (seq !== null && open.last_trigger_seq !== null && seq <= Number(open.last_trigger_seq)) return null;
            const lastSeen = new Date(isoFromDb(open.last_seen_at ?? open.raised_at)!);
            const windowMs = (input.foldWindowMinutes ?? DEFAULT_FOLD_WINDOW_MINUTES) * 60_000;
            if (occurredAt.getTime() - lastSeen.getTime() <= windowMs) return this.repeat(tx, actor, open, { seq, occurredAt, evidence: f.evidence });
          }
        } else if (await tx('sv_alerts').where({ rule_code: input.ruleCode, subject_key: subjectKey }).first('id')) {
          known();
          return null;
        }
        const latency = input.trigger?.receivedAtMs !== undefined ? Math.max(0, Math.round(performance.now() - input.trigger.receivedAtMs)) : null;
        const row = {
          rule_code: input.ruleCode,
          subject_key: subjectKey,
          subject_type: f.subjectType,
          subject_id: String(f.subjectId).slice(0, 64),
          process_key: f.processKey ?? null,
          org_id: f.orgId ?? null,
          severity: input.severity,
          status: 'open',
          summary_json: JSON.stringify(f.params),
          evidence_json: JSON.stringify(f.evidence),
          trigger_seq: seq,
          trigger_at: input.trigger?.occurredAt ?? null,
          raised_at: toDbTime(now),
          latency_ms: latency,
          actor_id: isAct ? f.actorId ?? null : null,
          // An act's alert is keyed by its first occurrence, so a later one outside the window is a new row.
          occurrence_key: isAct ? (seq !== null ? `seq:${seq}` : `at:${occurredAt.toISOString()}`) : '',
          occurrences: 1,
          last_seen_at: toDbTime(occurredAt),
          last_trigger_seq: seq,
          version: 1,
          updated_at: toDbTime(now),
        };
        const [id] = await tx('sv_alerts').insert(row);
        if (stateKey !== null) tx.afterCommit(known);
        await record(tx, actor, { action: 'alert.raised', entityType: 'alert', entityId: id, after: { ruleCode: input.ruleCode, severity: input.severity, subjectKey, subjectType: f.subjectType, subjectId: row.subject_id, processKey: row.process_key, orgId: row.org_id, actorId: row.actor_id, triggerSeq: row.trigger_seq, evidence: f.evidence } });
        this.announce(tx, Number(id), 'raised');
        return alertFromRow({ ...row, id, version: 1 });
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        // raised concurrently by another evaluation
        if (stateKey !== null) known();
        return null;
      }
      throw err;
    }
  }

  private async repeat(tx: Tx, actor: Actor, open: any, o: { seq: number | null; occurredAt: Date; evidence: Record<string, unknown> }): Promise<AlertRow> {
    const id = Number(open.id);
    const occurrences = Number(open.occurrences) + 1;
    const lastSeen = new Date(Math.max(o.occurredAt.getTime(), new Date(isoFromDb(open.last_seen_at ?? open.raised_at)!).getTime()));
    const changes = { occurrences, last_seen_at: toDbTime(lastSeen), last_trigger_seq: o.seq ?? open.last_trigger_seq, version: Number(open.version) + 1, updated_at: toDbTime(actor.clock.now()) };
    await tx('sv_alerts').where({ id }).update(changes);
    await record(tx, actor, { action: 'alert.repeated', entityType: 'alert', entityId: id, before: { occurrences: Number(open.occurrences) }, after: { occurrences, lastSeenAt: lastSeen.toISOString(), triggerSeq: o.seq, evidence: o.evidence } });
    this.announce(tx, id, 'repeated');
    return alertFromRow({ ...open, ...changes });
  }

  /** The filtered listing as a query (not run: callers page it; an async function would run it). */
  list(filter: Parameters<typeof alertsQuery>[1]): Knex.QueryBuilder {
    return alertsQuery(this.db, filter);
  }

  async get(id: number): Promise<AlertRow & { notes: Awaited<ReturnType<typeof notesOf>> }> {
    const row = await alertsQuery(this.db, {}).where('a.id', id).first();
    if (!row) throw new NotFoundError(`Alert ${id} not found`, null, 'ALERT_NOT_FOUND');
    return { ...alertFromRow(row), notes: await notesOf(this.db, id) };
  }

  private async transition(actor: Actor, id: number, cmd: AlertCommand, apply: (tx: Tx, current: any, now: string) => Promise<{ changes: Record<string, unknown>; note?: { kind: string; body: string }; audit: Record<string, unknown> }>) {
    return withTx(this.db, async (tx) => {
      const current = await forUpdate(tx, tx('sv_alerts').where({ id })).first();
      if (!current) throw new NotFoundError(`Alert ${id} not found`, null, 'ALERT_NOT_FOUND');
      if (!canApply(cmd, current.status)) throw new ConflictError('ALERT_WRONG_STATE', `An alert that is ${current.status} cannot be given "${cmd}"`, { status: current.status, command: cmd });
      const now = toDbTime(actor.clock.now());
      const { changes, note, audit } = await apply(tx, current, now);
      const status = nextStatus(cmd, current.status);
      await tx('sv_alerts').where({ id }).update({ ...changes, status, version: Number(current.version) + 1, updated_at: now });
      if (note) await tx('sv_alert_notes').insert({ alert_id: id, author_id: actor.userId, kind: note.kind, body: note.body, created_at: now });
      await record(tx, actor, { action: `alert.${cmd === 'investigate' ? 'investigation_started' : cmd === 'note' ? 'noted' : cmd === 'acknowledge' ? 'acknowledged' : cmd === 'link' ? 'linked' : cmd === 'assign' ? 'assigned' : 'closed'}`, entityType: 'alert', entityId: id, before: { status: current.status, assignedTo: current.assigned_to }, after: { status, ...audit } });
      this.announce(tx, id, cmd);
      return id;
    }).then(() => this.get(id));
  }

  assign(actor: Actor, id: number, assigneeId: number, note?: string) {
    return this.transition(actor, id, 'assign', async (tx, _cur, now) => {
      const assignee = await tx('users as u').join('user_roles as r', 'r.user_id', 'u.id').where({ 'u.id': assigneeId, 'r.role': 'supervisor', 'u.status': 'active' }).first('u.id', 'u.display_name');
      if (!assignee) throw new RuleError('ASSIGNEE_NOT_SUPERVISOR', 'Alerts are assigned to active supervisors only', { assigneeId });
      return { changes: { assigned_to: assigneeId, assigned_at: now }, note: { kind: 'assignment', body: note?.trim() || `→ ${assignee.display_name}` }, audit: { assignedTo: assigneeId } };
    });
  }

  acknowledge(actor: Actor, id: number) {
    return this.transition(actor, id, 'acknowledge', async (_tx, cur, now) => {
      if (Number(cur.assigned_to) !== actor.userId) throw new ForbiddenError('Only the assigned supervisor acknowledges an alert', { assignedTo: cur.assigned_to }, 'NOT_ASSIGNEE');
      return { changes: { acknowledged_at: now }, audit: {} };
    });
  }

  investigate(actor: Actor, id: number, note: string) {
    return this.transition(actor, id, 'investigate', async (_tx, cur, now) => {
      if (Number(cur.assigned_to) !== actor.userId) throw new ForbiddenError('Only the assigned supervisor investigates an alert', { assignedTo: cur.assigned_to }, 'NOT_ASSIGNEE');
      return { changes: { investigation_started_at: now }, note: { kind: 'investigation', body: note }, audit: { note } };
    });
  }

  note(actor: Actor, id: number, body: string) {
    return this.transition(actor, id, 'note', async () => ({ changes: {}, note: { kind: 'note', body }, audit: { note: body } }));
  }

  close(actor: Actor, id: number, finding: AlertFinding, note: string) {
    return this.transition(actor, id, 'close', async (_tx, cur, now) => {
      if (Number(cur.assigned_to) !== actor.userId) throw new ForbiddenError('Only the assigned supervisor closes an alert', { assignedTo: cur.assigned_to }, 'NOT_ASSIGNEE');
      return { changes: { closed_at: now, closed_by: actor.userId, finding, finding_note: note }, note: { kind: 'finding', body: note }, audit: { finding, note } };
    });
  }

  linkRiskPoint(actor: Actor, id: number, riskPointId: number | null) {
    return this.transition(actor, id, 'link', async (tx) => {
      if (riskPointId !== null && !(await tx('sv_risk_points').where({ id: riskPointId }).first('id'))) throw new NotFoundError(`Risk point ${riskPointId} not found`, null, 'RISK_POINT_NOT_FOUND');
      return { changes: { risk_point_id: riskPointId }, audit: { riskPointId } };
    });
  }
}
