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
  /** 1: per-round seeds and unsalted pool hashes (before 2026-12); 2: one sealed secret, keyed hashes. */
  scheme: number;
  commitment: string | null;
  secret_sealed: string | null;
  secret: string | null;
}

export const groupsOf = (d: DrawRow): Array<{ specialty: string; count: number }> => JSON.parse(d.groups_json);
export const supplierIdsOf = (d: DrawRow): number[] => JSON.parse(d.supplier_ids_json);

export async function invitationCounts(db: Knex, drawId: number) {
  const rows = (await db('draw_invitations').where({ draw_id: drawId }).groupBy('status').select('status').count({ n: '*' })) as Array<{ status: string; n: number | string }>;
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const replaced = Number((await db('draw_invitations').where({ draw_id: drawId }).whereNotNull('replacement_round_id').count({ n: '*' }).first())?.n ?? 0);
  return { invited: rows.reduce((s, r) => s + Number(r.n), 0), pending: by.pending ?? 0, accepted: by.accepted ?? 0, declined: by.declined ?? 0, noAnswer: by.no_answer ?? 0, replaced };
}

/** Every round in full: only once the draw is revealed. */
export async function revealedRounds(db: Knex, drawId: number) {
  const rows = await db('draw_rounds').where({ draw_id: drawId }).orderBy('round_no');
  return rows.map((r: any) => ({
    roundNo: Number(r.round_no),
    kind: r.kind as string,
    createdAt: isoFromDb(r.created_at)!,
    commitment: r.commitment as string,
    poolHash: r.pool_hash as string,
    poolSize: r.pool_size === null ? null : Number(r.pool_size),
    selectedCount: r.selected_count === null ? null : Number(r.selected_count),
    seed: r.seed as string,
    pool: JSON.parse(r.pool_json) as PoolGroup[],
    result: JSON.parse(r.result_json) as number[][],
  }));
}

/**
 * What is published of a draw's seal. Before the reveal: the commitment, when it was made, and
 * (scheme 2) round 1's keyed pool hash; nothing per round, so no pool size and no count of
 * replacement rounds. After: the secret and every round. A scheme-1 draw's pool hashes are
 * unsalted, so they are withheld until its reveal.
 */
export async function sealRecord(db: Knex, d: DrawRow) {
  const revealed = d.status === 'revealed';
  const first = await db('draw_rounds').where({ draw_id: d.id, round_no: 1 }).first('commitment', 'pool_hash', 'created_at');
  const v2 = Number(d.scheme) === 2;
  return {
    scheme: (v2 ? 2 : 1) as 1 | 2,
    commitment: (v2 ? d.commitment : first?.commitment) ?? '',
    committedAt: isoFromDb(d.created_at),
    poolHash: v2 || revealed ? ((first?.pool_hash as string | undefined) ?? null) : null,
    secret: revealed && v2 ? d.secret : null,
    rounds: revealed ? await revealedRounds(db, d.id) : null,
  };
}

/**
 * The centre's view of the rounds while sealed: when each was drawn and its keyed pool hash
 * (scheme 2), never a pool size. Operators and supervisors already see the replacement count.
 */
async function roundsForStaff(db: Knex, d: DrawRow) {
  if (d.status === 'revealed') return revealedRounds(db, d.id);
  const rows = await db('draw_rounds').where({ draw_id: d.id }).orderBy('round_no').select('round_no', 'kind', 'created_at', 'pool_hash');
  return rows.map((r: any) => ({ roundNo: Number(r.round_no), kind: r.kind as string, createdAt: isoFromDb(r.created_at)!, poolHash: Number(d.scheme) === 2 ? (r.pool_hash as string) : null }));
}

/** The operator's view: the request, the commitments and the counts, never who. */
export async function drawSummary(db: Knex, d: DrawRow) {
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
    seal: { ...(await sealRecord(db, d)), rounds: undefined },
    rounds: await roundsForStaff(db, d),
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
