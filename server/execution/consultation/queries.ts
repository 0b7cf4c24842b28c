// Read side: what each role may see of a consultation. Officials and the purchasing unit see the
// suppliers and the record of each step; the team also reads the first responses (after the
// deadline) and the minutes; a supplier sees only its own part (its response's digest, the changes
// sent to it, its own rounds) and never another supplier, nor how many there are.
import type { Knex } from 'knex';
import { isoFromDb } from '../../db/time';
import { NotFoundError } from '../../http/errors';
import type { SessionUser } from '../../http/auth/sessions';
import { paged } from '../../http/paging';
import { consultationFromRow, findConsultation, teamExpertIdForUser, type ConsultationRow } from './repository';
import { loadConsultationLegal } from './rules';

const OFFICIALS = ['operator', 'supervisor', 'admin'];
const has = (u: SessionUser | null, roles: string[]) => !!u && u.roles.some((r) => roles.includes(r));

export type InvitedTo = (supplierId: number) => Promise<number[]>;

export async function listConsultations(db: Knex, user: SessionUser, q: { status?: string; page: number; pageSize: number }, invitedTo: InvitedTo) {
  const invited = has(user, ['supplier']) && user.supplierId ? await invitedTo(user.supplierId) : [];
  const qb = db('consultations as c').leftJoin('tenders as t', 't.id', 'c.tender_id').select('c.*', 't.status as tender_status').orderBy('c.id', 'desc');
  if (q.status) qb.where('c.status', q.status);
  if (!has(user, OFFICIALS)) {
    qb.where((w) => {
      w.whereRaw('1 = 0');
      if (has(user, ['purchaser', 'approver', 'finance']) && user.orgId) w.orWhere((x) => x.where('c.purchasing_org_id', user.orgId).whereNot('c.status', 'draft'));
      if (has(user, ['supplier']) && user.supplierId) {
        w.orWhere((x) => x.where((y) => y.whereIn('c.id', db('consultation_suppliers').where({ supplier_id: user.supplierId! }).select('consultation_id')).orWhereIn('c.id', invited.length ? invited : [-1])).whereNot('c.status', 'draft'));
        // A consultation by public notice is open to every supplier while it takes first responses.
        w.orWhere((x) => x.where({ 'c.invitation': 'public_notice', 'c.status': 'issued' }));
      }
      if (has(user, ['expert'])) w.orWhereIn('c.id', db('consultation_team as m').join('experts as e', 'e.id', 'm.expert_id').where('e.user_id', user.id).select('m.consultation_id'));
    });
  }
  return paged(qb, q.page, q.pageSize, (r: ConsultationRow & { tender_status: string | null }) => {
    const c = consultationFromRow(r, r.tender_status);
    return { id: c.id, reference: c.reference, title: c.title, kind: c.kind, budgetFen: c.budgetFen, status: c.status, stage: c.stage, invitation: c.invitation, issuedAt: c.issuedAt, responseDeadline: c.responseDeadline, tenderId: c.tenderId, projectId: c.projectId };
  });
}

