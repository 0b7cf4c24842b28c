// Read side: what each role may see of a tender. Before the opening nobody, the operator
// included, learns who has bid; a supplier sees only its own receipts. While the decryption
// window is open everyone sees only how many bids are resolved and pending, and each bidder its
// own status; the opening record (bidders, prices) is public once it is published, in one step,
// when every bid is resolved or the window closes. Scores are public once the award is announced.
import type { Knex } from 'knex';
import { isoFromDb } from '../../db/time';
import { NotFoundError } from '../../http/errors';
import type { SessionUser } from '../../http/auth/sessions';
import { paged } from '../../http/paging';
import { bidsWithSupplier, evaluationLine, findTender, openingLine, openingProgress, ownBidFromRow, tenderFromRow, type BidRow, type TenderRow } from './repository';
import { ocdsBidStatus } from './state-machine';
import { loadRuleBook } from '../../core/rules/rule-book';
import { hooksFor, registeredProcedures } from './procedures';

const OFFICIALS = ['operator', 'supervisor', 'admin'];
const has = (u: SessionUser | null, roles: string[]) => !!u && u.roles.some((r) => roles.includes(r));
const OPENED = ['opening', 'evaluation', 'report_confirmation', 'evaluated', 'awarded', 'failed'];

function noticeFromRow(n: any) {
  return { id: n.id, kind: n.kind, substantive: Boolean(n.substantive), title: n.title, body: n.kind === 'clarification' || n.kind === 'amendment' ? n.body : JSON.parse(n.body), deadlineBefore: isoFromDb(n.deadline_before), deadlineAfter: isoFromDb(n.deadline_after), publishedAt: isoFromDb(n.published_at) };
}

/** An invitational tender's project ids (the suppliers' invitations decide who sees its tender). */
const invitationalProjects = (db: Knex) => db('procurement_projects').where('method', 'invitational_tender').select('id');

/** The projects a supplier is invited to (computed from its own invitation tags). */
export type InvitedProjects = (supplierId: number) => Promise<number[]>;

export async function listTenders(db: Knex, user: SessionUser, q: { status?: string; page: number; pageSize: number }, invitedProjects?: InvitedProjects) {
  const invited = has(user, ['supplier']) && user.supplierId && invitedProjects ? await invitedProjects(user.supplierId) : [];
  const qb = db('tenders').select('*').orderBy('id', 'desc');
  if (q.status) qb.where('status', q.status);
  if (!has(user, [...OFFICIALS, 'finance'])) {
    const or: Array<(w: Knex.QueryBuilder) => void> = [];
    if (has(user, ['purchaser', 'approver']) && user.orgId) or.push((w) => w.orWhere('purchasing_org_id', user.orgId));
    if (has(user, ['supplier'])) {
      // A supplier sees public tenders, and invitational ones only when invited.
      or.push((w) => w.orWhere((x) => x.whereNot('status', 'draft').where('procedure', 'public_tender').where((y) => y.whereNull('project_id').orWhereNotIn('project_id', invitationalProjects(db)).orWhereIn('project_id', invited.length ? invited : [-1]))));
      // Another procedure's tender (a consultation's final quotations) only to its own suppliers.
      if (user.supplierId) for (const p of registeredProcedures()) or.push((w) => w.orWhereIn('id', hooksFor({ procedure: p })!.tendersVisibleTo(db, user.supplierId!)));
    }
    if (has(user, ['expert'])) or.push((w) => w.orWhereIn('id', db('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').where('e.user_id', user.id).select('c.tender_id')));
    qb.where((w) => {
      w.whereRaw('1 = 0');
      or.forEach((f) => f(w));
    });
  } else if (!has(user, OFFICIALS)) qb.whereNot('status', 'draft');
  return paged(qb, q.page, q.pageSize, (r: TenderRow) => {
    const t = tenderFromRow(r);
    return { id: t.id, reference: t.reference, title: t.title, kind: t.kind, method: t.method, budgetFen: t.budgetFen, status: t.status, bidDeadline: t.bidDeadline, openingAt: t.openingAt, publishedAt: t.publishedAt, projectId: t.projectId };
  });
}

