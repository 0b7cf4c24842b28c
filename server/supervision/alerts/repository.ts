// SQL for alerts and their notes.
import type { Knex } from 'knex';
import { isoFromDb } from '../../db/time';
import type { AlertStatus } from './state-machine';

export interface AlertRow {
  id: number;
  ruleCode: string;
  subjectKey: string;
  subjectType: string;
  subjectId: string;
  processKey: string | null;
  orgId: number | null;
  orgName: string | null;
  severity: string;
  status: AlertStatus;
  summary: Record<string, string | number>;
  evidence: Record<string, unknown>;
  triggerSeq: number | null;
  triggerAt: string | null;
  raisedAt: string;
  latencyMs: number | null;
  assignedTo: number | null;
  assigneeName: string | null;
  assignedAt: string | null;
  acknowledgedAt: string | null;
  investigationStartedAt: string | null;
  closedAt: string | null;
  closedBy: number | null;
  finding: string | null;
  findingNote: string | null;
  riskPointId: number | null;
  /** The user whose act raised it (acts only), how often it happened in the fold window, and when last. */
  actorId: number | null;
  occurrences: number;
  lastSeenAt: string;
  version: number;
}

export function alertFromRow(r: any): AlertRow {
  return {
    id: Number(r.id),
    ruleCode: r.rule_code,
    subjectKey: r.subject_key,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    processKey: r.process_key,
    orgId: r.org_id === null ? null : Number(r.org_id),
    orgName: r.org_name ?? null,
    severity: r.severity,
    status: r.status,
    summary: JSON.parse(r.summary_json),
    evidence: JSON.parse(r.evidence_json),
    triggerSeq: r.trigger_seq === null ? null : Number(r.trigger_seq),
    triggerAt: isoFromDb(r.trigger_at),
    raisedAt: isoFromDb(r.raised_at)!,
    latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
    assignedTo: r.assigned_to === null ? null : Number(r.assigned_to),
    assigneeName: r.assignee_name ?? null,
    assignedAt: isoFromDb(r.assigned_at),
    acknowledgedAt: isoFromDb(r.acknowledged_at),
    investigationStartedAt: isoFromDb(r.investigation_started_at),
    closedAt: isoFromDb(r.closed_at),
    closedBy: r.closed_by === null ? null : Number(r.closed_by),
    finding: r.finding,
    findingNote: r.finding_note,
    riskPointId: r.risk_point_id === null ? null : Number(r.risk_point_id),
    actorId: r.actor_id === null || r.actor_id === undefined ? null : Number(r.actor_id),
    occurrences: Number(r.occurrences ?? 1),
    lastSeenAt: isoFromDb(r.last_seen_at ?? r.raised_at)!,
    version: Number(r.version),
  };
}

export function alertsQuery(db: Knex, f: { status?: string; ruleCode?: string; severity?: string; orgId?: number; assignedTo?: number; processKey?: string; riskPointId?: number; open?: boolean }): Knex.QueryBuilder {
  const q = db('sv_alerts as a')
    .leftJoin('organisations as o', 'o.id', 'a.org_id')
    .leftJoin('users as u', 'u.id', 'a.assigned_to')
    .select('a.*', 'o.name_zh as org_name', 'u.display_name as assignee_name')
    .orderBy('a.id', 'desc');
  if (f.status) q.where('a.status', f.status);
  if (f.open) q.whereNot('a.status', 'closed');
  if (f.ruleCode) q.where('a.rule_code', f.ruleCode);
  if (f.severity) q.where('a.severity', f.severity);
  if (f.orgId) q.where('a.org_id', f.orgId);
  if (f.assignedTo) q.where('a.assigned_to', f.assignedTo);
  if (f.processKey) q.where('a.process_key', f.processKey);
  if (f.riskPointId) q.where('a.risk_point_id', f.riskPointId);
  return q;
}

export async function notesOf(db: Knex, alertId: number) {
  const rows = await db('sv_alert_notes as n').leftJoin('users as u', 'u.id', 'n.author_id').where('n.alert_id', alertId).select('n.*', 'u.display_name as author_name').orderBy('n.id');
  return rows.map((r: any) => ({ id: Number(r.id), kind: r.kind, body: r.body, authorId: Number(r.author_id), authorName: r.author_name, createdAt: isoFromDb(r.created_at) }));
}