export async function consultationDetail(db: Knex, user: SessionUser, id: number, invitedTo: InvitedTo) {
  const row = await findConsultation(db, id);
  const tenderStatus = row.tender_id === null ? null : ((await db('tenders').where({ id: row.tender_id }).first('status')) as { status: string }).status;
  const base = consultationFromRow(row, tenderStatus);
  const official = has(user, OFFICIALS);
  const unit = has(user, ['purchaser', 'approver', 'finance']) && row.purchasing_org_id !== null && user.orgId === row.purchasing_org_id && row.status !== 'draft';
  const expertId = has(user, ['expert']) ? await teamExpertIdForUser(db, id, user.id) : null;
  const legal = await loadConsultationLegal(db);
  const rules = { firstResponseDays: legal.firstResponseDays, minSuppliers: { value: row.min_suppliers, source: row.exception ? legal.exceptionMinSuppliers.source : legal.minSuppliers.source }, teamMinimum: legal.teamMinimum };
  const changes = await db('consultation_changes').where({ consultation_id: id }).orderBy('version');
  if (official || unit || expertId !== null) {
    const suppliers = await db('consultation_suppliers as s').join('suppliers as p', 'p.id', 's.supplier_id').where('s.consultation_id', id).orderBy('s.supplier_id').select('s.*', 'p.name');
    const afterDeadline = !['draft', 'issued'].includes(row.status);
    const rounds = await db('consultation_rounds').where({ consultation_id: id }).orderBy(['supplier_id', 'round_no']);
    const acks = changes.length ? await db('consultation_change_acks').whereIn('change_id', changes.map((c: { id: number }) => c.id)) : [];
    const team = await db('consultation_team as m').join('experts as e', 'e.id', 'm.expert_id').where('m.consultation_id', id).orderBy('m.expert_id').select('m.expert_id', 'm.is_chair', 'm.source_ref', 'e.name');
    // Team names stay confidential (SV: draw confidentiality) until the award is announced, except to the team.
    const namesPublic = tenderStatus === 'awarded' || expertId !== null;
    return {
      ...base,
      rules,
      viewer: expertId !== null ? 'team' : official ? 'official' : 'unit',
      myExpertId: expertId,
      // Who responded is known to nobody before the deadline (the count only, for officials).
      suppliers: afterDeadline
        ? suppliers.map((s: any) => ({ supplierId: Number(s.supplier_id), name: s.name, source: s.source, status: s.status, respondedAt: isoFromDb(s.responded_at), responseSha256: s.response_sha256, eliminatedReason: s.eliminated_reason, response: expertId !== null && afterDeadline ? s.response_text : null }))
        : [],
      respondedCount: suppliers.filter((s: any) => s.responded_at).length,
      team: team.map((m: any) => ({ expertId: Number(m.expert_id), name: namesPublic ? m.name : null, chair: Boolean(m.is_chair), drawId: m.source_ref })),
      rounds: rounds.map((r: any) => ({ supplierId: Number(r.supplier_id), roundNo: r.round_no, documentsVersion: r.documents_version, heldAt: isoFromDb(r.held_at), minutesSha256: r.minutes_sha256, minutes: expertId !== null || official ? r.minutes : null })),
      changes: changes.map((c: any) => ({ id: c.id, version: c.version, summary: c.summary, body: c.body, issuedAt: isoFromDb(c.issued_at), byTeam: c.issued_by_expert_id !== null, acks: acks.filter((a: any) => a.change_id === c.id).map((a: any) => ({ supplierId: Number(a.supplier_id), acknowledgedAt: isoFromDb(a.acknowledged_at) })) })),
    };
  }
  if (has(user, ['supplier']) && user.supplierId) {
    const mine = await db('consultation_suppliers').where({ consultation_id: id, supplier_id: user.supplierId }).first();
    const open = (row.invitation === 'public_notice' && row.status === 'issued') || (!mine && (await invitedTo(user.supplierId)).includes(id));
    if ((!mine && !open) || row.status === 'draft') throw new NotFoundError(`Consultation ${id} not found`, null, 'CONSULTATION_NOT_FOUND');
    const myAcks = mine ? await db('consultation_change_acks').where({ supplier_id: user.supplierId }).whereIn('change_id', changes.map((c: { id: number }) => c.id)) : [];
    const sent = new Map(myAcks.map((a: any) => [a.change_id, a]));
    const rounds = mine ? await db('consultation_rounds').where({ consultation_id: id, supplier_id: user.supplierId }).orderBy('round_no') : [];
    const remaining = mine?.status === 'consulting';
    return {
      ...base,
      rules,
      viewer: 'supplier',
      tenderId: remaining ? base.tenderId : null,
      me: mine ? { status: mine.status, respondedAt: isoFromDb(mine.responded_at), responseSha256: mine.response_sha256, response: mine.response_text, eliminatedReason: mine.eliminated_reason } : null,
      // The changes addressed to this supplier (all of them, for a supplier still in).
      changes: changes.filter((c: any) => sent.has(c.id) || (c.issued_by_expert_id === null && (!mine || mine.status !== 'eliminated'))).map((c: any) => ({ id: c.id, version: c.version, summary: c.summary, body: c.body, issuedAt: isoFromDb(c.issued_at), sent: sent.has(c.id), acknowledgedAt: sent.has(c.id) ? isoFromDb((sent.get(c.id) as any).acknowledged_at) : null })),
      rounds: rounds.map((r: any) => ({ roundNo: r.round_no, documentsVersion: r.documents_version, heldAt: isoFromDb(r.held_at), minutes: r.minutes })),
    };
  }
  throw new NotFoundError(`Consultation ${id} not found`, null, 'CONSULTATION_NOT_FOUND');
}