async function mayRead(db: Knex, user: SessionUser | null, row: TenderRow, invitedProjects?: InvitedProjects): Promise<boolean> {
  if (has(user, [...OFFICIALS, 'finance'])) return row.status !== 'draft' || has(user, OFFICIALS);
  if (row.status === 'draft') return has(user, ['purchaser', 'approver']) && user!.orgId === row.purchasing_org_id;
  const h = hooksFor(row);
  if (h && !has(user, ['purchaser', 'approver', 'expert'])) {
    // A consultation's final quotations: its own remaining suppliers only (not the public, not other suppliers).
    if (!user?.supplierId) return false;
    return !!(await h.tendersVisibleTo(db, user.supplierId).where('id', row.id).first());
  }
  // An invitational tender's documents: its unit, its committee and its invited suppliers, until the opening record is public.
  if (row.project_id !== null && (await db('procurement_projects').where({ id: row.project_id, method: 'invitational_tender' }).first('id'))) {
    if (OPENED.includes(row.status) && row.status !== 'opening') return true;
    if (has(user, ['purchaser', 'approver']) && user!.orgId === row.purchasing_org_id) return true;
    if (has(user, ['expert']) && (await db('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').where({ 'c.tender_id': row.id, 'e.user_id': user!.id }).first('c.expert_id'))) return true;
    return has(user, ['supplier']) && !!user!.supplierId && !!invitedProjects && (await invitedProjects(user!.supplierId)).includes(row.project_id);
  }
  return true;
}

export async function tenderDetail(db: Knex, user: SessionUser | null, id: number, now: Date, openOwn?: (sealed: string, bidId: number) => number | null, invitedProjects?: InvitedProjects) {
  const row = await findTender(db, id);
  if (!(await mayRead(db, user, row, invitedProjects))) throw new NotFoundError(`Tender ${id} not found`, null, 'TENDER_NOT_FOUND');
  const notices = (await db('tender_notices').where({ tender_id: id }).orderBy('id')).map(noticeFromRow);
  // During the window the opening has started but its record is not out yet.
  const opened = OPENED.includes(row.status) && row.status !== 'opening';
  const bids = opened ? await bidsWithSupplier(db, id) : [];
  const official = has(user, OFFICIALS);
  const onCommittee = !!user && has(user, ['expert']) && !!(await db('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').where({ 'c.tender_id': id, 'e.user_id': user.id }).first('c.expert_id'));
  // The purchasing unit confirms the result from the final report: it reads the ranking once the committee has confirmed it.
  const purchasingUnit = has(user, ['purchaser', 'approver']) && row.purchasing_org_id !== null && user!.orgId === row.purchasing_org_id;
  const scoresVisible = row.status === 'awarded' || ((official || onCommittee) && ['report_confirmation', 'evaluated'].includes(row.status)) || (purchasingUnit && row.status === 'evaluated');
  const sealedCount = !opened && official && row.status !== 'draft' && now >= new Date(isoFromDb(row.bid_deadline)!) ? Number((await db('tender_bids').where({ tender_id: id, status: 'sealed' }).count({ n: '*' }).first())?.n ?? 0) : null;
  return {
    ...tenderFromRow(row),
    notices,
    openingRecord: opened && bids.length ? bids.map(openingLine) : null,
    openingProgress: row.status === 'opening' ? await openingProgress(db, id) : null,
    evaluation: scoresVisible ? bids.map(evaluationLine) : null,
    report: scoresVisible && row.report_json ? { sha256: row.report_sha256, at: isoFromDb(row.report_at), content: JSON.parse(row.report_json) } : null,
    myBids: user?.supplierId && has(user, ['supplier']) ? (await db('tender_bids').where({ tender_id: id, supplier_id: user.supplierId }).orderBy('id', 'desc')).map((b: BidRow) => ownBidFromRow(b, openOwn)) : null,
    sealedBidsAtDeadline: sealedCount,
    /** During the decryption window: how many keys a bidder may hand in for its bid (wrong ones are refused, not fatal). */
    maxKeyAttempts: row.status === 'opening' ? (await loadRuleBook(db)).tenderMaxKeyAttempts.value : null,
    onCommittee,
  };
}

