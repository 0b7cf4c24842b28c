// Draw rows and their public shapes. Nothing here returns sealed content in clear.
import type { Knex } from 'knex';
import { isoFromDb } from '../../db/time';
import type { PoolGroup } from './selection';

export interface DrawRow {
  id: number;
  project_ref: string;
  project_id: number | null;
  purchasing_org_id: number;
  supplier_ids_json: string;
  groups_json: string;
  total_count: number;
  evaluation_at: string;
  evaluation_place: string;
  reveal_at: string;
  response_minutes: number;
  status: 'sealed' | 'revealed';
  confirmed_count: number;
  shortfall: number;
  requested_by: number | null;
  created_at: string;
  revealed_at: string | null;
  panel_json: string | null;
}

export const groupsOf = (d: DrawRow): Array<{ specialty: string; count: number }> => JSON.parse(d.groups_json);
export const supplierIdsOf = (d: DrawRow): number[] => JSON.parse(d.supplier_ids_json);

export async function invitationCounts(db: Knex, drawId: number) {
  const rows = (await db('draw_invitations').where({ draw_id: drawId }).groupBy('status').select('status').count({ n: '*' })) as Array<{ status: string; n: number | string }>;
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const replaced = Number((await db('draw_invitations').where({ draw_id: drawId }).whereNotNull('replacement_round_id').count({ n: '*' }).first())?.n ?? 0);
  return { invited: rows.reduce((s, r) => s + Number(r.n), 0), pending: by.pending ?? 0, accepted: by.accepted ?? 0, declined: by.declined ?? 0, noAnswer: by.no_answer ?? 0, replaced };
}

export async function roundsPublic(db: Knex, drawId: number, revealed: boolean) {
  const rows = await db('draw_rounds').where({ draw_id: drawId }).orderBy('round_no');
  return rows.map((r: any) => ({
    roundNo: r.round_no,
    kind: r.kind,
    commitment: r.commitment,
    poolHash: r.pool_hash,
    poolSize: r.pool_size,
    selectedCount: r.selected_count,
    createdAt: isoFromDb(r.created_at),
    // Published only after the reveal; null before.
    seed: revealed ? r.seed : null,
    pool: revealed && r.pool_json ? (JSON.parse(r.pool_json) as PoolGroup[]) : null,
    result: revealed && r.result_json ? (JSON.parse(r.result_json) as number[][]) : null,
  }));
}

/** The operator's view: the request, the commitments and the counts, never who. */
export async function drawSummary(db: Knex, d: DrawRow) {
  const revealed = d.status === 'revealed';
  return {
    id: d.id,
    projectRef: d.project_ref,
    projectId: d.project_id,
    purchasingOrgId: d.purchasing_org_id,
    supplierIds: supplierIdsOf(d),
    groups: groupsOf(d),
    totalCount: d.total_count,
    evaluationAt: isoFromDb(d.evaluation_at),
    evaluationPlace: d.evaluation_place,
    revealAt: isoFromDb(d.reveal_at),
    responseMinutes: d.response_minutes,
    status: d.status,
    confirmedCount: d.confirmed_count,
    shortfall: d.shortfall,
    createdAt: isoFromDb(d.created_at),
    revealedAt: isoFromDb(d.revealed_at),
    invitations: await invitationCounts(db, d.id),
    rounds: await roundsPublic(db, d.id, revealed),
  };
}

export interface PanelEntry {
  expertId: number;
  name: string;
  title: string;
  employerName: string;
  roundNo: number;
  specialty: string;
  answer: 'accepted' | 'declined' | 'no_answer';
}

/** The published panel after reveal: who was drawn, in which round, and how they answered. */
export function publishedPanel(d: DrawRow & { panel_json?: string | null }): PanelEntry[] | null {
  return d.status === 'revealed' && d.panel_json ? JSON.parse(d.panel_json) : null;
}