/** The portal: published notices only, the OCDS-like release of a tender. */
export async function portalList(db: Knex, q: { page: number; pageSize: number }) {
  // An invitational tender is not on the portal while it takes bids (no public notice; its draw's commitment is).
  const qb = db('tenders').whereNot('status', 'draft').whereNot((w) => w.where('status', 'published').whereIn('project_id', invitationalProjects(db))).orderBy('id', 'desc');
  return paged(qb, q.page, q.pageSize, (r: TenderRow) => {
    const t = tenderFromRow(r);
    return { id: t.id, reference: t.reference, title: t.title, kind: t.kind, status: t.ocdsStatus, tenderPeriod: t.tenderPeriod, openingAt: t.openingAt, budgetFen: t.budgetFen };
  });
}

export async function portalRelease(db: Knex, id: number) {
  const row = await findTender(db, id);
  if (row.status === 'draft') throw new NotFoundError(`Tender ${id} not found`, null, 'TENDER_NOT_FOUND');
  const invitational = row.project_id !== null && !!(await db('procurement_projects').where({ id: row.project_id, method: 'invitational_tender' }).first('id'));
  if (invitational && row.status === 'published') throw new NotFoundError(`Tender ${id} not found`, null, 'TENDER_NOT_FOUND');
  const t = tenderFromRow(row);
  const notices = (await db('tender_notices').where({ tender_id: id }).orderBy('id')).map(noticeFromRow);
  const bids = OPENED.includes(row.status) && row.status !== 'opening' ? await bidsWithSupplier(db, id) : [];
  // While the window is open: how many bids, no bidder and no price.
  const progress = row.status === 'opening' ? await openingProgress(db, id) : null;
  return {
    ocid: `ocds-sunshine-${t.reference}`,
    tender: { id: t.reference, title: t.title, status: t.ocdsStatus, value: { amountFen: t.budgetFen, currency: 'CNY' }, procurementMethod: invitational || t.procedure !== 'public_tender' ? 'selective' : 'open', procurementMethodDetails: t.procedure === 'competitive_consultation' ? 'Competitive consultation (竞争性磋商)' : invitational ? 'Invitational tender (邀请招标)' : 'Public tender (公开招标)', mainProcurementCategory: t.kind, awardCriteria: t.method === 'comprehensive' ? 'ratedCriteria' : 'lowestCost', tenderPeriod: t.tenderPeriod, criteria: t.criteria, requirements: t.requirements, qualifications: t.qualifications, description: t.description },
    documents: notices,
    bids: progress
      ? { statistics: { bids: progress.bids, resolved: progress.resolved, pending: progress.pending }, details: null }
      : bids.length
        ? { statistics: { bids: bids.length, validBids: bids.filter((b) => b.status === 'decrypted').length }, details: bids.map((b) => ({ id: b.receipt_no, date: isoFromDb(b.submitted_at), status: ocdsBidStatus(b.status), tenderers: [{ id: b.supplier_id, name: b.supplier_name }], value: row.status === 'awarded' || b.status !== 'sealed' ? (b.price_fen === null ? null : { amountFen: Number(b.price_fen), currency: 'CNY' }) : null })) }
        : null,
    awards: row.status === 'awarded' ? [{ id: `${t.reference}-A1`, status: 'active', date: t.awardedAt, value: { amountFen: t.awardAmountFen, currency: 'CNY' }, suppliers: bids.filter((b) => b.id === row.awarded_bid_id).map((b) => ({ id: b.supplier_id, name: b.supplier_name })), challengePeriodEnd: t.challengeEndsAt }] : [],
  };
}
